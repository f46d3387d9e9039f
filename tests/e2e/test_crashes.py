"""`kill -9` of a real `tutorbot ingest` at three moments (bench/crash_ingest.py does
twenty on the public sets): the index a fresh process serves from holds exactly the
committed chunks, a question is answered from them, and the same ingest run again
completes the work."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.crash_ingest import converters_left, environment, ingest, state
from knowledge.embedder import TransformerEmbedder
from tests.conftest import SAMPLE_COURSE

pytestmark = pytest.mark.e2e
COURSE = "workplace-safety"
QUESTION = "How long should a burn be cooled?"


def test_ingest_killed_three_times_loses_nothing(tmp_path: Path) -> None:
    embedder = TransformerEmbedder()
    whole_s = ingest(environment(tmp_path / "whole"), material=[SAMPLE_COURSE], course=COURSE)
    reference = state(tmp_path / "whole", embedder, COURSE, QUESTION)
    killed = environment(tmp_path / "killed")
    for fraction in (0.3, 0.6, 0.9):
        ingest(killed, whole_s * fraction, material=[SAMPLE_COURSE], course=COURSE)
        after = state(tmp_path / "killed", embedder, COURSE, QUESTION)
        assert after["agree"], f"killed at {fraction:.0%}: index and database disagree"
        assert after["answered"] in (None, True)  # None: nothing committed yet
    assert converters_left() == 0  # no converter outlived its ingest
    ingest(killed, material=[SAMPLE_COURSE], course=COURSE)
    final = state(tmp_path / "killed", embedder, COURSE, QUESTION)
    assert final["agree"] and final["answered"]
    assert final["chunks"] == reference["chunks"]
