import asyncio
import os
import threading
import time
from collections.abc import Callable, Collection, Hashable, Sequence

import pytest

from tutor.workers import BatchDecoder, BatchWorker, DecodingWorker, WorkerStopped


async def test_requests_waiting_together_form_one_batch() -> None:
    release = threading.Event()
    sizes: list[int] = []

    def double(batch: list[int]) -> list[int]:
        release.wait(5)
        sizes.append(len(batch))
        return [2 * x for x in batch]

    worker = BatchWorker("test", double, max_batch=8)
    first = asyncio.ensure_future(worker.submit(0))
    await asyncio.sleep(0.05)  # the worker holds the first request
    rest = [asyncio.ensure_future(worker.submit(i)) for i in range(1, 6)]
    await asyncio.sleep(0.05)
    release.set()
    assert await first == 0
    assert [await r for r in rest] == [2, 4, 6, 8, 10]
    assert sizes == [1, 5]
    worker.close()


async def test_a_failing_batch_fails_each_caller_and_the_worker_goes_on() -> None:
    def fail_on_negative(batch: list[int]) -> list[int]:
        if any(x < 0 for x in batch):
            raise ValueError("negative")
        return batch

    worker = BatchWorker("test", fail_on_negative)
    with pytest.raises(ValueError, match="negative"):
        await worker.submit(-1)
    assert await worker.submit(3) == 3
    worker.close()


async def test_each_text_is_embedded_once_then_served_from_memory(runtime) -> None:  # type: ignore[no-untyped-def]
    import numpy as np

    first = await runtime.embed(["Cool the burn.", "Call 999."])
    calls = runtime.embedder.calls
    again = await runtime.embed(["Call 999.", "Cool the burn.", "Call 999."])
    assert runtime.embedder.calls == calls  # nothing new to embed
    assert np.array_equal(again[0], first[1]) and np.array_equal(again[1], first[0])
    await runtime.embed(["Call 999.", "A new sentence."])
    assert runtime.embedder.calls == calls + 1


def test_run_all_hands_back_a_failed_request_in_its_place_and_the_worker_goes_on() -> None:
    def some_fail(batch: list[int]) -> list[int | Exception]:
        return [ValueError(f"no {n}") if n % 2 else n for n in batch]

    worker = BatchWorker("odd", some_fail)
    results = worker.run_all([1, 2, 3, 4])
    assert [r if isinstance(r, int) else str(r) for r in results] == ["no 1", 2, "no 3", 4]
    assert worker.run_all([6]) == [6]  # still alive after the failures
    worker.close()


def test_several_threads_handle_requests_at_once() -> None:
    together = threading.Barrier(4, timeout=5)  # passes only if four run at the same time

    def meet(batch: list[int]) -> list[int]:
        together.wait()
        return batch

    worker = BatchWorker("served", meet, max_batch=1, threads=4)
    assert worker.run_all([1, 2, 3, 4]) == [1, 2, 3, 4]
    worker.close()


class CountdownDecoder:
    """A decoder whose request is how many steps its row takes; records each step's
    rows. `fail_at` makes that step raise."""

    def __init__(self, fail_at: int | None = None, step_s: float = 0.0,
                 max_admit: int = 4) -> None:
        self.max_admit = max_admit
        self.step_s = step_s
        self.left: dict[Hashable, int] = {}
        self.steps: list[list[Hashable]] = []
        self.fail_at = fail_at
        self.step_gate = threading.Event()
        self.step_gate.set()

    def __len__(self) -> int:
        return len(self.left)

    def admit(self, requests: Sequence[tuple[Hashable, int]]) -> list[tuple[Hashable, str]]:
        self.left.update(requests)
        return []

    def step(self) -> list[tuple[Hashable, str]]:
        self.niceness = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        self.step_gate.wait(5)
        time.sleep(self.step_s)
        self.steps.append(sorted(self.left, key=str))
        if self.fail_at == len(self.steps):
            raise RuntimeError("out of memory")
        for key in self.left:
            self.left[key] -= 1
        ended = [key for key, n in self.left.items() if n <= 0]
        for key in ended:
            del self.left[key]
        return [(key, f"row {key} done") for key in ended]

    def drop(self, keys: Collection[Hashable]) -> None:
        for key in keys:
            self.left.pop(key, None)

    def clear(self) -> None:
        self.left.clear()


async def test_a_short_answer_leaves_the_batch_without_waiting_for_a_long_one() -> None:
    decoder = CountdownDecoder(step_s=0.01)
    worker = DecodingWorker("test", lambda: decoder, max_rows=8)
    decoder.step_gate.clear()
    long = asyncio.ensure_future(worker.submit(40))
    await asyncio.sleep(0.05)  # the long row is in its first step
    short = asyncio.ensure_future(worker.submit(2))
    decoder.step_gate.set()
    assert await short == "row 1 done"
    assert not long.done()  # still decoding when the short one was answered
    assert await long == "row 0 done"
    assert decoder.steps[0] == [0] and [0, 1] in decoder.steps  # joined mid-way
    assert worker.steps_run == 40
    worker.close()


