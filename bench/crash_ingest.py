"""`kill -9` of `tutorbot ingest` at random moments: nothing committed is lost, and
the index never disagrees with the database.

The public zsh and Debian FAQ sets (bench/data) are ingested by a real `tutorbot
ingest` process into one course of a data dir that already holds the sample course.
Each run kills it with SIGKILL at a moment drawn uniformly over an uninterrupted
ingest's length, then checks, in a fresh process's view:
- the stage the kill hit, from what it left: nothing committed yet, committed but
  the index file of the new version not written, or the index written (sentences
  still being stored, or done);
- the index the tutor serves from (a search's startup check loads or rebuilds it)
  holds exactly the course's chunks in the database, and a question is answered
  from them;
- no converter process outlived its ingest;
then runs the same ingest to the end, which completes the work (the course ends as
an uninterrupted ingest leaves it).

    python -m bench.crash_ingest [--runs 20] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import faiss
from sqlmodel import Session, select

from bench.qa_sets import SAMPLE_COURSE, SETS
from knowledge.embedder import TransformerEmbedder
from knowledge.index import IndexStore
from knowledge.library import find_course
from knowledge.retrieve import Retriever
from knowledge.tables import Chunk, Document, TextVector
from tutor.database import make_engine
from tutor.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results" / "crash-ingest.json"
TUTORBOT = str(Path(sys.executable).with_name("tutorbot"))
COURSE = "faqs"
MATERIAL = [SETS["zsh-faq"].material, SETS["debian-faq"].material]
QUESTION = "How do I change my default shell?"


def environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTORBOT_")}
    return {**env, "TUTORBOT_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1", "TUTORBOT_ASK_SERVER_IDLE_MINUTES": "0"}


def ingest(env: dict[str, str], kill_after_s: float | None = None, *,
           material: list[Path] = MATERIAL, course: str = COURSE) -> float:
    """`tutorbot ingest` of the material; SIGKILL after `kill_after_s`. Its seconds."""
    started = time.perf_counter()
    process = subprocess.Popen([TUTORBOT, "ingest", *map(str, material), "--course", course,
                                "--json"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        process.wait(timeout=kill_after_s)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
    else:
        if kill_after_s is None and process.returncode != 0:
            raise RuntimeError(f"ingest failed with status {process.returncode}")
    return time.perf_counter() - started


def converters_left(within_s: float = 3.0) -> int:
    """Converter processes whose ingest is gone (their parent is now PID 1) after
    `within_s`: a converter checks twice a second whether its parent is alive."""
    deadline = time.monotonic() + within_s
    while True:
        found = subprocess.run(["pgrep", "-f", "-P", "1", "knowledge.isolated"],
                               capture_output=True, text=True, check=False)
        if not found.stdout.split() or time.monotonic() > deadline:
            return len(found.stdout.split())
        time.sleep(0.2)


def state(data_dir: Path, embedder: TransformerEmbedder, course: str = COURSE,
          question: str = QUESTION) -> dict[str, object]:
    """What a fresh process finds: the stage the kill left, and whether the index it
    serves from agrees with the database."""
    settings = Settings(data_dir=data_dir, _env_file=None)
    engine = make_engine(settings.db_url)
    try:
        course_id = find_course(engine, course).id
    except Exception:
        engine.dispose()
        return {"stage": "nothing committed", "chunks": 0, "agree": True, "answered": None}
    with Session(engine) as session:
        chunk_ids = set(session.exec(select(Chunk.id).join(Document).where(
            Document.course_id == course_id)))
        sentences = len(session.exec(select(TextVector.key)).all())
    store = IndexStore(settings.index_dir, engine)
    stamp = store._current(course_id)
    on_disk = stamp is not None and store.paths(course_id, stamp)[0].exists()
    if not chunk_ids:
        stage = "nothing committed"
    elif not on_disk:
        stage = "committed, index file not written"
    else:
        stage = "index written"
    index = store.get(course_id)  # the startup check: loads the file, or rebuilds
    served = set() if index is None else set(
        int(i) for i in faiss.vector_to_array(index.vectors.index.id_map))
    answered = None
    if chunk_ids:
        retriever = Retriever(engine, store)
        query = embedder.embed([question])[0]
        hits = retriever.search(course_id, query, 3, question)
        answered = bool(hits) and all(hit.chunk_id in chunk_ids for hit in hits)
    engine.dispose()
    return {"stage": stage, "chunks": len(chunk_ids), "sentences": sentences,
            "agree": served == chunk_ids, "answered": answered}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    embedder = TransformerEmbedder()
    with tempfile.TemporaryDirectory(prefix="tutorbot-crash-") as folder:
        reference_dir = Path(folder) / "reference"
        env = environment(reference_dir)
        subprocess.run([TUTORBOT, "ingest", str(SAMPLE_COURSE), "--course", "workplace-safety"],
                       env=env, check=True, capture_output=True)
        whole_s = ingest(env)
        reference = state(reference_dir, embedder)
        print(f"uninterrupted ingest: {whole_s:.1f} s, {reference['chunks']} chunks")
        runs = []
        for run in range(args.runs):
            data_dir = Path(folder) / f"run-{run}"
            env = environment(data_dir)
            subprocess.run([TUTORBOT, "ingest", str(SAMPLE_COURSE), "--course",
                            "workplace-safety"], env=env, check=True, capture_output=True)
            kill_at = rng.uniform(0.5, whole_s)
            ingest(env, kill_after_s=kill_at)
            after_kill = state(data_dir, embedder)
            after_kill["converters_left"] = converters_left()
            ingest(env)
            completed = state(data_dir, embedder)
            runs.append({"kill_at_s": round(kill_at, 1), "after_kill": after_kill,
                         "rerun": completed,
                         "rerun_complete": completed["chunks"] == reference["chunks"]
                         and completed["agree"]})
            print(f"run {run + 1:2}: killed at {kill_at:5.1f} s, {after_kill['stage']}; "
                  f"index agrees: {after_kill['agree']}; answered: {after_kill['answered']}; "
                  f"converters left: {after_kill['converters_left']}; rerun complete: "
                  f"{runs[-1]['rerun_complete']}")
    stages: dict[str, int] = {}
    for item in runs:
        stage = str(item["after_kill"]["stage"])
        stages[stage] = stages.get(stage, 0) + 1
    summary = {
        "runs": len(runs), "uninterrupted_s": round(whole_s, 1),
        "reference_chunks": reference["chunks"], "stages": stages,
        "index_disagreed": sum(not item["after_kill"]["agree"] for item in runs),
        "unanswered": sum(item["after_kill"]["answered"] is False for item in runs),
        "converters_left": sum(int(item["after_kill"]["converters_left"]) for item in runs),
        "reruns_incomplete": sum(not item["rerun_complete"] for item in runs),
        "details": runs,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps({k: v for k, v in summary.items() if k != "details"}, indent=2))


if __name__ == "__main__":
    main()
