"""A background answer server that keeps the models loaded between `tutorbot ask` calls.

A fresh Python process spends about nine seconds importing PyTorch and
transformers before it can answer. So `tutorbot ask`, after answering, leaves a
server on a Unix socket in the data dir (only this user may connect), and the
next `ask` with the same settings and code hands its question over. The server
stops after `TUTORBOT_ASK_SERVER_IDLE_MINUTES` unused (0: never start one), when
its data dir is removed, or when the code or settings it was started with change.
Like dmypy or the Gradle daemon, it is an accelerator only: every answer can be
made without it.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from tutor.settings import Settings

if TYPE_CHECKING:
    from tutor.runtime import Runtime

PACKAGE_DIRS = [Path(__file__).resolve().parent.parent / name
                for name in ("bot", "tutor", "knowledge")]
IDLE_CHECK_S = 2.0
Event = dict[str, object]


def fingerprint(settings: Settings) -> str:
    """Settings plus the newest source file: a server running older code or other
    settings must not answer."""
    newest = max(entry.stat().st_mtime_ns for folder in PACKAGE_DIRS
                 for entry in os.scandir(folder) if entry.name.endswith(".py"))
    return hashlib.sha256(f"{settings.model_dump_json()}:{newest}".encode()).hexdigest()[:16]


def socket_path(settings: Settings) -> Path:
    path = settings.data_dir.resolve() / "ask.sock"
    if len(str(path)) < 100:  # the limit of a Unix socket address is 108 bytes
        return path
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:12]
    return Path("/tmp") / f"tutorbot-{os.getuid()}-{digest}.sock"


# ---- client side: no torch, no transformers --------------------------------------


def ask(settings: Settings, question: str, course: str | None) -> Iterator[Event] | None:
    """The server's events for this question ({"draft": text}…, then {"answer": …} or
    {"error": …}), or None when no fitting server is running."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(str(socket_path(settings)))
    except OSError:
        connection.close()
        return None
    stream = connection.makefile("rwb")
    request = {"fingerprint": fingerprint(settings), "question": question, "course": course}
    stream.write(json.dumps(request).encode() + b"\n")
    stream.flush()
    first = stream.readline()
    if not first or json.loads(first).get("stale"):
        connection.close()
        return None
    return _events(connection, stream, first)


def _events(connection: socket.socket, stream, first: bytes) -> Iterator[Event]:
    with connection, stream:
        line = first
        while line:
            yield json.loads(line)
            line = stream.readline()


def stop(settings: Settings) -> bool:
    """Ask a running server to exit; False if none was running."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        try:
            connection.connect(str(socket_path(settings)))
        except OSError:
            return False
        connection.sendall(b'{"stop": true}\n')
        connection.recv(64)
    return True


def start_in_background(settings: Settings) -> None:
    """Start `tutorbot serve-ask` detached, unless disabled or one is already up."""
    if settings.ask_server_idle_minutes <= 0 or socket_path(settings).exists():
        return
    log = (settings.data_dir / "ask-server.log").open("ab")
    subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve-ask"], stdin=subprocess.DEVNULL,
        stdout=log, stderr=log, start_new_session=True,
    )
    log.close()


# ---- server side ------------------------------------------------------------------


class AskServer:
    def __init__(self, runtime: Runtime, settings: Settings) -> None:
        self.runtime = runtime
        self.settings = settings
        self.fingerprint = fingerprint(settings)
        self.last_used = time.monotonic()
        self.busy = 0
        self.stopping = asyncio.Event()

    async def run(self) -> None:
        path = socket_path(self.settings)
        lock_file = (self.settings.data_dir / "ask-server.lock").open("w")
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another server won the race
            lock_file.close()
            return
        with lock_file:
            path.unlink(missing_ok=True)
            # Models load before the socket appears: the first client is not kept waiting.
            self.runtime.load_models()
            previous_umask = os.umask(0o177)  # the socket is readable by this user only
            try:
                server = await asyncio.start_unix_server(self._handle, path)
            finally:
                os.umask(previous_umask)
            try:
                await self._wait_until_idle()
            finally:
                server.close()
                path.unlink(missing_ok=True)

    async def _wait_until_idle(self) -> None:
        limit = self.settings.ask_server_idle_minutes * 60
        while not self.stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), IDLE_CHECK_S)
            idle = not self.busy and time.monotonic() - self.last_used > limit
            if idle or not self.settings.data_dir.exists():
                return

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.busy += 1
        try:
            request = json.loads(await reader.readline() or b"{}")
            if request.get("stop"):
                self.stopping.set()
            elif request.get("fingerprint") != self.fingerprint:
                await _send(writer, {"stale": True})
                self.stopping.set()  # the next `ask` starts a server with the new code
            else:
                await self._answer(writer, request["question"], request.get("course"))
        except (ConnectionError, json.JSONDecodeError, KeyError):
            pass
        finally:
            self.busy -= 1
            self.last_used = time.monotonic()
            writer.close()

    async def _answer(self, writer: asyncio.StreamWriter, question: str,
                      course: str | None) -> None:
        from knowledge.library import UnknownCourse
        from tutor.errors import TutorError

        try:
            course = resolve_course(self.runtime, course)
        except (TutorError, UnknownCourse) as error:
            await _send(writer, {"error": str(error)})
            return
        async for event in answer_events(self.runtime, question, course):
            if "answer" in event:
                event["answer"]["answered_by"] = "ask server"  # type: ignore[index]
            await _send(writer, event)


async def _send(writer: asyncio.StreamWriter, event: Event) -> None:
    writer.write(json.dumps(event).encode() + b"\n")
    await writer.drain()


def resolve_course(runtime: Runtime, course: str | None) -> str:
    """The named course, else the learner's or the default one (TutorError if none)."""
    from bot.console import console_learner
    from tutor.dialogue import DialogueManager
    from tutor.messages import IncomingMessage

    return DialogueManager(runtime).current_course(
        IncomingMessage(console_learner(), "", course))


async def answer_events(runtime: Runtime, question: str, course: str) -> AsyncIterator[Event]:
    """The events of one `ask`, the same in this process or in the server."""
    from tutor.answers.answering import Answer
    from tutor.dialogue import notice_for

    async for event in runtime.answers.answer(course, question):
        if isinstance(event, Answer):
            yield {"answer": event.as_dict(), "notice": notice_for(event)}
        else:
            yield {"draft": event}
