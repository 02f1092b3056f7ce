"""Send an announcement once to each unique (case-insensitive) recipient, one after another."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow


@dataclass
class Announcement:
    announcement_id: str
    subject: str
    body: str
    recipients: list[str]


@dataclass
class BlastReport:
    sent_to: list[str]
    duplicates_skipped: int


@activity.defn
async def send_announcement_email(recipient: str, subject: str, body: str) -> None:
    # Stub: the real call sends through the email provider's API.
    activity.logger.info("sent %r to %s", subject, recipient)


@workflow.defn
class AnnouncementBlast:
    @workflow.run
    async def run(self, announcement: Announcement) -> BlastReport:
        # dict.fromkeys keeps the first occurrence of each address in input order; a set's order
        # would change from one process to the next.
        unique = list(dict.fromkeys(r.strip().lower() for r in announcement.recipients))
        for recipient in unique:
            await workflow.execute_activity(
                send_announcement_email,
                args=[recipient, announcement.subject, announcement.body],
                start_to_close_timeout=timedelta(seconds=30),
            )
        return BlastReport(
            sent_to=unique, duplicates_skipped=len(announcement.recipients) - len(unique)
        )
