"""`tutorbot admin`: the console's accounts, from the command line."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tutor.console.accounts import (
    add_account,
    list_accounts,
    make_sign_in_link,
    remove_account,
    reset_password,
)
from tutor.database import create_db_and_tables, make_engine
from tutor.errors import TutorError
from tutor.settings import Settings

admin_app = typer.Typer(help="Accounts of the trainers' web console: add, list, remove, "
                        "reset, link.", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)

EmailArgument = Annotated[str, typer.Argument(help="The account's email address.")]


def _engine():  # the database alone: these commands load no model
    engine = make_engine(Settings().db_url)
    create_db_and_tables(engine)
    return engine


def _fail(error: TutorError) -> typer.Exit:
    errors.print(f"[red]Error:[/red] {error}", highlight=False)
    return typer.Exit(1)


def _new_password(ask: bool) -> str | None:
    if not ask:
        return None
    first = getpass.getpass("Password (10 characters or more): ")
    if first != getpass.getpass("Again: "):
        raise TutorError("The two passwords differ.")
    return first


@admin_app.command("add")
def admin_add(
    email: EmailArgument,
    role: Annotated[str, typer.Option(help="admin: everything; trainer: their courses.")],
    course: Annotated[list[str] | None, typer.Option(
        "--course", help="A course the trainer runs (repeat for several).")] = None,
    name: Annotated[str, typer.Option(help="Shown to learners on trainer answers.")] = "",
    password: Annotated[bool, typer.Option(
        "--password/--link-only", help="Ask for a password now, or sign in by links only.")
    ] = True,
) -> None:
    """Add an account, then print a one-time sign-in link for it."""
    from bot.web.server import sign_in_url

    engine = _engine()
    try:
        account = add_account(engine, email, role, course or [], _new_password(password),
                              name)
    except TutorError as error:
        raise _fail(error) from None
    link = sign_in_url(Settings(), make_sign_in_link(engine, account.id))
    console.print(f"Added {account.email} ({account.role}"
                  + (f" of {', '.join(account.courses)}" if account.courses else "") + ").\n"
                  f"Sign-in link (once, 15 minutes): {link}", highlight=False, soft_wrap=True)


@admin_app.command("list")
def admin_list() -> None:
    """List the accounts."""
    accounts = list_accounts(_engine())
    if not accounts:
        console.print("No accounts yet: `tutorbot admin add EMAIL --role admin`, or "
                      "`tutorbot run` makes one and prints its sign-in link.")
        return
    table = Table("email", "name", "role", "courses", "password")
    for account in accounts:
        table.add_row(account.email, account.name, account.role,
                      ", ".join(account.courses) or ("all" if account.is_admin else ""),
                      "set" if account.has_password else "links only")
    console.print(table)


@admin_app.command("remove")
def admin_remove(email: EmailArgument,
                 yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False
                 ) -> None:
    """Remove an account; its sessions end at once."""
    if not yes:
        typer.confirm(f"Remove the account {email}?", abort=True)
    try:
        remove_account(_engine(), email)
    except TutorError as error:
        raise _fail(error) from None
    console.print(f"Removed {email}.")


@admin_app.command("reset")
def admin_reset(
    email: EmailArgument,
    password: Annotated[bool, typer.Option(
        "--password/--link-only", help="Set a new password, or remove it (links only).")
    ] = True,
) -> None:
    """Set a new password; every session of the account ends."""
    try:
        reset_password(_engine(), email, _new_password(password))
    except TutorError as error:
        raise _fail(error) from None
    console.print(f"Reset {email}: its sessions have ended.")


@admin_app.command("link")
def admin_link(email: EmailArgument) -> None:
    """Print a one-time sign-in link for an account (15 minutes)."""
    from bot.web.server import sign_in_url

    engine = _engine()
    account = next((a for a in list_accounts(engine) if a.email == email.strip().lower()),
                   None)
    if account is None:
        raise _fail(TutorError(f"There is no account for {email}."))
    console.print(sign_in_url(Settings(), make_sign_in_link(engine, account.id)),
                  highlight=False, soft_wrap=True)
