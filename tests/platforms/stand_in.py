"""What every local stand-in of a platform's API shares: `async with` starts it on
127.0.0.1 and stops it."""

from __future__ import annotations

from typing import Self


class StandIn:
    async def start(self) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
