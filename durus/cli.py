"""Command-line tasks: `flask seed demo`, `flask seed synthetic`, `flask create-admin EMAIL`."""

from __future__ import annotations

import tomllib
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import click
import psycopg
from flask import Flask, current_app
from sqlalchemy import func, select

from .analytics import listener_key_for_user
from .analytics.demo import DemoLecture, write_demo_month
from .auth.passwords import hash_password
from .backup import backup_command, restore_command
from .config import PROJECT_ROOT
from .extensions import db
from .media.store import LocalMediaStore
from .models import AuditEntry, Lecture, MediaAsset, Role, User, UserCredential
from .models.visibility import visible_lectures
from .seeding import demo_accounts, load_demo
from .synthetic import DEFAULT_SEED, SYNTHETIC_PASSWORD, SizeError, Sizes, Synthetic, check
from .synthetic.plan import MAX_SEED

SEED_DIR = PROJECT_ROOT / "seeds"
MIN_PASSWORD_LENGTH = 10

seed = click.Group("seed", help="Load data into the database.")


@seed.command("demo")
def seed_demo() -> None:
    """Load the demo scholars, series, lectures, audio and accounts, and a month of listening
    in the analytics log (safe to run again)."""
    store = LocalMediaStore(current_app.config["MEDIA_ROOT"])
    created = load_demo(db.session, store, SEED_DIR)
    db.session.commit()
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(created.items()))
    click.echo(f"Demo data loaded ({summary or 'nothing new: already loaded'}).")
    click.echo("Demo accounts:")
    for account in demo_accounts(SEED_DIR):
        click.echo(f"  {account['role']:<9} {account['email']:<26} {account['password']}")
    _seed_demo_listening(Path(current_app.config["ANALYTICS_DIR"]))


def _seed_demo_listening(directory: Path) -> None:
    """A month of demo listening in the analytics log; days that have events are left alone."""
    try:
        written = write_demo_month(directory, _demo_lectures())
    except OSError as error:  # the site works without its log; so does the demo
        click.echo(f"Demo listening not written to {directory}: {error}", err=True)
        return
    if not written.days:
        click.echo(f"Demo listening: nothing new (those days already have events in {directory}).")
        return
    kept = (
        f"; {written.kept_days} days that had events were left alone" if written.kept_days else ""
    )
    click.echo(
        f"Demo listening: {written.events} events over {written.days} days in {directory}{kept}."
    )


def _demo_lectures() -> list[DemoLecture]:
    """The demo's lectures a listener can play, in the seed file's order."""
    slugs = [
        item["slug"]
        for item in tomllib.loads((SEED_DIR / "demo.toml").read_text(encoding="utf-8"))["lectures"]
    ]
    rows = db.session.execute(
        visible_lectures(
            Lecture.slug,
            Lecture.id,
            Lecture.scholar_id,
            Lecture.series_id,
            MediaAsset.duration_seconds,
        )
        .join(MediaAsset, MediaAsset.id == Lecture.audio_asset_id)
        .where(Lecture.slug.in_(slugs))
    ).all()
    found = {row.slug: row for row in rows}
    return [
        DemoLecture(row.id, row.scholar_id, row.series_id, float(row.duration_seconds))
        for row in (found[slug] for slug in slugs if slug in found)
    ]


@click.command("create-admin")
@click.argument("email")
@click.option("--display-name", help="Name shown for a new account (default: the email's name).")
@click.option("--password", help="Password for a new account (asked for when not given).")
def create_admin(email: str, display_name: str | None, password: str | None) -> None:
    """Create an administrator account, or promote the existing account with EMAIL."""
    email = email.strip()
    if "@" not in email[1:]:
        raise click.BadParameter("this is not an email address", param_hint="EMAIL")
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))
    if user is not None:
        before = user.role.value
        user.role = Role.ADMIN
        _audit_role(user, before)
        db.session.commit()
        click.echo(f"{user.email} is now an administrator (was {before}).")
        return
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(
            f"must be at least {MIN_PASSWORD_LENGTH} characters", param_hint="--password"
        )
    user = User(email=email, display_name=display_name or email.split("@")[0], role=Role.ADMIN)
    db.session.add(user)
    db.session.flush()
    db.session.add(UserCredential(user_id=user.id, password_hash=hash_password(password)))
    _audit_role(user, None)
    db.session.commit()
    click.echo(f"Administrator {user.email} created.")


def _audit_role(user: User, before: str | None) -> None:
    db.session.add(
        AuditEntry(
            actor_id=None,
            action="user.created" if before is None else "user.role_changed",
            entity_type="user",
            entity_id=user.id,
            before=None if before is None else {"role": before},
            after={"role": Role.ADMIN.value},
        )
    )


@seed.command("synthetic")
@click.option(
    "--scale",
    type=click.FloatRange(min=0, min_open=True),
    default=1.0,
    help="Multiply every default size (0.01 for a quick run).",
)
@click.option("--scholars", type=click.IntRange(min=1))
@click.option("--series", type=click.IntRange(min=1))
@click.option("--lectures", type=click.IntRange(min=1))
@click.option("--users", type=click.IntRange(min=1))
@click.option("--progress", type=click.IntRange(min=0), help="Progress rows.")
@click.option("--favourites", type=click.IntRange(min=0))
@click.option("--analytics-days", type=click.IntRange(min=0))
@click.option("--seed", "seed_", type=click.IntRange(0, MAX_SEED), default=DEFAULT_SEED)
def seed_synthetic(scale: float, seed_: int, **given: int | None) -> None:
    """Fill the database with a large synthetic site through COPY (300 scholars, 10,000 series,
    300,000 lectures, 200,000 users, 10 million progress rows, 2 million favourites, 90 days of
    listening). Reproducible for a seed; stopped, it carries on where it was. For benchmark
    databases only: every synthetic account has the password "synthetic listener"."""
    sizes = Sizes().scaled(scale)
    sizes = replace(sizes, **{name: value for name, value in given.items() if value is not None})
    try:
        check(sizes)
        Synthetic(
            db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False),
            sizes,
            seed=seed_,
            today=datetime.now(UTC).date(),
            media_root=Path(current_app.config["MEDIA_ROOT"]),
            audio_dir=SEED_DIR / "audio",
            analytics_dir=Path(current_app.config["ANALYTICS_DIR"]),
            listener_key=lambda user_id: listener_key_for_user(uuid.UUID(user_id)),
            password_hash=lambda: hash_password(SYNTHETIC_PASSWORD),
            progress=lambda label, length: click.progressbar(
                length=length,
                label=f"{label:<11}",
                show_pos=True,
                width=30,
                item_show_func=lambda rate: rate,  # rows/s, from the stage
            ),
            report=click.echo,
        ).run()
    except SizeError as error:
        raise click.UsageError(str(error)) from None
    except psycopg.errors.UndefinedTable:
        raise click.ClickException(
            "the database has no schema yet: run `flask db upgrade`"
        ) from None
    except OSError as error:
        raise click.ClickException(
            f"cannot write the media or the analytics log: {error}"
        ) from None


def register_commands(app: Flask) -> None:
    app.cli.add_command(seed)
    app.cli.add_command(create_admin)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
