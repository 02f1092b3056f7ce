"""Research agent: plan, search, summarize, until the token budget or the time limit runs out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy


@dataclass
class ResearchRequest:
    question: str
    token_budget: int
    time_limit_minutes: int
    max_steps: int
    search_timeout_seconds: int = 20


@dataclass
class PlanInput:
    question: str
    notes: list[str]


@dataclass
class Plan:
    queries: list[str]
    done: bool
    tokens_used: int


@dataclass
class SearchHit:
    url: str
    snippet: str


@dataclass
class SummarizeInput:
    question: str
    hits: list[SearchHit]


@dataclass
class Note:
    text: str
    sources: list[str]
    tokens_used: int


@dataclass
class Answer:
    text: str
    tokens_used: int


@dataclass
class ResearchReport:
    answer: str
    steps: int
    tokens_used: int
    sources: list[str]


@activity.defn
async def plan_queries(req: PlanInput) -> Plan:
    # Real code: ask the LLM for the next search queries given the notes so far.
    if len(req.notes) >= 2:
        return Plan(queries=[], done=True, tokens_used=250)
    aspects = ["overview", "recent results", "criticism"]
    return Plan(queries=[f"{req.question} {a}" for a in aspects], done=False, tokens_used=400)


@activity.defn
async def web_search(query: str) -> list[SearchHit]:
    # Real code: call the search API.
    slug = query.split()[-1]
    return [
        SearchHit(f"https://example.org/{slug}", f"About {query}"),
        SearchHit("https://en.wikipedia.org/wiki/Topic", "Encyclopedia entry"),
    ]


@activity.defn
async def summarize(req: SummarizeInput) -> Note:
    # Real code: ask the LLM to summarize the hits with respect to the question.
    urls: list[str] = []
    for hit in req.hits:
        if hit.url not in urls:
            urls.append(hit.url)
    return Note(text=f"{len(req.hits)} findings on {req.question}", sources=urls, tokens_used=900)


@activity.defn
async def write_answer(req: PlanInput) -> Answer:
    # Real code: ask the LLM to write the final answer from the notes.
    return Answer(text=f"Answer to {req.question!r} from {len(req.notes)} notes.", tokens_used=600)


@workflow.defn
class ResearchAgent:
    @workflow.run
    async def run(self, req: ResearchRequest) -> ResearchReport:
        deadline = workflow.now() + timedelta(minutes=req.time_limit_minutes)
        notes: list[str] = []
        sources: list[str] = []
        tokens = 0
        steps = 0

        while steps < req.max_steps and tokens < req.token_budget and workflow.now() < deadline:
            steps += 1
            plan = await workflow.execute_activity(
                plan_queries,
                PlanInput(req.question, notes),
                start_to_close_timeout=timedelta(minutes=2),
                retry_policy=RetryPolicy(maximum_attempts=3),
            )
            tokens += plan.tokens_used
            if plan.done or not plan.queries:
                break

            searches = [
                workflow.start_activity(
                    web_search, query, start_to_close_timeout=timedelta(seconds=30)
                )
                for query in plan.queries
            ]
            # workflow.wait, unlike asyncio.wait, returns lists in a deterministic order.
            done, pending = await workflow.wait(searches, timeout=req.search_timeout_seconds)
            for search in pending:
                search.cancel()
            hits = [
                hit
                for search in searches
                if search in done and search.exception() is None
                for hit in search.result()
            ]
            if not hits:
                continue

            note = await workflow.execute_activity(
                summarize,
                SummarizeInput(req.question, hits),
                start_to_close_timeout=timedelta(minutes=2),
                retry_policy=RetryPolicy(maximum_attempts=3),
            )
            tokens += note.tokens_used
            notes.append(note.text)
            sources.extend(url for url in note.sources if url not in sources)

        answer = await workflow.execute_activity(
            write_answer,
            PlanInput(req.question, notes),
            start_to_close_timeout=timedelta(minutes=2),
            retry_policy=RetryPolicy(maximum_attempts=3),
        )
        return ResearchReport(
            answer=answer.text,
            steps=steps,
            tokens_used=tokens + answer.tokens_used,
            sources=sources,
        )
