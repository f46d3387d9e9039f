"""Upload-to-answerable in the console against `tutorbot ingest` of the same files,
with the real embedding model, on public material (bench/data/zsh-faq by default).

- reference: `tutorbot ingest FILES --course bench` as a trainer runs it, a fresh
  process on a fresh data dir (it starts, loads the model, converts, embeds, stores
  the passages' sentences and writes the question bank, then exits);
- the same ingest in a warm process (the model loaded), as the CLI does it: what of
  the CLI's time is starting and loading;
- the console: a warm server (the model loaded, as a serving console has it), the
  files posted to /courses/bench/uploads as the page does, the job's JSON polled
  every 0.1 s until done, then one question of the set asked through the dialogue
  (the bots of the same process) until it is answered from an uploaded file.

Prints seconds for both and their ratio (below 1: the console is faster).

    python -m bench.console_upload [--files chapter-1.txt chapter-2.txt ...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.qa_sets import SETS
from bot.web.app import create_app
from tests.bot.web.uploads_support import signed_in
from tutor.dialogue import DialogueManager
from tutor.messages import IncomingMessage
from tutor.runtime import Runtime
from tutor.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILES = ["chapter-1.txt", "chapter-2.txt", "chapter-4.txt", "chapter-5.txt"]


def cli_ingest(files: list[Path], data_dir: Path) -> float:
    environment = {**os.environ, "TUTORBOT_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1",
                   "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "bot.cli", "ingest", *map(str, files),
                             "--course", "bench", "--json"], env=environment,
                            capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"tutorbot ingest failed: {result.stderr[-2000:]}")
    report = json.loads(result.stdout)
    assert not report["failed"], report["failed"]
    return seconds


def warm_ingest(files: list[Path], data_dir: Path) -> float:
    runtime = Runtime(Settings(data_dir=data_dir, explain="never", _env_file=None))
    try:
        runtime.embedder.embed(["warm up"])
        started = time.perf_counter()
        report = runtime.add_material(files, "bench")  # the sentences stored before it returns
        seconds = time.perf_counter() - started
        assert not report.failed, report.failed
    finally:
        runtime.close()
    return seconds


def console_upload(files: list[Path], data_dir: Path, question: str,
                   sources: set[str]) -> dict[str, float]:
    settings = Settings(data_dir=data_dir, explain="never", _env_file=None)
    runtime = Runtime(settings)
    runtime.embedder.embed(["warm up"])  # a serving console has its model loaded
    app = create_app(runtime)
    client, csrf = signed_in(app, "bench@example.org")
    try:
        started = time.perf_counter()
        answer = client.post("/courses/bench/uploads", data={"csrf": csrf}, files=[
            ("files", (path.name, path.read_bytes(), "text/plain")) for path in files],
            follow_redirects=False)
        job_id = answer.headers["location"].split("upload=")[1].split("#")[0]
        while not (job := client.get(f"/api/uploads/{job_id}").json())["finished"]:
            time.sleep(0.1)
        done = time.perf_counter() - started
        assert not job["error"] and all(f["state"] == "done" for f in job["files"]), job
        manager = DialogueManager(runtime)

        async def ask() -> list[str]:
            replies = [r async for r in manager.handle(IncomingMessage("bench:ana", question))]
            return [source.document for source in replies[-1].sources]

        cited = asyncio.run(ask())
        answerable = time.perf_counter() - started
        assert set(cited) & sources, f"the answer cited {cited}, not {sources}"
    finally:
        app.state.uploads.close()
        runtime.close()
    return {"done": done, "answerable": answerable}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", nargs="+", default=DEFAULT_FILES,
                        help="files of bench/data/zsh-faq/material")
    args = parser.parse_args()
    qa = SETS["zsh-faq"]
    files = [qa.material / name for name in args.files]
    item = next(i for i in qa.items() if i["source"] in args.files)
    with tempfile.TemporaryDirectory() as folder:
        cli_s = cli_ingest(files, Path(folder) / "cli")
        warm_s = warm_ingest(files, Path(folder) / "warm")
        console = console_upload(files, Path(folder) / "console", item["question"],
                                 set(args.files))
    size_kb = sum(path.stat().st_size for path in files) / 1000
    result = {"files": len(files), "kilobytes": round(size_kb), "question": item["question"],
              "cli_ingest_s": round(cli_s, 2), "warm_ingest_s": round(warm_s, 2),
              "console_done_s": round(console["done"], 2),
              "console_answerable_s": round(console["answerable"], 2),
              "answerable_vs_cli": round(console["answerable"] / cli_s, 3)}
    print(f"{len(files)} files, {size_kb:.0f} kB: `tutorbot ingest` {cli_s:.1f} s (the same "
          f"ingest in a warm process {warm_s:.1f} s); console "
          f"upload done in {console['done']:.1f} s, answerable in {console['answerable']:.1f} "
          f"s ({result['answerable_vs_cli']:.2f} of the CLI's time)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
