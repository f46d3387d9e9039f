"""Wall time of whole `tutorbot ask` processes once the model cache is warm: what a
script calling the CLI waits.

- "one process": the server turned off, so the process imports PyTorch and
  transformers and loads the models itself (the reference);
- "via the ask server": the next `ask`s after one that left the server running,
  p50 of `--runs`, with TUTORBOT_EXPLAIN=auto (the default: the packaged model on a
  CPU writes no explanation, and is not loaded) and =always, in the same run.

    python -m bench.cold_ask [--runs 10]  (needs the sample course: `make run` once)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bot.ask_server import socket_path
from tutor.settings import Settings

TUTORBOT = str(Path(sys.executable).with_name("tutorbot"))
QUESTION = "How long should a burn be cooled under running water?"


def ask(**env: str) -> tuple[float, dict]:
    start = time.perf_counter()
    done = subprocess.run([TUTORBOT, "ask", QUESTION, "--json"], capture_output=True,
                          text=True, check=True, env={**os.environ, **env})
    return time.perf_counter() - start, json.loads(done.stdout)


def stop_server() -> None:
    subprocess.run([TUTORBOT, "serve-ask", "--stop"], capture_output=True, check=False)
    deadline = time.monotonic() + 60
    while socket_path(Settings()).exists() and time.monotonic() < deadline:
        time.sleep(0.2)


def via_server(runs: int, explain: str) -> dict[str, float]:
    """p50 of `runs` asks answered by a warm ask server started with `explain`."""
    stop_server()
    ask(TUTORBOT_EXPLAIN=explain)  # answers, then leaves the server behind
    deadline = time.monotonic() + 120
    while not socket_path(Settings()).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    walls, answering = [], []
    for _ in range(runs):
        wall, answer = ask(TUTORBOT_EXPLAIN=explain)
        assert answer["answered_by"] == "ask server", answer["answered_by"]
        assert answer["explained"] is (explain != "auto"), answer["explain_skipped"]
        walls.append(wall)
        answering.append(answer["timings"]["total_ms"] / 1000)
    stop_server()
    return {"p50_s": round(statistics.median(walls), 2),
            "max_s": round(max(walls), 2),
            "answering_p50_s": round(statistics.median(answering), 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    stop_server()
    ask(TUTORBOT_ASK_SERVER_IDLE_MINUTES="0")  # converts the GGUF if not cached yet
    alone_s, alone = ask(TUTORBOT_ASK_SERVER_IDLE_MINUTES="0")
    result = {
        "runs": args.runs,
        "one_process_s": round(alone_s, 2),
        "one_process_answering_s": round(alone["timings"]["total_ms"] / 1000, 2),
        "via_ask_server_auto": via_server(args.runs, "auto"),
        "via_ask_server_always": via_server(args.runs, "always"),
    }
    auto, always = result["via_ask_server_auto"], result["via_ask_server_always"]
    print(f"one process (explain auto) {alone_s:.1f} s (answering "
          f"{result['one_process_answering_s']} s); via the ask server, p50 of {args.runs}: "
          f"explain auto {auto['p50_s']} s (answering {auto['answering_p50_s']} s), "
          f"always {always['p50_s']} s (answering {always['answering_p50_s']} s)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
