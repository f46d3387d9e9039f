"""`tutorbot`: ingest material, ask, evaluate, chat. Scripts read `--json` output."""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from collections.abc import AsyncIterable, Coroutine, Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bot.cli_admin import admin_app
from knowledge.ingest import IngestReport, ProgressReporter, refresh_stale
from knowledge.library import (
    UnknownCourse,
    course_names,
    course_summaries,
    find_course,
    refresh_course_skills,
    remove_course,
    remove_document,
    skill_summaries,
)
from tutor.errors import PlatformRefused, TutorError
from tutor.ingest_lines import report_lines
from tutor.logs import configure_logging, masked
from tutor.settings import Settings

if TYPE_CHECKING:
    from tutor.runtime import Runtime

app = typer.Typer(help="tutorbot: a tutor that answers from your course material.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
courses_app = typer.Typer(help="List or remove courses.", invoke_without_command=True)
eval_app = typer.Typer(help="Measure quality on a question set.", no_args_is_help=True)
app.add_typer(courses_app, name="courses")
app.add_typer(eval_app, name="eval")
quiz_app = typer.Typer(help="The question bank: generate, list, retire, edit.",
                       no_args_is_help=True)
app.add_typer(quiz_app, name="quiz")
learner_app = typer.Typer(help="The learner model: train it on the quiz answers, evaluate "
                          "it on a file, simulate learners.",
                          no_args_is_help=True)
app.add_typer(learner_app, name="learner")
app.add_typer(admin_app, name="admin")

console = Console()
errors = Console(stderr=True)
SAMPLE_COURSE = Path(__file__).resolve().parent.parent / "knowledge" / "sample_course"

CourseOption = Annotated[str | None, typer.Option("--course", "-c", help="Course name.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@contextmanager
def runtime_for(settings: Settings | None = None) -> Iterator:
    """A Runtime whose user-facing errors end the command with one clear line."""
    from tutor.runtime import Runtime  # imports torch: only for commands that need models

    with clear_errors():
        runtime = Runtime(settings or Settings())
        try:
            yield runtime
        finally:
            runtime.close()


@contextmanager
def clear_errors() -> Iterator[None]:
    """A user-facing error ends the command with one clear line and exit status 1."""
    try:
        yield
    except (TutorError, UnknownCourse) as error:
        errors.print(f"[red]Error:[/red] {error}", highlight=False)
        raise typer.Exit(1) from None


@contextmanager
def progress_bars(enabled: bool) -> Iterator[ProgressReporter]:
    labels = {"read": "Reading files", "embed": "Embedding chunks",
              "sentences": "Embedding their sentences", "questions": "Model writing questions"}
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=errors, disable=not enabled,
    ) as progress:
        tasks: dict[str, int] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(labels.get(stage, stage), total=total)
            progress.update(tasks[stage], completed=done, total=total)

        yield report


def print_report(report: IngestReport) -> None:
    """tutor.ingest_lines' lines: what went in on stdout, what did not on stderr."""
    colours = {"in": "green", "unchanged": "dim", "refused": "red", "problem": "yellow"}
    for line in report_lines(report):
        if line.kind == "summary":
            console.print(escape(line.text), highlight=False)
            continue
        marked = f"[{colours[line.kind]}]{line.mark}[/{colours[line.kind]}]" + escape(
            line.text[len(line.mark):])
        (errors if line.kind in ("refused", "problem") else console).print(
            marked, highlight=False)


@app.command("ingest")
def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (searched recursively).")],
    course: Annotated[str, typer.Option("--course", "-c", help="Course to add them to.")],
    as_json: JsonOption = False,
) -> None:
    """Add course material: PDF, Word, PowerPoint, HTML, Markdown or text."""
    with runtime_for() as runtime, progress_bars(not as_json) as progress:
        report = runtime.add_material(paths, course, progress)
    if as_json:
        console.print_json(data=report.as_dict())
    else:
        print_report(report)
    if report.failed and not (report.added or report.updated or report.unchanged):
        raise typer.Exit(1)


@app.command("ask")
def ask_command(
    question: Annotated[str, typer.Argument(help="The question.")],
    course: CourseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Answer one question from the course material, with sources."""
    if not question.strip():
        errors.print("[red]Error:[/red] the question is empty.")
        raise typer.Exit(2)
    from bot import ask_server

    settings = Settings()
    printer = DraftPrinter(stream=not as_json)
    events = ask_server.ask(settings, question, course)
    if events is not None:
        final = printer.show(events)
    else:
        with runtime_for(settings) as runtime:
            course = ask_server.resolve_course(runtime, course)
            runtime.check_embedding_model()
            runtime.load_models()  # now: the timings measure the answer
            final = asyncio.run(printer.show_async(
                ask_server.answer_events(runtime, question, course)))
        ask_server.start_in_background(settings)
    if "error" in final:
        errors.print(f"[red]Error:[/red] {final['error']}", highlight=False)
        raise typer.Exit(1)
    answer = final["answer"]
    answer.setdefault("answered_by", "this process")
    if as_json:
        console.print_json(data=answer)
        return
    from bot.console import render_final
    from tutor.messages import Reply, Source

    sources = tuple(Source(s["number"], s["document"], s["section"], s["text"], s["score"],
                           s["page"]) for s in answer["sources"])
    console.print(render_final(Reply(answer["answer"], sources, notice=final["notice"])))


class DraftPrinter:
    """Shows an answer's drafts dimmed on stderr as they grow; returns the final event."""

    def __init__(self, *, stream: bool) -> None:
        self.stream = stream
        self.shown = 0

    def show(self, events: Iterable[dict]) -> dict:
        for event in events:
            if final := self._feed(event):
                return final
        return {"error": "the answer server stopped mid-answer (its log: data/ask-server.log)"}

    async def show_async(self, events: AsyncIterable[dict]) -> dict:
        async for event in events:
            if final := self._feed(event):
                return final
        raise AssertionError("the answer stream ended without an answer")

    def _feed(self, event: dict) -> dict | None:
        if "draft" not in event:
            if self.stream and self.shown:
                errors.print()
            return event
        if self.stream:
            draft = str(event["draft"])
            errors.print(draft[self.shown:], end="", style="dim", highlight=False, markup=False)
            self.shown = len(draft)
        return None


@app.command("check")
def check_command(
    question: Annotated[str, typer.Argument(help="The question the text answers.")],
    answer: Annotated[str, typer.Option("--answer", "-a", help="The text to check.")],
    course: CourseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run the answer check on any text: for each sentence, kept or removed, why, and
    the passage sentence that supports or contradicts it."""
    if not question.strip() or not answer.strip():
        errors.print("[red]Error:[/red] give a question and, with --answer, the text to check.")
        raise typer.Exit(2)
    from bot import ask_server

    with runtime_for() as runtime:
        course = ask_server.resolve_course(runtime, course)
        report = asyncio.run(runtime.answers.check(course, question, answer))
    if as_json:
        console.print_json(data=report.as_dict())
        return
    if not report.sentences:
        console.print("No complete sentence to check (a sentence ends with . ! or ?).")
    for row in report.as_dict()["sentences"]:  # type: ignore[union-attr]
        mark = "[green]kept[/green]" if row["kept"] else "[red]removed[/red]"
        console.print(f"{mark}  {row['text']}", highlight=False)
        console.print(f"      {row['reason']}", style="dim", highlight=False)
        support = row["support"]
        if support["text"]:
            where = " — ".join(part for part in (support["document"], support["section"]) if part)
            console.print(f"      {where}: \"{support['text']}\"", style="dim", highlight=False)


@app.command("serve-ask")
def serve_ask_command(
    stop: Annotated[bool, typer.Option("--stop", help="Stop the running server.")] = False,
) -> None:
    """Keep the models loaded for later `ask` calls (`ask` starts this by itself)."""
    from bot import ask_server

    settings = Settings()
    if stop:
        console.print("Stopped." if ask_server.stop(settings) else "No server was running.")
        return
    with runtime_for(settings) as runtime:
        runtime.check_embedding_model()
        asyncio.run(ask_server.AskServer(runtime, settings).run())


@eval_app.command("retrieval")
def eval_retrieval(
    qa_file: Annotated[Path, typer.Argument(
        help="JSONL lines {question, source} and optionally answer (the gold answer text).")],
    course: Annotated[str, typer.Option("--course", "-c")],
    k: Annotated[int, typer.Option("--k", min=1)] = 5,
    as_json: JsonOption = False,
) -> None:
    """hit@1, hit@k and MRR of retrieval, by document, and by passage when the
    questions carry their answer text."""
    from tutor.evaluation import evaluate_retrieval, read_qa

    try:
        items = read_qa(qa_file)
    except (OSError, ValueError) as error:
        errors.print(f"[red]Error:[/red] {qa_file}: {error}", highlight=False)
        raise typer.Exit(1) from None
    with runtime_for() as runtime:
        course_id = find_course(runtime.engine, course).id
        result = evaluate_retrieval(runtime, course_id, items, k)
    if as_json:
        console.print_json(data=result.as_dict())
        return
    hits = "  ".join(f"hit@{cut}={share:.3f}" for cut, share in sorted(result.hits.items()))
    console.print(f"n={result.n}  by document: {hits}  MRR={result.mrr:.3f}")
    if result.passage_mrr is not None:
        hits = "  ".join(f"hit@{cut}={share:.3f}"
                         for cut, share in sorted(result.passage_hits.items()))
        console.print(f"       by passage:  {hits}  MRR={result.passage_mrr:.3f}")
    for miss in result.misses:
        console.print(f"  miss: {miss}", style="dim", highlight=False)


@app.command("chat")
def chat_command(course: CourseOption = None,
                 with_console: Annotated[bool, typer.Option(hidden=True)] = False) -> None:
    """Chat with the tutor in the terminal."""
    from bot.console import chat
    from tutor.dialogue import DialogueManager

    with runtime_for() as runtime:
        runtime.check_embedding_model()
        with console.status("Loading the models…"):
            runtime.load_models()  # before the first question, not during it
        manager = DialogueManager(runtime)
        if not with_console:
            asyncio.run(chat(manager, course, console=console))
            return
        print_console_link(runtime)
        asyncio.run(chat_beside_console(runtime, chat(manager, course, console=console)))


async def chat_beside_console(runtime: Runtime, chatting: Coroutine[Any, Any, None]) -> None:
    """The terminal chat, with the trainers' console served until it ends."""
    from bot.web.server import serve_web

    stop = asyncio.Event()
    web = asyncio.create_task(serve_web(runtime, stop))
    try:
        await chatting
    finally:
        stop.set()
        try:
            await web
        except OSError as error:  # the chat still ran: say why there was no console
            errors.print(f"[yellow]![/yellow] {error}", highlight=False)


class Platform(StrEnum):
    telegram = "telegram"
    slack = "slack"
    web = "web"
    all = "all"


@app.command("serve")
def serve_command(
    platform: Annotated[Platform, typer.Argument(help="Which chat platform(s) to serve.")],
) -> None:
    """Run the Telegram and/or Slack bot (tokens from TUTORBOT_* settings), or the
    trainers' web console (web); all: the three."""
    serve_platforms([p.value for p in Platform if p is not Platform.all]
                    if platform is Platform.all else [platform.value])


def serve_platforms(wanted: list[str]) -> None:
    from bot.serve import missing_settings, serve

    settings = Settings()
    for name in wanted:
        if name != "web" and (missing := missing_settings(settings, name)):
            errors.print(f"[red]Error:[/red] {name} needs {', '.join(missing)} "
                         "(see docs/chat-platforms.md).", highlight=False)
            raise typer.Exit(2)
    configure_logging(settings, default_level="INFO")
    with runtime_for(settings) as runtime:
        runtime.check_embedding_model()
        with console.status("Loading the models…"):
            runtime.load_models()  # before the first learner waits
        if "web" in wanted:
            print_console_link(runtime)
        console.print(f"Serving {' and '.join(wanted)}; Ctrl+C stops.")
        try:
            asyncio.run(serve(runtime, wanted))
        except (PlatformRefused, OSError) as error:
            errors.print(f"[red]Error:[/red] {error}", highlight=False)
            raise typer.Exit(1) from None


def print_console_link(runtime: Runtime) -> None:
    from bot.web.server import owner_link

    console.print(f"Trainers' console: {owner_link(runtime)}\n[dim](a one-time sign-in "
                  "link, good for 15 minutes; `tutorbot admin link EMAIL` makes another)"
                  "[/dim]", highlight=False, soft_wrap=True)


@app.command("settings")
def settings_command(as_json: JsonOption = False) -> None:
    """Print the settings in effect (TUTORBOT_* and .env), secrets masked."""
    shown = masked(Settings())
    if as_json:
        console.print_json(data=shown)
        return
    table = Table("setting", "value", box=None)
    for name, value in shown.items():
        table.add_row(f"TUTORBOT_{name.upper()}", "" if value is None else str(value))
    console.print(table)


@app.command("run")
def run_command() -> None:
    """Start the tutor: the sample course on first use, then the trainers' web console
    and the Slack/Telegram bots whose tokens are set, or the terminal chat when none
    are."""
    from bot.serve import configured_platforms, half_configured

    settings = Settings()
    with runtime_for(settings) as runtime:
        if settings.default_course not in course_names(runtime.engine):
            console.print(f"First start: adding the sample course '{settings.default_course}'.")
            with progress_bars(True) as progress:
                report = runtime.add_material([SAMPLE_COURSE], settings.default_course,
                                              progress)
            print_report(report)
    platforms = configured_platforms(settings)
    for name, missing in half_configured(settings).items():
        errors.print(f"[yellow]![/yellow] Not serving {name}: it also needs "
                     f"{', '.join(missing)} (see docs/chat-platforms.md).", highlight=False)
    if platforms:
        serve_platforms([*platforms, "web"])
    elif nobody_at_the_terminal():
        errors.print("[yellow]![/yellow] No chat platform is configured, and the terminal chat "
                     "needs a terminal (docker compose run -it tutorbot): serving the trainers' "
                     "console alone. Set the Telegram or Slack tokens: "
                     "docs/chat-platforms.md.", highlight=False)
        serve_platforms(["web"])
    else:
        chat_command(None, with_console=True)


def nobody_at_the_terminal() -> bool:
    """Standard input is closed or /dev/null (a container started without -it): a
    console chat would wait for no one. A pipe or a file still feeds one."""
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return True
    return stat.S_ISCHR(mode) and not sys.stdin.isatty()


@courses_app.callback()
def courses_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the courses with their document and chunk counts."""
    if ctx.invoked_subcommand:
        return
    with runtime_for() as runtime:
        summaries = course_summaries(runtime.engine)
    if as_json:
        console.print_json(data=summaries)
        return
    table = Table("course", "documents", "chunks")
    for row in summaries:
        table.add_row(str(row["course"]), str(row["documents"]), str(row["chunks"]))
    console.print(table if summaries else "No courses yet: add some with `tutorbot ingest`.")


@courses_app.command("remove")
def courses_remove(
    name: Annotated[str, typer.Argument(help="Course name.")],
    document: Annotated[str | None, typer.Option(help="Remove only this document.")] = None,
) -> None:
    """Remove a course, or one document of it, with its chunks; the questions on it are
    retired at once, and the trainer answers citing it wait for a trainer's review."""
    from tutor.withdrawn import material_removed

    with runtime_for() as runtime:
        if document:
            try:
                removed = remove_document(runtime.engine, runtime.index_store, name, document,
                                          on_removed=material_removed)
            except LookupError as error:
                errors.print(f"[red]Error:[/red] {error}", highlight=False)
                raise typer.Exit(1) from None
            console.print(f"Removed '{document}' ({removed} chunks) from '{name}'.")
        else:
            remove_course(runtime.engine, runtime.index_store, name,
                          on_removed=material_removed)
            console.print(f"Removed the course '{name}'.")


@app.command("skills")
def skills_command(course: CourseOption = None, as_json: JsonOption = False) -> None:
    """List a course's skills in the order the material teaches them: prerequisites
    and how many passages teach each. A skills.yaml ingested with the material
    renames, merges and chains them (see docs/skills.md)."""
    from tutor.quiz.bank import question_counts

    with database() as (engine, default):
        name = course or default
        skills = skill_summaries(engine, name)
        if not skills:  # a data dir made before skills existed: derive the map now
            refresh_course_skills(engine, find_course(engine, name).id or 0)
            skills = skill_summaries(engine, name)
        counts = question_counts(engine, name)
    skills = [{**row, "questions": counts.get(str(row["skill"]), 0)} for row in skills]
    if as_json:
        console.print_json(data=skills)
        return
    table = Table("#", "skill", "prerequisites", "passages", "questions")
    for number, row in enumerate(skills, 1):
        table.add_row(str(number), str(row["skill"]), ", ".join(row["prerequisites"]) or "—",
                      str(row["passages"]), str(row["questions"]))
    console.print(table if skills else "No skills yet: add material with `tutorbot ingest`.")


@quiz_app.command("generate")
def quiz_generate(
    course: CourseOption = None,
    skill: Annotated[str | None, typer.Option(help="Only this skill.")] = None,
    count: Annotated[int | None, typer.Option(min=1, help="At most this many new.")] = None,
    generator: Annotated[str | None, typer.Option(
        help="text, llm or both (default: TUTORBOT_QUIZ_GENERATOR; llm loads the model).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Generate questions from the material, validate them, and store those that pass
    (the bank is also built after every ingest)."""
    from tutor.quiz.bank import build_bank

    settings = Settings()
    if generator not in (None, "auto", "text", "llm", "both"):
        errors.print(f"[red]Error:[/red] --generator is text, llm or both, not '{generator}'.")
        raise typer.Exit(2)
    chosen = settings.question_writers(generator)
    if chosen == "text":
        with database() as (engine, name):
            report = build_bank(engine, course or name, skill=skill, count=count)
    else:
        with runtime_for(settings) as runtime, progress_bars(not as_json) as report_progress:
            generators = runtime.question_generators(
                chosen, lambda done, total: report_progress("questions", done, total))
            report = build_bank(runtime.engine, course or settings.default_course, skill=skill,
                                count=count, generators=generators)
    rows = report.stored
    if as_json:
        console.print_json(data=rows)
        return
    for row in rows:
        _print_question(row)
    failed = ", ".join(f"{why} {n}" for why, n in report.failed.most_common()) or "none"
    console.print(f"{report.generated} generated, {len(rows)} stored; discarded: {failed}; "
                  f"retired (passage changed or gone): {report.retired}.")


@quiz_app.command("list")
def quiz_list(
    course: CourseOption = None,
    skill: Annotated[str | None, typer.Option(help="Only this skill.")] = None,
    retired: Annotated[bool, typer.Option(help="Include retired questions.")] = False,
    as_json: JsonOption = False,
) -> None:
    """List the questions in the bank."""
    from tutor.quiz.bank import list_questions

    with database() as (engine, name):
        rows = list_questions(engine, course or name, skill=skill, retired=retired)
    if as_json:
        console.print_json(data=rows)
        return
    for row in rows:
        _print_question(row)
    console.print(f"{len(rows)} questions." if rows else "No questions yet: add material "
                  "with `tutorbot ingest` or run `tutorbot quiz generate`.")


@quiz_app.command("retire")
def quiz_retire(question_id: Annotated[int, typer.Argument(help="Question id.")],
                course: CourseOption = None) -> None:
    """Retire a question: no learner sees it again."""
    from tutor.quiz.bank import retire

    with database() as (engine, name):
        retire(engine, course or name, question_id)
    console.print(f"Retired question {question_id}.")


@quiz_app.command("edit")
def quiz_edit(
    question_id: Annotated[int, typer.Argument(help="Question id.")],
    course: CourseOption = None,
    question: Annotated[str | None, typer.Option(help="New wording.")] = None,
    options: Annotated[str | None, typer.Option(help="New options, separated by '|'.")] = None,
    answer: Annotated[str | None, typer.Option(help="New answer.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Correct a question. It is checked like a generated one, and refused with the
    reason if it would not reach learners."""
    from tutor.quiz.bank import edit

    with database() as (engine, name):
        row = edit(engine, course or name, question_id, question=question, answer=answer,
                   options=[o.strip() for o in options.split("|")] if options else None)
    if as_json:
        console.print_json(data=row)
        return
    _print_question(row)


def _print_question(row: dict) -> None:
    options = "  ".join(f"{chr(65 + i)}) {o}" for i, o in enumerate(row["options"]))
    source = row["source"]
    console.print(f"[bold]#{row['id']}[/bold] [dim]{row['skill']} · {row['type']}[/dim]\n"
                  f"  {row['question']}" + (f"\n  {options}" if options else "") +
                  f"\n  answer: [green]{row['answer']}[/green]  "
                  f"[dim]({source['document']} — {source['section']})[/dim]", highlight=False)


@contextmanager
def database() -> Iterator[tuple]:
    """The database alone (no models: quick), and the default course; user-facing
    errors end the command with one clear line."""
    from tutor.database import create_db_and_tables, make_engine

    settings = Settings()
    engine = make_engine(settings.db_url)
    create_db_and_tables(engine)
    try:
        with clear_errors():
            yield engine, settings.default_course
    finally:
        engine.dispose()


@learner_app.command("train")
def learner_train(as_json: JsonOption = False) -> None:
    """Train the learner model on every quiz answer in the database and save it in the
    data dir; a running tutor picks it up at its next estimate. Courses with fewer
    answers than TUTORBOT_LEARNER_MIN_ATTEMPTS keep the transparent mastery estimate."""
    from tutor.learner.knowledge import Knowledge

    settings = Settings()
    with database() as (engine, _):
        knowledge = Knowledge(engine, settings.data_dir, settings.learner_min_attempts)
        with errors.status("Training the learner model…") as status:
            report = knowledge.train(on_progress=lambda stage: status.update(
                f"Training the learner model: {stage}…"))
    if as_json:
        console.print_json(data=report.as_dict())
        return
    console.print(f"Trained on {report.attempts} answers of {report.learners} learners in "
                  f"{report.seconds:.1f} s; saved to {knowledge.path}.")
    if report.in_use:
        console.print("The model now estimates mastery in: " + ", ".join(report.in_use) + ".")
    for course, needed in report.waiting.items():
        console.print(f"'{course}' keeps the mastery estimate until it has {needed} more "
                      "answers.")


@learner_app.command("evaluate")
def learner_evaluate(
    file: Annotated[Path, typer.Argument(help="CSV (or .csv.gz) with columns "
                                          "learner_id,item_id,skill_id,correct,timestamp")],
    as_json: JsonOption = False,
) -> None:
    """The MLP against the baselines (item success rate, logistic regression on the same
    features, BKT): learners split 80/20 with a fixed seed, every attempt of a held-out
    learner predicted from their earlier attempts only."""
    from tutor.learner.evaluate import evaluate
    from tutor.learner.interactions import read_interactions

    with clear_errors():
        rows = read_interactions(file)
        if len({r.learner for r in rows}) < 5:
            raise TutorError("the file needs at least 5 learners to split 80/20.")
    result = evaluate(rows)
    if as_json:
        console.print_json(data=result)
        return
    table = Table("model", "AUC", "accuracy", "log loss")
    for name, figures in result["models"].items():  # type: ignore[union-attr]
        table.add_row(name, f"{figures['auc']:.4f}", f"{figures['accuracy']:.4f}",
                      f"{figures['log_loss']:.4f}")
    console.print(f"{result['n_train']} training and {result['n_test']} held-out attempts")
    console.print(table)


@learner_app.command("simulate")
def learner_simulate(
    learners: Annotated[int, typer.Option(min=5, help="How many learners.")] = 500,
    skills: Annotated[int, typer.Option(min=1, help="Skills, in a chain of prerequisites.")] = 6,
    out: Annotated[Path, typer.Option(help="The CSV (or .csv.gz) to write.")] = Path(
        "simulated.csv"),
    seed: Annotated[int, typer.Option(help="The same seed gives the same learners.")] = 0,
) -> None:
    """Write simulated learners' interactions: skills with prerequisites, learning,
    forgetting, slips and guesses (tutor/learner/simulate.py)."""
    from tutor.learner.interactions import write_interactions
    from tutor.learner.simulate import simulate

    rows = simulate(learners, skills, seed=seed)
    write_interactions(rows, out)
    console.print(f"{len(rows)} interactions of {learners} learners on {skills} skills "
                  f"written to {out}.")


@app.command("reindex")
def reindex_command(course: CourseOption = None) -> None:
    """Rebuild the search index from the database: documents chunked by an older
    version are normalised and chunked again, chunks of another embedding model
    embedded again."""
    from tutor.answers.trainer import review_course

    with runtime_for() as runtime:
        names = [course] if course else course_names(runtime.engine)
        course_ids = {name: find_course(runtime.engine, name).id for name in names}
        with progress_bars(True) as progress:
            refreshed = refresh_stale(runtime.engine, runtime.embedder,
                                      course_id=course_ids[course] if course else None,
                                      progress=progress)
        for name, course_id in course_ids.items():
            count = runtime.index_store.rebuild(course_id)
            for problem in refresh_course_skills(runtime.engine, course_id):
                errors.print(f"[yellow]![/yellow] {problem}", highlight=False)
            if flagged := review_course(runtime.engine, name):
                errors.print(f"[yellow]![/yellow] {flagged} trainer answers of '{name}' cite "
                             "passages that changed: they wait for a trainer's review.",
                             highlight=False)
            console.print(f"Rebuilt '{name}': {count} chunks")
        with progress_bars(True) as progress:
            for name in names:
                runtime.embed_passage_sentences(name, progress)
        if refreshed.reembedded:
            runtime.text_vectors.drop_other_models()
    if refreshed.rechunked:
        console.print(f"Normalised and chunked again: {len(refreshed.rechunked)} documents.")
    if refreshed.reembedded:
        console.print(f"Embedded again with the current model: {refreshed.reembedded} chunks.")
    for name, why in refreshed.skipped:
        errors.print(f"[yellow]![/yellow] {name}: {why}", highlight=False)


def main() -> None:
    try:
        settings = Settings()
    except ValidationError as error:
        errors.print(f"[red]Error:[/red] {error}", highlight=False)
        sys.exit(2)
    configure_logging(settings)
    app()


if __name__ == "__main__":
    sys.exit(main())
