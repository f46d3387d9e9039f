"""Wall time of whole `tutorbot ask` processes once the model cache is warm: what a
script calling the CLI waits.

- "one process": the server turned off, so the process imports PyTorch and
  transformers and loads both models itself (the reference);
- "via the ask server": the next `ask` after one that left the server running.

    python -m bench.cold_ask  (needs the sample course ingested: `make run` once)
"""

from __future__ import annotations

import json
import os
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


def main() -> None:
    subprocess.run([TUTORBOT, "serve-ask", "--stop"], capture_output=True, check=False)
    ask(TUTORBOT_ASK_SERVER_IDLE_MINUTES="0")  # converts the GGUF if not cached yet
    alone_s, alone = ask(TUTORBOT_ASK_SERVER_IDLE_MINUTES="0")
    ask()  # answers, then leaves the server behind
    deadline = time.monotonic() + 120
    while not socket_path(Settings()).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    served_s, served = ask()
    subprocess.run([TUTORBOT, "serve-ask", "--stop"], capture_output=True, check=False)
    assert served["answered_by"] == "ask server", served["answered_by"]
    result = {
        "one_process_s": round(alone_s, 2),
        "one_process_answering_s": round(alone["timings"]["total_ms"] / 1000, 2),
        "via_ask_server_s": round(served_s, 2),
        "via_ask_server_answering_s": round(served["timings"]["total_ms"] / 1000, 2),
    }
    print(f"one process {alone_s:.1f} s (answering {result['one_process_answering_s']} s); "
          f"via the ask server {served_s:.1f} s "
          f"(answering {result['via_ask_server_answering_s']} s)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
