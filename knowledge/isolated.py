"""File conversion in a worker process, with a time limit and a memory ceiling.

PDF, Word, PowerPoint and HTML readers run in one long-lived child process (a fresh
interpreter, so it shares no threads or locks with the models). A 10,000-page PDF, a file that
unpacks to gigabytes or HTML nested too deep for the parser costs at most
`timeout_s` seconds and `memory_mb` of memory, ends in one clear ConversionError,
and never stalls or kills the process that serves learners; the next file gets a
fresh worker. The worker is started on the first conversion and reused after.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from knowledge.errors import ConversionError
from knowledge.translation import gettext as _


@dataclass(frozen=True)
class ConversionLimits:
    """What converting one file may cost (TUTORBOT_CONVERSION_TIMEOUT_S and
    TUTORBOT_CONVERSION_MEMORY_MB)."""

    timeout_s: float = 180.0
    memory_mb: int = 2048


class ConverterProcess:
    """One worker process; `convert` sends it a file and waits at most the limit. It is
    `python -m knowledge.isolated`, not a multiprocessing child: those import the
    parent's main module again, which a script without a main guard cannot survive."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # one file at a time: chat uploads and CLI threads
        self._process: subprocess.Popen[bytes] | None = None
        self._send: Connection | None = None
        self._receive: Connection | None = None
        self._memory_mb = 0

    def convert(self, kind: str, path: Path, limits: ConversionLimits) -> str:
        with self._lock:
            send, receive = self._worker(limits.memory_mb)
            try:
                send.send((kind, str(path)))
                finished = receive.poll(limits.timeout_s)
                status, value = receive.recv() if finished else ("", "")
            except (EOFError, OSError):
                self.stop()
                raise ConversionError(_(
                    "the %(kind)s reader crashed on it (it may need more than %(mb)d MB: "
                    "TUTORBOT_CONVERSION_MEMORY_MB)") % {"kind": _(kind),
                                                         "mb": limits.memory_mb}) from None
            except BaseException:  # interrupted: its answer must not go to the next file
                self.stop()
                raise
            if not finished:
                self.stop()
                raise ConversionError(_(
                    "converting it took over %(s).0f s, so it was stopped (split the file, "
                    "or raise TUTORBOT_CONVERSION_TIMEOUT_S)") % {"s": limits.timeout_s})
            if status == "memory":
                self.stop()  # a fresh worker: its peak memory would mislead the next file
        return _answer(kind, status, value, limits)

    def stop(self) -> None:
        for connection in (self._send, self._receive):
            if connection is not None:
                connection.close()
        if self._process is not None:
            self._process.kill()
            self._process.wait(5)
            for stream in (self._process.stdin, self._process.stdout):
                if stream is not None:
                    stream.close()
        self._process = self._send = self._receive = None

    def _worker(self, memory_mb: int) -> tuple[Connection, Connection]:
        if (self._process is not None and self._process.poll() is None
                and self._memory_mb == memory_mb):
            assert self._send is not None and self._receive is not None
            return self._send, self._receive
        self.stop()
        root = str(Path(__file__).resolve().parents[1])
        path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
        # Nothing of the settings: a converter never needs a token or a password.
        env = {k: v for k, v in os.environ.items() if not k.startswith("TUTORBOT_")}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "knowledge.isolated", str(memory_mb)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={**env, "PYTHONPATH": path})
        assert self._process.stdin is not None and self._process.stdout is not None
        self._send = Connection(os.dup(self._process.stdin.fileno()), readable=False)
        self._receive = Connection(os.dup(self._process.stdout.fileno()), writable=False)
        self._memory_mb = memory_mb
        return self._send, self._receive


def serve(receive: Connection, send: Connection, memory_mb: int) -> None:
    """The worker: the readers imported, then the memory ceiling set, then one file
    after another until the pipe closes."""
    import logging
    import resource

    from knowledge.convert import READERS, failure_detail, import_readers

    logging.basicConfig(level=logging.ERROR)  # a reader's warnings about a mangled file

    import_readers()
    ceiling = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    while True:
        try:
            kind, path = receive.recv()
        except (EOFError, OSError):
            return
        send.send(_read(READERS[kind], Path(path), memory_mb, failure_detail))


def _read(reader: Callable[[Path], str], path: Path, memory_mb: int,
          detail: Callable[[BaseException], str]) -> tuple[str, str]:
    """What became of the file: ("ok", its text), ("nested" or "memory", ""), or
    ("error", the reader's words). The parent words the refusal, in its language."""
    peak_before = _peak_mb()
    try:
        return "ok", reader(path)
    except RecursionError:
        return "nested", ""
    except Exception as error:  # each parser raises its own exception types
        # A C parser out of memory says so in its own words (lxml: "unknown error"):
        # the address space this file took to near the ceiling tells.
        peak = _peak_mb()
        if isinstance(error, MemoryError) or (peak > peak_before and peak >= 0.9 * memory_mb):
            return "memory", ""
        return "error", detail(error)


def _answer(kind: str, status: str, value: str, limits: ConversionLimits) -> str:
    """The worker's answer as the text read, or the ConversionError that says why not."""
    from knowledge.convert import unreadable

    if status == "nested":
        raise ConversionError(_("could not be read as %(kind)s (nested too deeply)") % {
            "kind": _(kind)})
    if status == "memory":
        raise ConversionError(_("converting it needed more than %(mb)d MB of memory, so it "
                                "was stopped (TUTORBOT_CONVERSION_MEMORY_MB)") % {
            "mb": limits.memory_mb})
    if status == "error":
        raise unreadable(kind, value)
    return value


def _peak_mb() -> float:
    """The most address space this process has held (what the ceiling limits), in MB;
    0 where /proc does not say."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0.0
    found = re.search(r"^VmPeak:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) / 1024 if found else 0.0


def _exit_with(parent: int) -> None:
    """End this worker as soon as its parent is gone (killed with -9, say), even in the
    middle of a file: nobody is waiting for that file any more."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


if __name__ == "__main__":
    threading.Thread(target=_exit_with, args=(os.getppid(),), daemon=True).start()
    requests = Connection(os.dup(0), writable=False)
    answers = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # what a library prints goes to stderr, not into the answers
    serve(requests, answers, int(sys.argv[1]))
