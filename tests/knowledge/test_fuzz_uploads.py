"""A bounded fuzz run over the conversion and chunking boundary (bench/fuzz_uploads.py
runs longer): mutated sample-course files end in chunks or in one clear refusal."""

from __future__ import annotations

from bench.fuzz_uploads import FILES, fuzz

EXAMPLES = 150


def test_mutated_uploads_end_in_chunks_or_one_clear_error() -> None:
    counts = fuzz(EXAMPLES, derandomize=True)  # the same inputs on every run
    assert sum(counts.values()) == EXAMPLES  # a failure would have raised, shrunk
    assert {key.split()[0] for key in counts} == set(FILES)  # every format was tried
    assert any(key.endswith("chunks") for key in counts)  # and not all were refused
