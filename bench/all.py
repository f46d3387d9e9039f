"""Run every benchmark in turn: python -m bench.all (speed first, then answer
quality on the public sets committed in bench/data, then reliability: crashes,
the soak, fuzzing and prompt injection)."""

from __future__ import annotations

import subprocess
import sys

SPEED = ("ingest", "retrieval", "decoding", "cold_ask", "telegram_load", "workers",
         "quiz_latency", "learner_scale")
QUALITY = ("search_quality", "check_quality", "answer_quality", "answer_length",
           "question_quality", "grading_quality", "coaching_quality", "learner_model",
           "cold_start", "next_policy")
RELIABILITY = ("crash_ingest", "crash_serve", "soak", "db_stall", "fuzz_uploads",
               "prompt_injection")

for name in SPEED + QUALITY + RELIABILITY:
    print(f"== bench.{name}", flush=True)
    subprocess.run([sys.executable, "-m", f"bench.{name}"], check=True)
