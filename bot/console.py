"""The console adapter: a chat in the terminal, answers streamed as they are written."""

from __future__ import annotations

import asyncio
import getpass
import re
from collections.abc import Callable

from rich.console import Console, Group
from rich.live import Live
from rich.markdown import Markdown
from rich.text import Text

from tutor.dialogue import DialogueManager
from tutor.messages import IncomingMessage, Reply

QUIT = {"/quit", "/exit", "quit", "exit"}


def console_learner() -> str:
    return f"console:{getpass.getuser()}"


def render_sources(reply: Reply) -> Text:
    text = Text()
    for source in reply.sources:
        text.append(f"[{source.number}] ", style="bold cyan")
        text.append(source.label)
        text.append(f"  (match {source.score:.2f})\n", style="dim")
    return text


def hard_breaks(text: str) -> str:
    r"""Markdown that keeps the tutor's line breaks (a quiz's options, progress bars),
    outside code blocks, where they are kept anyway.

    >>> hard_breaks("Question 1\n1. Yes\n\n```\na\nb\n```")
    'Question 1  \n1. Yes\n\n```\na\nb\n```'
    """
    parts = re.split(r"(```.*?```)", text, flags=re.S)
    return "".join(part if part.startswith("```") else re.sub(r"(?<=\S)\n(?!\n)", "  \n", part)
                   for part in parts)


def render_final(reply: Reply) -> Group:
    parts: list[Markdown | Text] = [Markdown(hard_breaks(reply.text))]
    if reply.notice:
        parts.append(Text(f"⚠ {reply.notice}", style="yellow"))
    if reply.sources:
        parts.append(Text("Sources", style="bold"))
        parts.append(render_sources(reply))
    if reply.file is not None:  # a terminal takes any length: the file's text, in place
        parts.append(Text(f"{reply.file.caption} ({reply.file.name}):", style="bold"))
        parts.append(Text(reply.file.data.decode("utf-8", errors="replace")))
    if typed := [button.command for button in reply.buttons if button.command]:
        parts.append(Text("Type " + " or ".join(typed), style="dim"))
    return Group(*parts)


async def show_replies(manager: DialogueManager, message: IncomingMessage,
                       console: Console) -> None:
    """Drafts are shown dimmed in place and cleared when the checked final answer is
    printed; every final reply stays (a quiz's feedback, then its next question)."""
    live: Live | None = None
    async for reply in manager.respond(message):
        if reply.draft:
            if live is None:
                live = Live(console=console, auto_refresh=False, transient=True)
                live.start()
            live.update(Text(reply.text, style="dim"), refresh=True)
            continue
        if live is not None:
            live.stop()
            live = None
        console.print(Text(reply.text, style="red") if reply.error else render_final(reply))
    if live is not None:
        live.stop()


async def chat(manager: DialogueManager, course: str | None, *, console: Console,
               read_line: Callable[[str], str] = input) -> None:
    learner = console_learner()
    current = manager.current_course(IncomingMessage(learner, "", course))
    console.print(f"[bold]tutorbot[/bold] — course [cyan]{current}[/cyan]. "
                  "Ask a question; /help for commands, /quit to leave.")
    while True:
        try:
            line = await asyncio.to_thread(read_line, "\nyou> ")
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        if line.strip().lower() in QUIT:
            return
        if line.strip():
            await show_replies(manager, IncomingMessage(learner, line, course), console)
