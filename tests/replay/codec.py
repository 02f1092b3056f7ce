"""A payload codec, as workers with encryption or compression have: replay needs the same one."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from temporalio.api.common.v1 import Payload
from temporalio.converter import DataConverter, PayloadCodec


class ReversingCodec(PayloadCodec):
    """Stands in for encryption: the stored bytes mean nothing without the codec."""

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [
            Payload(metadata={"encoding": b"binary/reversed"}, data=p.SerializeToString()[::-1])
            for p in payloads
        ]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [Payload.FromString(p.data[::-1]) for p in payloads]


converter = dataclasses.replace(DataConverter.default, payload_codec=ReversingCodec())
