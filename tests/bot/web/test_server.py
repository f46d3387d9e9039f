"""`tutorbot serve web` as a user starts it: a real process on a real port."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.web.server import serve_web
from tests.conftest import ROOT
from tests.postgres import free_port
from tutor.runtime import Runtime

LINK_PREFIX = "/sign-in/link?token="


def wait_for_health(url: str, process: subprocess.Popen, log: Path, timeout: float = 180
                    ) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(f"{url}/healthz", timeout=2).json() == {"status": "ok"}:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError(f"the console did not answer at {url}:\n{log.read_text()[-3000:]}")


@pytest.mark.e2e  # the process loads the packaged embedding model (10 to 25 s here)
def test_serve_web_answers_over_http_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTORBOT_")}
    env.update(TUTORBOT_DATA_DIR=str(tmp_path / "data"), TUTORBOT_WEB_PORT=str(port),
               HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT), COLUMNS="300")
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        process = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "web"],
                                   cwd=tmp_path, env=env, stdout=output,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url, process, log)
        # It printed the owner's one-time link, as `make run` shows it.
        printed = log.read_text()
        assert f"Trainers' console: {url}{LINK_PREFIX}" in printed, printed
        token = printed.split(LINK_PREFIX, 1)[1].split()[0]
        with httpx.Client(base_url=url) as browser:
            assert browser.get("/api/courses").status_code == 401
            first = browser.get(f"{LINK_PREFIX}{token}")
            assert first.status_code == 303 and first.headers["location"] == "/"
            assert browser.get("/api/courses").json() == []
            assert httpx.get(f"{url}{LINK_PREFIX}{token}").status_code == 401  # used
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(60)
    assert code == 0, log.read_text()[-3000:]


async def test_a_port_in_use_is_a_clear_error(console_runtime: Runtime) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        console_runtime.settings = console_runtime.settings.model_copy(
            update={"web_host": "127.0.0.1", "web_port": port})
        with pytest.raises(OSError, match=f"could not listen on 127.0.0.1:{port} "
                                          r"\(in use\?\). Set TUTORBOT_WEB_PORT"):
            await asyncio.wait_for(serve_web(console_runtime, asyncio.Event()), 30)
