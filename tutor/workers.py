"""Model work off the event loop: threads fed by a queue.

BatchWorker: requests that arrive while the model is busy wait in the queue and
are then handled together, as one batch, so a hundred learners cost a few model
calls. DecodingWorker: requests join a running decoder at its next step and leave
it when they end (continuous batching), so no one waits for a whole batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import queue
import threading
from collections.abc import Callable, Collection, Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from tutor.errors import ModelUnavailable

Request = TypeVar("Request")
Result = TypeVar("Result")
log = logging.getLogger(__name__)


class WorkerStopped(ModelUnavailable):
    """The worker was stopped (the process is ending) before it took this request."""


@dataclass
class _Job(Generic[Request, Result]):
    request: Request
    future: asyncio.Future[Result]
    loop: asyncio.AbstractEventLoop


class _QueueWorker(Generic[Request, Result]):
    """Callers queue requests and await their results; `_run` works in each thread."""

    def __init__(self, name: str, threads: int) -> None:
        self.name = name
        self._queue: queue.SimpleQueue[_Job[Request, Result] | None] = queue.SimpleQueue()
        self._closed = False
        self._closing = threading.Lock()  # a request is queued before the stop, or refused
        self._threads = [threading.Thread(target=self._run, name=f"{name}-worker-{n}",
                                          daemon=True) for n in range(threads)]
        for thread in self._threads:
            thread.start()

    @property
    def waiting(self) -> int:
        """Requests queued behind the work in hand."""
        return self._queue.qsize()

    async def submit(self, request: Request) -> Result:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Result] = loop.create_future()
        with self._closing:
            if self._closed:
                raise self._stopped()
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
        """Refuse what is queued (WorkerStopped), finish what is in hand, stop."""
        with self._closing:
            self._closed = True
        refused = 0
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                refused += 1
                _hand_over(job, _set_exception, self._stopped())
        if refused:
            log.info("%s stopped: %d queued requests refused", self.name, refused)
        for _ in self._threads:
            self._queue.put(None)  # one stop for each thread
        for thread in self._threads:
            thread.join(timeout=30)

    def _stopped(self) -> WorkerStopped:
        return WorkerStopped(f"The {self.name} worker has stopped: the tutor is shutting down.")

    def _run(self) -> None:
        raise NotImplementedError

    def _take(self, limit: int) -> tuple[list[_Job[Request, Result]], bool]:
        """Up to `limit` queued jobs without waiting, and whether a stop came."""
        jobs: list[_Job[Request, Result]] = []
        while len(jobs) < limit:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            if job is None:
                return jobs, True
            jobs.append(job)
        return jobs, False


class BatchWorker(_QueueWorker[Request, Result]):
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
        self.handle_batch = handle_batch
        self.max_batch = max_batch
        self.batches_run = 0
        super().__init__(name, threads)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            more, stop = self._take(self.max_batch - 1)
            if stop:
                self._queue.put(None)  # finish this batch, then stop
            self._handle([first, *more])

    def _handle(self, jobs: list[_Job[Request, Result]]) -> None:
        jobs = [job for job in jobs if not job.future.done()]  # cancelled while queued
        if not jobs:
            return
        self.batches_run += 1
        try:
            results = self.handle_batch([job.request for job in jobs])
        except BaseException as error:  # handed to every waiting caller, never lost
            log.warning("%s: a batch failed", self.name, exc_info=True)
            for job in jobs:
                _hand_over(job, _set_exception, error)
            return
        for job, result in zip(jobs, results, strict=True):
            _deliver(job, result)


class Decoder(Protocol[Request, Result]):
    """What DecodingWorker drives (tutor/decoding.py ContinuousDecoder): rows keyed by
    the caller; each call returns the rows that ended, with a result or an exception."""

    max_admit: int  # requests one `admit` takes (a prefill holds every row's next token)

    def __len__(self) -> int: ...

    def admit(self, requests: Sequence[tuple[Hashable, Request]]
              ) -> list[tuple[Hashable, Result | Exception]]: ...

    def step(self) -> list[tuple[Hashable, Result | Exception]]: ...

    def drop(self, keys: Collection[Hashable]) -> None: ...

    def clear(self) -> None: ...


class BatchDecoder(Generic[Request, Result]):
    """A Decoder over a whole-batch function: what is admitted runs together at the
    next step, to its end (for models and fakes that cannot decode step by step)."""

    def __init__(self, handle_batch: Callable[[Sequence[Request]], Sequence[Result]],
                 max_admit: int = 8) -> None:
        self.handle_batch = handle_batch
        self.max_admit = max_admit
        self._pending: list[tuple[Hashable, Request]] = []

    def __len__(self) -> int:
        return len(self._pending)

    def admit(self, requests: Sequence[tuple[Hashable, Request]]
              ) -> list[tuple[Hashable, Result | Exception]]:
        self._pending.extend(requests)
        return []

    def step(self) -> list[tuple[Hashable, Result | Exception]]:
        pending, self._pending = self._pending, []
        results = self.handle_batch([request for _, request in pending])
        return [(key, result) for (key, _), result in zip(pending, results, strict=True)]

    def drop(self, keys: Collection[Hashable]) -> None:
        self._pending = [(key, request) for key, request in self._pending if key not in keys]

    def clear(self) -> None:
        self._pending = []


class DecodingWorker(_QueueWorker[Request, Result]):
    """One thread stepping a decoder, which `make_decoder` builds in that thread on
    first use (loading a model there keeps it off the event loop; a load that fails
    fails the requests in hand, and the next request tries again). Queued requests
    join between steps, at most the decoder's `max_admit` at a time and `max_rows` in
    all; each caller hears as soon as its own row ends."""

    def __init__(self, name: str, make_decoder: Callable[[], Decoder[Request, Result]], *,
                 max_rows: int = 16, nice: int = 0) -> None:
        """`nice`: how much lower than the process's the decoding thread's priority is."""
        self.make_decoder = make_decoder
        self.decoder: Decoder[Request, Result] | None = None
        self.max_rows = max_rows
        self.nice = nice
        self.steps_run = 0
        super().__init__(name, threads=1)

    def _run(self) -> None:
        if self.nice:
            # Linux schedules threads one by one: a nicer decoding thread (and the
            # OpenMP threads it starts, which inherit it) leaves the cores to chat,
            # embedding and search when they want them, and has them when idle.
            with contextlib.suppress(OSError, AttributeError):
                thread = threading.get_native_id()
                now = os.getpriority(os.PRIO_PROCESS, thread)
                os.setpriority(os.PRIO_PROCESS, thread, min(19, now + self.nice))
        self._decode()

    def _decode(self) -> None:
        running: dict[Hashable, _Job[Request, Result]] = {}
        keys = itertools.count()
        stopping = False
        while True:
            if not running:
                if stopping:
                    return
                first = self._queue.get()  # idle: wait for work
                if first is None:
                    return
                new = [first]
            else:
                new = []
            try:
                if self.decoder is None:
                    self.decoder = self.make_decoder()
                if not stopping:
                    more, stopping = self._take(min(
                        self.decoder.max_admit - len(new),
                        self.max_rows - len(running) - len(new)))
                    new += more
            except BaseException as error:  # the model would not load
                log.warning("%s could not start its decoder", self.name, exc_info=True)
                for job in new:
                    _hand_over(job, _set_exception, error)
                continue
            joining = {next(keys): job for job in new}
            running.update(joining)
            try:
                gone = [key for key, job in running.items() if job.future.done()]
                if gone:  # cancelled: their learners are not waiting any more
                    self._settle(running, [(key, None) for key in gone])
                    self.decoder.drop(gone)
                self._settle(running, self.decoder.admit(
                    [(key, job.request) for key, job in joining.items() if key in running]))
                ended = self.decoder.step()
                self.steps_run += 1  # counted before a caller hears its row ended
                self._settle(running, ended)
            except BaseException as error:  # the whole batch failed: tell every caller
                log.warning("%s: a decoding step failed", self.name, exc_info=True)
                self.decoder.clear()
                for job in running.values():
                    _hand_over(job, _set_exception, error)
                running.clear()

    @staticmethod
    def _settle(running: dict[Hashable, _Job[Request, Result]],
                ended: Sequence[tuple[Hashable, Result | Exception | None]]) -> None:
        for key, result in ended:
            job = running.pop(key, None)
            if job is None or result is None:
                continue
            _deliver(job, result)


def _deliver(job: _Job[Request, Result], result: Result | BaseException) -> None:
    """A request's result to its caller; an exception fails that request alone."""
    _hand_over(job, _set_exception if isinstance(result, BaseException) else _set_result,
               result)


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
