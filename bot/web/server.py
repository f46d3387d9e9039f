"""Serving the console: uvicorn on the process's event loop, beside the chat bots."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import uvicorn

from bot.web.app import create_app
from tutor.console.accounts import make_sign_in_link, owner
from tutor.runtime import Runtime
from tutor.settings import Settings

log = logging.getLogger(__name__)


def address(settings: Settings) -> str:
    host = settings.web_host
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return f"http://{shown}:{settings.web_port}"


def owner_link(runtime: Runtime) -> str:
    """A one-time sign-in link for the first admin (made when there is none), as
    Jupyter prints its token: whoever runs the tutor is in with one click."""
    account = owner(runtime.engine)
    return sign_in_url(runtime.settings, make_sign_in_link(runtime.engine, account.id))


def sign_in_url(settings: Settings, token: str) -> str:
    return f"{address(settings)}/sign-in/link?token={token}"


async def serve_web(runtime: Runtime, stop: asyncio.Event) -> None:
    """Serve the console until `stop` is set. An address in use is an OSError that
    says so (uvicorn itself would exit the process)."""
    config = uvicorn.Config(create_app(runtime), host=runtime.settings.web_host,
                            port=runtime.settings.web_port, log_config=None,
                            access_log=False, lifespan="off", server_header=False)
    server = uvicorn.Server(config)
    # The process's SIGINT/SIGTERM set `stop` (bot/serve.py): uvicorn must not take them.
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]
    task = asyncio.create_task(_serve(server))
    waiting = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        server.should_exit = True
        waiting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    if not server.started and not stop.is_set():
        raise OSError(f"The console could not listen on {runtime.settings.web_host}:"
                      f"{runtime.settings.web_port} (in use?). Set TUTORBOT_WEB_PORT.")


async def _serve(server: uvicorn.Server) -> None:
    """uvicorn's serve, but returning where it would end the process: it calls
    sys.exit when it cannot bind, and a task that raises SystemExit takes the event
    loop (and the bots beside the console) down with it before anyone can catch it."""
    with contextlib.suppress(SystemExit):
        await server.serve()
