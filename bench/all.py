"""Run every benchmark in turn: python -m bench.all"""

from __future__ import annotations

import subprocess
import sys

for name in ("ingest", "retrieval", "generation", "cold_ask", "telegram_load"):
    print(f"== bench.{name}", flush=True)
    subprocess.run([sys.executable, "-m", f"bench.{name}"], check=True)
