"""An async generator run on a thread of its own, its items handed back to the event
loop one at a time. The dialogue's handlers read and write the database with blocking
calls between their awaits; run this way, a slow query holds up its own message only,
never the loop that every other learner's messages go through.

The thread runs a loop of its own. What the handlers await still works there: the
model workers answer on whichever loop asked (tutor/workers.py), and anything bound
to the caller's loop (a chat platform's HTTP client) is not for handlers to touch.
The generator advances only when the caller asks for its next item, as it would on
the caller's loop: nothing after a reply runs before that reply was taken, and once
the caller stops, nothing of the generator is running any more.
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
    Closing this generator early cancels the thread's iteration at its await and
    returns once the thread has ended.

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
    ended = asyncio.Event()  # on the caller's loop: the thread is done
    inner = asyncio.new_event_loop()
    wanted = asyncio.Event()  # on the thread's loop: the caller asks for the next item

    def tell(callback: Callable[..., object], *args: object) -> None:
        with contextlib.suppress(RuntimeError):  # the caller's loop has closed: no one reads
            caller.call_soon_threadsafe(callback, *args)

    def hand(item: object, error: BaseException | None = None) -> None:
        tell(items.put_nowait, (item, error))

    async def drain() -> None:
        replies = make()
        try:
            while True:
                await wanted.wait()
                wanted.clear()
                try:
                    item = await anext(replies)
                except StopAsyncIteration:
                    hand(_END)
                    return
                hand(item)
        except BaseException as error:  # every outcome goes back to the caller
            hand(_END, error)
        finally:
            await replies.aclose()  # type: ignore[attr-defined]

    task = inner.create_task(drain())

    def run() -> None:
        try:
            inner.run_until_complete(asyncio.wait([task]))
            inner.run_until_complete(inner.shutdown_asyncgens())
        finally:
            inner.close()
            tell(ended.set)

    threading.Thread(target=run, name=name, daemon=True).start()
    try:
        while True:
            inner.call_soon_threadsafe(wanted.set)
            item, error = await items.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item  # type: ignore[misc]
    finally:
        with contextlib.suppress(RuntimeError):  # its loop has finished already
            inner.call_soon_threadsafe(task.cancel)
        await ended.wait()
