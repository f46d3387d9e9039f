"""An async generator run on a thread of its own, its items handed back to the event
loop as they come. The dialogue's handlers read and write the database with blocking
calls between their awaits; run this way, a slow query holds up its own message only,
never the loop that every other learner's messages go through.

The thread runs a loop of its own. What the handlers await still works there: the
model workers answer on whichever loop asked (tutor/workers.py), and anything bound
to the caller's loop (a chat platform's HTTP client) is not for handlers to touch.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable
from typing import TypeVar

T = TypeVar("T")
_END = object()


async def in_thread(make: Callable[[], AsyncIterator[T]], name: str = "off-loop"
                    ) -> AsyncIterator[T]:
    """The items of `make()`, iterated on a new thread; its exception is raised here.
    Closing this generator early cancels the thread's iteration at its next await.

    >>> async def numbers():
    ...     yield threading.current_thread().name
    ...     yield 2
    >>> async def main():
    ...     return [item async for item in in_thread(numbers, "counting")]
    >>> asyncio.run(main())
    ['counting', 2]
    """
    caller = asyncio.get_running_loop()
    items: asyncio.Queue[tuple[object, BaseException | None]] = asyncio.Queue()
    closed = threading.Event()
    cancel: list[Callable[[], None]] = []

    def hand(item: object, error: BaseException | None = None) -> None:
        caller.call_soon_threadsafe(items.put_nowait, (item, error))

    async def drain() -> None:
        try:
            async for item in make():
                hand(item)
        except BaseException as error:  # every outcome goes back to the caller
            hand(_END, error)
        else:
            hand(_END)

    def run() -> None:
        loop = asyncio.new_event_loop()
        try:
            task = loop.create_task(drain())
            cancel.append(lambda: loop.call_soon_threadsafe(task.cancel))
            if closed.is_set():  # closed before the thread started
                task.cancel()
            loop.run_until_complete(asyncio.wait([task]))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    try:
        while True:
            item, error = await items.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item  # type: ignore[misc]
    finally:
        closed.set()
        for stop in cancel:
            with contextlib.suppress(RuntimeError):  # its loop has finished already
                stop()
