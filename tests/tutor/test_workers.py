import asyncio
import threading

import pytest

from tutor.workers import BatchWorker


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
