"""Flask commands: ``flask users create``, ``flask demo load``,
``flask audit verify``, ``flask sessions prune``, ``flask search rebuild``,
``flask cases recount``, ``flask outbox send``/``worker``,
``flask reminders run``."""

from __future__ import annotations

import signal
import threading

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from tumorboard import demo
from tumorboard.audit import verify as audit_verify
from tumorboard.auth import services as auth_services
from tumorboard.auth import sessions as auth_sessions
from tumorboard.auth.models import User
from tumorboard.auth.permissions import Role
from tumorboard.cases import search, status_counts
from tumorboard.errors import ServiceError
from tumorboard.extensions import db
from tumorboard.notifications import outbox
from tumorboard.notifications.reminders import run_reminders

users_cli = AppGroup("users", help="Manage accounts.")
demo_cli = AppGroup("demo", help="Synthetic demonstration data.")
audit_cli = AppGroup("audit", help="The audit log.")
sessions_cli = AppGroup("sessions", help="Signed-in sessions.")
search_cli = AppGroup("search", help="The case search index.")
cases_cli = AppGroup("cases", help="Cases.")
outbox_cli = AppGroup("outbox", help="The e-mail outbox.")
reminders_cli = AppGroup("reminders", help="Reminders and the daily digest.")


@users_cli.command("create")
@click.option("--email", required=True, help="Sign-in email address.")
@click.option("--name", required=True, help="Full name.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.ADMIN.value,
    show_default=True,
)
@click.password_option(help="At least 12 characters (prompted if omitted).")
def create_user_command(email: str, name: str, role: str, password: str) -> None:
    """Create an account, typically the first administrator."""
    try:
        user = auth_services.create_user(
            None, email=email, name=name, role=role, password=password
        )
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Created {user.role_label.lower()} account {user.email}.")


@demo_cli.command("load")
@click.option(
    "--first-start",
    is_flag=True,
    help="Load only if the database has no account yet (used by `make run`).",
)
def demo_load_command(first_start: bool) -> None:
    """Load demo accounts and synthetic cases; safe to run twice."""

    if not current_app.config.get("ALLOW_DEMO_DATA"):
        raise click.ClickException(
            "Demo data is refused with production settings (TUMORBOARD_ENV=production)."
        )
    if first_start and db.session.scalar(sa.select(sa.func.count(User.id))):
        click.echo("Database already has accounts; demo data not loaded.")
        return
    created = demo.load()
    db.session.commit()
    click.echo(
        f"Demo data: {created['users']} accounts and {created['cases']} cases created"
        f" ({created['reviews']} reviews, {created['meetings']} meetings,"
        f" {created['recommendations']} recommendations)."
    )
    click.echo(f"Demo accounts use the password '{demo.DEMO_PASSWORD}'.")


@audit_cli.command("verify")
@click.option(
    "--copy",
    "copy_file",
    type=click.File(encoding="utf-8"),
    help="Also compare with a JSON-lines copy (AUDIT_LOG_PATH or a syslog file).",
)
def audit_verify_command(copy_file) -> None:
    """Check the audit log's HMAC chain; exit 1 naming the first bad entry."""
    result = audit_verify.verify()
    click.echo(result.summary(), err=not result.ok)
    failed = not result.ok
    if copy_file is not None:
        comparison = audit_verify.compare_with_copy(copy_file)
        click.echo(comparison.summary(), err=not comparison.ok)
        failed = failed or not comparison.ok
    db.session.rollback()
    if failed:
        raise SystemExit(1)


@sessions_cli.command("prune")
def sessions_prune_command() -> None:
    """Delete expired sessions (idle or past their age limit); safe to run often."""
    deleted = auth_sessions.prune()
    db.session.commit()
    click.echo(f"Deleted {deleted} expired session{'' if deleted == 1 else 's'}.")


@search_cli.command("rebuild")
def search_rebuild_command() -> None:
    """Rebuild the case search index from every case (after an upgrade, or when
    the searched words change)."""
    count = search.rebuild(db.session)
    db.session.commit()
    click.echo(f"Search index rebuilt for {count} cases.")


@cases_cli.command("recount")
def cases_recount_command() -> None:
    """Count the cases of each status again (after cases were loaded or
    changed outside the application)."""
    counted = status_counts.recount(db.session)
    db.session.commit()
    click.echo(
        "Cases by status: "
        + (", ".join(f"{s.label.lower()} {n}" for s, n in counted.items()) or "none")
        + "."
    )


def _links():
    """A request context whose links start with ``PUBLIC_URL`` (commands have
    no request of their own)."""
    return current_app.test_request_context(
        "/", base_url=current_app.config["PUBLIC_URL"]
    )


def _send_once(stopping=None) -> outbox.SendResult:
    result = outbox.send_pending(stopping=stopping)
    for error in result.errors:
        click.echo(error, err=True)
    return result


@outbox_cli.command("send")
def outbox_send_command() -> None:
    """Deliver the queued e-mails that are due (one pass)."""
    if not outbox.smtp_configured():
        waiting = outbox.counts()[outbox.OutboxStatus.QUEUED]
        click.echo(
            f"No mail server configured (TUMORBOARD_MAIL_SMTP_HOST): {waiting} "
            "queued e-mail(s) stay in the outbox."
        )
        return
    click.echo(_send_once().summary)


@outbox_cli.command("worker")
@click.option(
    "--interval",
    type=float,
    default=None,
    help="Seconds between passes (OUTBOX_WORKER_INTERVAL by default).",
)
def outbox_worker_command(interval: float | None) -> None:
    """Deliver e-mails until stopped (Ctrl-C); safe beside other senders."""
    if not outbox.smtp_configured():
        raise click.ClickException(
            "No mail server configured: set TUMORBOARD_MAIL_SMTP_HOST."
        )
    pause = interval or float(current_app.config["OUTBOX_WORKER_INTERVAL"])
    stop = threading.Event()
    # SIGTERM (systemd, containers) ends the worker after the message in hand;
    # the rest of its claim goes back to the queue for the next sender.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    click.echo(f"Delivering the outbox every {pause:g} s; Ctrl-C stops.")
    try:
        while not stop.is_set():
            result = _send_once(stop.is_set)
            if result.sent or result.retried or result.dead or result.withheld:
                click.echo(result.summary)
            db.session.remove()
            stop.wait(pause)
    except KeyboardInterrupt:
        pass
    click.echo("Stopped.")


@reminders_cli.command("run")
def reminders_run_command() -> None:
    """Give the reminders that are due and the daily digests; each at most
    once a day, so it is safe to run every 15 minutes."""
    with _links():
        given = run_reminders()
        db.session.commit()
    if not given:
        click.echo("No reminder due.")
        return
    click.echo(
        "Reminders given: "
        + ", ".join(
            f"{name.replace('_', ' ')} {n}" for name, n in sorted(given.items())
        )
        + "."
    )


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(sessions_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(cases_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(reminders_cli)
