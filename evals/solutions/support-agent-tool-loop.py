"""Customer-support agent: an LLM loop whose tools are activities."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy

HANDOFF = "I'm handing this conversation to a member of our support team."


@dataclass
class SupportRequest:
    customer_id: str
    message: str
    max_turns: int


@dataclass
class Message:
    role: str  # "system" | "user" | "assistant" | "tool"
    content: str
    tool_name: str = ""
    invocation_id: str = ""


@dataclass
class LlmRequest:
    messages: list[Message]


@dataclass
class LlmResponse:
    reply: str | None = None
    tool_name: str | None = None
    arguments: dict[str, str] = field(default_factory=dict)


@dataclass
class ToolInput:
    invocation_id: str  # idempotency key, stable across retries
    customer_id: str
    arguments: dict[str, str]


@dataclass
class SupportOutcome:
    reply: str
    tool_calls: list[str]
    turns: int


@activity.defn
async def call_llm(req: LlmRequest) -> LlmResponse:
    # Real code: openai.AsyncOpenAI().chat.completions.create(model=..., messages=..., tools=...)
    done = [m.tool_name for m in req.messages if m.role == "tool"]
    question = req.messages[1].content.lower() if len(req.messages) > 1 else ""
    if "lookup_order" not in done and "order" in question:
        return LlmResponse(tool_name="lookup_order", arguments={"order_id": "A-1001"})
    if "issue_refund" not in done and "refund" in question:
        return LlmResponse(
            tool_name="issue_refund", arguments={"order_id": "A-1001", "amount_cents": "2599"}
        )
    return LlmResponse(reply="Your refund of $25.99 for order A-1001 is on its way.")


@activity.defn
async def lookup_order(tool: ToolInput) -> str:
    # Real code: GET https://orders.internal/api/orders/{order_id}
    return json.dumps({"order_id": tool.arguments.get("order_id"), "status": "delivered"})


@activity.defn
async def issue_refund(tool: ToolInput) -> str:
    # Real code: POST to the payments API with Idempotency-Key: tool.invocation_id
    return json.dumps({"refund_id": f"rf-{tool.invocation_id[:8]}", "status": "pending"})


@activity.defn
async def search_kb(tool: ToolInput) -> str:
    # Real code: query the help-center search index.
    return json.dumps({"articles": ["Returns and refunds", "Damaged items"]})


TOOLS = {"lookup_order": lookup_order, "issue_refund": issue_refund, "search_kb": search_kb}


@workflow.defn
class SupportAgent:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    @workflow.query
    def transcript(self) -> list[str]:
        return [f"{m.role}: {m.content}" for m in self.messages]

    @workflow.run
    async def run(self, req: SupportRequest) -> SupportOutcome:
        self.messages = [
            Message("system", f"You are a support agent for customer {req.customer_id}."),
            Message("user", req.message),
        ]
        tool_calls: list[str] = []
        for turn in range(1, req.max_turns + 1):
            answer = await workflow.execute_activity(
                call_llm,
                LlmRequest(list(self.messages)),
                start_to_close_timeout=timedelta(seconds=60),
                retry_policy=RetryPolicy(maximum_attempts=3),
            )
            if answer.reply is not None:
                self.messages.append(Message("assistant", answer.reply))
                return SupportOutcome(reply=answer.reply, tool_calls=tool_calls, turns=turn)

            name = answer.tool_name or ""
            invocation_id = str(workflow.uuid4())  # replay returns the same id
            tool = TOOLS.get(name)
            if tool is None:
                result = json.dumps({"error": f"unknown tool {name!r}"})
            else:
                result = await workflow.execute_activity(
                    tool,
                    ToolInput(invocation_id, req.customer_id, answer.arguments),
                    start_to_close_timeout=timedelta(seconds=30),
                )
                tool_calls.append(name)
            self.messages.append(Message("tool", result, name, invocation_id))

        self.messages.append(Message("assistant", HANDOFF))
        return SupportOutcome(reply=HANDOFF, tool_calls=tool_calls, turns=req.max_turns)
