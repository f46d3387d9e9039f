"""Wall time of a whole `tutorbot ask` process once the model cache is warm: what a
script calling the CLI waits. The first run (which may convert the GGUF) is the reference.

    python -m bench.cold_ask  (needs the sample course ingested: `make run` once)
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

TUTORBOT = str(Path(sys.executable).with_name("tutorbot"))
QUESTION = "How long should a burn be cooled under running water?"


def ask() -> tuple[float, dict]:
    start = time.perf_counter()
    done = subprocess.run([TUTORBOT, "ask", QUESTION, "--json"], capture_output=True,
                          text=True, check=True)
    return time.perf_counter() - start, json.loads(done.stdout)


def main() -> None:
    first_s, _ = ask()
    second_s, answer = ask()
    result = {"first_process_s": round(first_s, 2), "second_process_s": round(second_s, 2),
              "answer_timings_ms": answer["timings"]}
    print(f"first process {first_s:.1f} s, second process {second_s:.1f} s "
          f"(of which answering {answer['timings']['total_ms'] / 1000:.1f} s)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
