"""Travel booking saga: flight first, then hotel and car at once; on failure cancel the bookings."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError


@dataclass
class TripRequest:
    trip_id: str
    traveler: str
    origin: str
    destination: str
    depart_date: str
    return_date: str
    need_car: bool


@dataclass
class TripItinerary:
    trip_id: str
    status: str
    flight_confirmation: str
    hotel_confirmation: str
    car_confirmation: str | None


@activity.defn
async def book_flight(trip: TripRequest) -> str:
    # Stub: the real call books a return flight through the airline aggregator.
    return f"FL-{trip.trip_id}"


@activity.defn
async def cancel_flight(confirmation: str) -> None:
    # Stub: the real call cancels the booking; cancelling twice is a no-op there.
    activity.logger.info("cancelled flight %s", confirmation)


@activity.defn
async def book_hotel(trip: TripRequest) -> str:
    # Stub: the real call books a room in the destination city for the whole stay.
    return f"HT-{trip.trip_id}"


@activity.defn
async def cancel_hotel(confirmation: str) -> None:
    # Stub: the real call cancels the room.
    activity.logger.info("cancelled hotel %s", confirmation)


@activity.defn
async def book_car(trip: TripRequest) -> str:
    # Stub: the real call reserves a rental car at the destination airport.
    return f"CR-{trip.trip_id}"


@activity.defn
async def cancel_car(confirmation: str) -> None:
    # Stub: the real call cancels the rental.
    activity.logger.info("cancelled car %s", confirmation)


BOOK_TIMEOUT = timedelta(seconds=60)
BOOK_RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), maximum_attempts=3)
# The car rental API is flaky: a few retries 5 seconds apart, timed by the server, not a sleep.
CAR_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5), backoff_coefficient=1.0, maximum_attempts=3
)
CANCEL_RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), maximum_attempts=10)


@workflow.defn
class TravelBookingSaga:
    def __init__(self) -> None:
        self._undo: list[tuple[str, str]] = []

    @workflow.run
    async def run(self, trip: TripRequest) -> TripItinerary:
        try:
            flight = await workflow.execute_activity(
                book_flight, trip, start_to_close_timeout=BOOK_TIMEOUT, retry_policy=BOOK_RETRY
            )
            self._undo.append(("flight", flight))

            hotel_task = workflow.start_activity(
                book_hotel, trip, start_to_close_timeout=BOOK_TIMEOUT, retry_policy=BOOK_RETRY
            )
            tasks: list[asyncio.Task[str]] = [hotel_task]
            if trip.need_car:
                tasks.append(
                    workflow.start_activity(
                        book_car, trip, start_to_close_timeout=BOOK_TIMEOUT, retry_policy=CAR_RETRY
                    )
                )
            # workflow.wait returns lists in a fixed order, unlike asyncio.wait's sets.
            _, pending = await workflow.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for task in pending:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            kinds = ["hotel", "car"][: len(tasks)]
            for kind, task in zip(kinds, tasks, strict=True):
                if not task.cancelled() and task.exception() is None:
                    self._undo.append((kind, task.result()))
            for task in tasks:
                if not task.cancelled() and task.exception() is not None:
                    raise ApplicationError(
                        f"booking failed: {task.exception()}", non_retryable=True
                    )
        except BaseException:
            # BaseException: a cancelled trip must also release what it booked.
            await self._compensate()
            raise
        booked = dict(self._undo)
        return TripItinerary(
            trip_id=trip.trip_id,
            status="booked",
            flight_confirmation=booked["flight"],
            hotel_confirmation=booked["hotel"],
            car_confirmation=booked.get("car"),
        )

    async def _compensate(self) -> None:
        cancels = {"flight": cancel_flight, "hotel": cancel_hotel, "car": cancel_car}
        for kind, confirmation in reversed(self._undo):
            await workflow.execute_activity(
                cancels[kind],
                confirmation,
                start_to_close_timeout=BOOK_TIMEOUT,
                retry_policy=CANCEL_RETRY,
            )
