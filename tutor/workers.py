"""Model work off the event loop: one thread per model, fed by a queue.

Requests that arrive while the model is busy wait in the queue and are then
handled together, as one batch, so a hundred learners cost a few model calls.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Request = TypeVar("Request")
Result = TypeVar("Result")
log = logging.getLogger(__name__)


@dataclass
class _Job(Generic[Request, Result]):
    request: Request
    future: asyncio.Future[Result]
    loop: asyncio.AbstractEventLoop


class BatchWorker(Generic[Request, Result]):
    """Runs `handle_batch(requests) -> results` (same length, same order) in its
    threads. A result that is an exception fails its own request only; one raised
    fails all. One thread batches for a model in this process; several threads with
    batches of one suit a served model, which batches on the server: no request then
    waits for another's long answer."""

    def __init__(
        self,
        name: str,
        handle_batch: Callable[[Sequence[Request]], Sequence[Result]],
        *,
        max_batch: int = 32,
        threads: int = 1,
    ) -> None:
        self.name = name
        self.handle_batch = handle_batch
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Job[Request, Result] | None] = queue.SimpleQueue()
        self.batches_run = 0
        self._threads = [threading.Thread(target=self._run, name=f"{name}-worker-{n}",
                                          daemon=True) for n in range(threads)]
        for thread in self._threads:
            thread.start()

    @property
    def waiting(self) -> int:
        """Requests queued behind the batch being worked on."""
        return self._queue.qsize()

    async def submit(self, request: Request) -> Result:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Result] = loop.create_future()
        self._queue.put(_Job(request, future, loop))
        return await future

    def run_all(self, requests: Sequence[Request]) -> list[Result | BaseException]:
        """`submit` for code off any event loop (ingest's thread, the CLI): the requests
        queue with everyone else's, so a long job never shuts learners out. A request
        that failed has its exception in its place; the rest still come back."""

        async def gather() -> list[Result | BaseException]:
            return list(await asyncio.gather(*(self.submit(r) for r in requests),
                                             return_exceptions=True))

        return asyncio.run(gather())

    def close(self) -> None:
        for _ in self._threads:
            self._queue.put(None)  # one stop for each thread
        for thread in self._threads:
            thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            jobs = [first]
            while len(jobs) < self.max_batch:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    self._queue.put(None)  # finish this batch, then stop
                    break
                jobs.append(job)
            self._handle(jobs)

    def _handle(self, jobs: list[_Job[Request, Result]]) -> None:
        self.batches_run += 1
        try:
            results = self.handle_batch([job.request for job in jobs])
        except BaseException as error:  # handed to every waiting caller, never lost
            log.debug("%s batch failed", self.name, exc_info=True)
            for job in jobs:
                _hand_over(job, _set_exception, error)
            return
        for job, result in zip(jobs, results, strict=True):
            if isinstance(result, BaseException):  # this request alone failed
                _hand_over(job, _set_exception, result)
            else:
                _hand_over(job, _set_result, result)


def _hand_over(job: _Job[Request, Result], settle: Callable[..., None], value: object) -> None:
    """Settle a caller's future on its own loop; a loop that has closed since (a CLI
    run that ended) has no one waiting, and must not take the worker down with it."""
    try:
        job.loop.call_soon_threadsafe(settle, job.future, value)
    except RuntimeError:
        log.debug("a caller's event loop closed before its result came")


def _set_result(future: asyncio.Future[Result], result: Result) -> None:
    if not future.done():
        future.set_result(result)


def _set_exception(future: asyncio.Future[object], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)