async def test_rows_join_a_few_at_a_time_up_to_the_limit() -> None:
    decoder = CountdownDecoder(max_admit=2)
    decoder.step_gate.clear()
    worker = DecodingWorker("test", lambda: decoder, max_rows=5)
    first = asyncio.ensure_future(worker.submit(3))
    await asyncio.sleep(0.05)
    rest = [asyncio.ensure_future(worker.submit(3)) for _ in range(6)]
    await asyncio.sleep(0.05)
    decoder.step_gate.set()
    await asyncio.gather(first, *rest)
    sizes = [len(rows) for rows in decoder.steps]
    assert sizes[:3] == [1, 3, 5] and max(sizes) == 5
    worker.close()


async def test_a_failed_step_fails_the_rows_in_it_and_the_worker_goes_on() -> None:
    decoder = CountdownDecoder(fail_at=2)
    worker = DecodingWorker("test", lambda: decoder)
    with pytest.raises(RuntimeError, match="out of memory"):
        await worker.submit(5)
    assert len(decoder) == 0  # cleared
    assert await worker.submit(1) == "row 1 done"
    worker.close()


async def test_a_decoder_that_cannot_be_built_fails_the_request_and_is_tried_again() -> None:
    attempts: list[int] = []

    def make() -> CountdownDecoder:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("model file missing")
        return CountdownDecoder()

    worker = DecodingWorker("test", make)
    with pytest.raises(OSError, match="model file missing"):
        await worker.submit(1)
    assert await worker.submit(1) == "row 0 done"
    assert len(attempts) == 2
    worker.close()


def test_a_batch_decoder_runs_what_was_admitted_as_one_batch() -> None:
    batches: list[list[int]] = []

    def square(batch: Sequence[int]) -> list[int]:
        batches.append(list(batch))
        return [n * n for n in batch]

    worker = DecodingWorker("test", lambda: BatchDecoder(square))
    assert worker.run_all([2, 3]) == [4, 9]
    assert sum(len(b) for b in batches) == 2
    worker.close()


def test_the_decoding_thread_runs_nicer_than_chat() -> None:
    decoder = CountdownDecoder()
    worker = DecodingWorker("test", lambda: decoder, nice=10)
    assert worker.run_all([1]) == ["row 0 done"]
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert decoder.niceness == min(19, mine + 10) and mine < decoder.niceness
    worker.close()


async def test_an_abandoned_answer_leaves_the_batch() -> None:
    decoder = CountdownDecoder(step_s=0.01)
    worker = DecodingWorker("test", lambda: decoder)
    abandoned = asyncio.ensure_future(worker.submit(1000))
    await asyncio.sleep(0.05)
    abandoned.cancel()
    assert await worker.submit(3) == "row 1 done"
    assert 0 not in decoder.left and len(decoder.steps) < 100
    worker.close()


async def until(condition: Callable[[], bool]) -> None:
    """Wait for something another thread does (a condition, not a guess at its time)."""
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("it never happened")


async def test_stop_refuses_every_queued_request_and_finishes_the_one_in_hand() -> None:
    decoder = CountdownDecoder()
    decoder.step_gate.clear()
    worker = DecodingWorker("test", lambda: decoder)
    in_hand = asyncio.ensure_future(worker.submit(2))
    await until(lambda: len(decoder) == 1)  # decoding its first step
    queued = [asyncio.ensure_future(worker.submit(1)) for _ in range(2)]
    await until(lambda: worker.waiting == 2)
    closing = asyncio.ensure_future(asyncio.to_thread(worker.close))
    for request in queued:  # settled by the stop itself, before the step in hand ends
        with pytest.raises(WorkerStopped, match="stopped"):
            await asyncio.wait_for(request, 5)
    with pytest.raises(WorkerStopped):  # what comes after the stop is refused at once
        await worker.submit(1)
    decoder.step_gate.set()
    assert await in_hand == "row 0 done"
    await asyncio.wait_for(closing, 5)
    assert decoder.steps == [[0], [0]]  # the refused never reached the decoder


async def test_a_request_cancelled_while_queued_is_never_handled() -> None:
    release = threading.Event()
    handled: list[int] = []

    def echo(batch: list[int]) -> list[int]:
        release.wait(5)
        handled.extend(batch)
        return batch

    worker = BatchWorker("served", echo, max_batch=1)
    first = asyncio.ensure_future(worker.submit(1))
    await until(lambda: worker.waiting == 0 and not first.done())  # in hand
    abandoned = asyncio.ensure_future(worker.submit(2))
    await until(lambda: worker.waiting == 1)
    abandoned.cancel()
    release.set()
    assert await first == 1 and await worker.submit(3) == 3
    assert handled == [1, 3]
    worker.close()
