"""`flask analytics prune --older-than 90d`: delete old day segments of the log."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click
from flask import current_app

from .log import segment_day

AGE = re.compile(r"^(\d{1,5})d$")

analytics = click.Group("analytics", help="Maintain the analytics event log.")


def parse_age(_ctx: click.Context, _param: click.Parameter, value: str) -> int:
    """'90d' → 90; anything else (or 0 days) is refused."""
    match = AGE.match(value.strip().lower())
    if match is None or int(match.group(1)) < 1:
        raise click.BadParameter(f"{value!r} is not a number of days such as 90d")
    return int(match.group(1))


def old_segments(directory: Path, days: int, today: date) -> list[Path]:
    """Segments whose day is more than `days` days before `today`, oldest first."""
    cutoff = today - timedelta(days=days)
    old = []
    for path in directory.iterdir():
        day = segment_day(path.name)
        if day is not None and day < cutoff and path.is_file():
            old.append((day, path))
    return [path for _day, path in sorted(old)]


@analytics.command("prune")
@click.option(
    "--older-than", "days", required=True, callback=parse_age, help="An age in days: 90d."
)
def prune(days: int) -> None:
    """Delete the day segments older than the given age."""
    directory = Path(current_app.config["ANALYTICS_DIR"])
    if not directory.is_dir():
        click.echo(f"No analytics log at {directory}: nothing to remove.")
        return
    removed = 0
    for path in old_segments(directory, days, datetime.now(UTC).date()):
        try:
            path.unlink()
        except OSError as error:
            raise click.ClickException(f"could not remove {path}: {error}") from error
        click.echo(f"removed {path.name}")
        removed += 1
    click.echo(f"{removed} segment(s) older than {days} days removed from {directory}.")
