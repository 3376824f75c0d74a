"""Listening insights: plays, listeners, completions and hours over a period, the most played
lectures, series and scholars, and where listeners stop in a lecture.

Every figure comes from the analytics log through `durus.analytics.reader` (one reading of the
period per page); the database only names and links what the log counts. A missing or damaged
log never fails the page: it says the store is unavailable, or that malformed lines were
skipped.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from flask import current_app, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..analytics import reader
from ..htmx import render
from ..i18n import lazy_gettext as _l
from ..i18n import number
from . import bp
from . import insights_queries as queries
from .charts import BarChart, bar_chart
from .insights_forms import Period, PeriodForm

TOP_LIMIT = 10
DROP_OFF_BUCKETS = 20
# kind → (table caption, column heading, the public page, what a row is once it has gone,
# what the table says when it is empty)
KINDS = {
    "lecture": (
        _l("Most played lectures"),
        _l("Lecture"),
        "catalogue.lecture_detail",
        _l("Removed lecture"),
        _l("No lecture was played in this period."),
    ),
    "series": (
        _l("Most played series"),
        _l("Series"),
        "catalogue.series_detail",
        _l("Removed series"),
        _l("No series was played in this period."),
    ),
    "scholar": (
        _l("Most played scholars"),
        _l("Scholar"),
        "catalogue.scholar_detail",
        _l("Removed scholar"),
        _l("No scholar's lecture was played in this period."),
    ),
}
# metric → (chart title, value axis title, counts rather than amounts)
METRICS = {
    "plays": (_l("Plays per day"), _l("Plays"), True),
    "listeners": (_l("Listeners per day"), _l("Listeners"), True),
    "completions": (_l("Completions per day"), _l("Completions"), True),
    "hours": (_l("Listening hours per day"), _l("Hours"), False),
}
# A day under a bar, and in the tables and sentences (CLDR patterns: "6 Nov", "Fri 6 Nov 2026").
SHORT_DAY = "d MMM"
DAY = "EEE d MMM y"


@dataclass(frozen=True)
class Label:
    text: str
    url: str | None  # None: no longer in the catalogue
    id: uuid.UUID


@dataclass(frozen=True)
class TopTable:
    kind: str
    heading: str
    column: str
    rows: list[tuple[int, reader.TopRow, Label]]
    empty: str


@dataclass(frozen=True)
class Chart:
    id: str
    chart: BarChart
    title: str
    description: str
    x_title: str
    y_title: str


def _today() -> date:
    return datetime.now(UTC).date()


def _log() -> Path:
    return Path(current_app.config["ANALYTICS_DIR"])


def hours_text(hours: float) -> str:
    """1,234 · 12.3 · 0.25 (in the reader's locale): enough digits to tell small amounts
    apart."""
    return number(hours, 0 if hours >= 100 else 1 if hours >= 10 else 2)


def clock(seconds: float, tenths: bool = False) -> str:
    """12:05, 1:02:05 past an hour; 0:07.5 with tenths."""
    if tenths:
        minutes, rest = divmod(round(seconds, 1), 60)
        return f"{int(minutes)}:{rest:04.1f}"
    hours, rest = divmod(round(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def day_text(day: date) -> str:
    """Fri 6 Nov 2026 · الجمعة 6 نوفمبر 2026."""
    return format_date(day, DAY)


def _extremes(chart: BarChart) -> str:
    high = max(chart.bars, key=lambda bar: bar.value)
    low = min(chart.bars, key=lambda bar: bar.value)
    if high.value == low.value:
        return _("%(value)s on each.", value=high.text)
    return _(
        "Highest: %(high)s on %(high_label)s; lowest: %(low)s on %(low_label)s.",
        high=high.text,
        high_label=high.label,
        low=low.text,
        low_label=low.label,
    )


def day_charts(days: list[reader.DayMetrics], period: Period) -> list[Chart]:
    """One bar chart per metric, a bar per day."""
    charts = []
    short = {day_text(day.day): format_date(day.day, SHORT_DAY) for day in days}
    for metric, (title, axis, whole) in METRICS.items():
        points = [(day_text(day.day), float(getattr(day, metric))) for day in days]
        chart = bar_chart(
            points,
            whole=whole,
            value_text=None if whole else hours_text,
            short_label=short.__getitem__,
            max_labels=7,
            width=480,
            height=230,
            number=number,
        )
        description = ngettext(
            "%(title)s, %(count)s day from %(first)s to %(last)s (UTC).",
            "%(title)s, %(count)s days from %(first)s to %(last)s (UTC).",
            len(days),
            title=str(title),
            count=number(len(days)),
            first=day_text(period.first),
            last=day_text(period.last),
        )
        charts.append(
            Chart(
                f"chart-{metric}",
                chart,
                str(title),
                f"{description} {_extremes(chart)}",
                _("Day (UTC)"),
                str(axis),
            )
        )
    return charts


def top_tables(tops: dict[str, reader.Report[reader.TopRow]]) -> list[TopTable]:
    """The top rows with their names and public pages (looked up in one statement)."""
    names = queries.catalogue_names({kind: [row.id for row in r.rows] for kind, r in tops.items()})
    tables = []
    for kind, report in tops.items():
        heading, column, endpoint, gone, empty = KINDS[kind]
        rows = []
        for rank, row in enumerate(report.rows, start=1):
            named = names[kind].get(row.id)
            label = (
                Label(named.name, url_for(endpoint, slug=named.slug), row.id)
                if named
                else Label(str(gone), None, row.id)
            )
            rows.append((rank, row, label))
        tables.append(TopTable(kind, str(heading), str(column), rows, str(empty)))
    return tables


def log_state(report: reader.Report) -> str:
    """The report's status, except that a log folder not made yet means no data yet (the
    first event recorded will make it), not a store that is unavailable."""
    if report.status == "unavailable" and _not_made_yet(_log()):
        return "empty"
    return report.status


def _not_made_yet(folder: Path) -> bool:
    """The folder is missing and nothing stands in the way of making it."""
    for path in (folder, *folder.parents):
        if os.path.lexists(path):
            return path != folder and path.is_dir()
    return False


def _page(template: str, status: int = 200, **context: object) -> Response:
    helpers = {"hours_text": hours_text, "day_text": day_text, "clock": clock, "state": log_state}
    return render(template, status=status, **helpers, **context)


@bp.get("/insights")
def insights() -> Response:
    form = PeriodForm(request.args)
    if not form.validate():
        return _page("admin/insights.html", 400, form=form, period=None)
    period = form.resolve(_today())
    with reader.open_range(_log(), period.first, period.end) as data:
        summary = data.summary()
        days = data.by_day().rows
        tops = {kind: data.top(kind, TOP_LIMIT) for kind in KINDS}
    return _page(
        "admin/insights.html",
        form=form,
        period=period,
        summary=summary,
        metrics=summary.rows[0],
        days=days,
        charts=day_charts(days, period) if days else [],
        tables=top_tables(tops),
    )


@dataclass(frozen=True)
class Part:
    """A part of a lecture and the playbacks that ended in it."""

    label: str  # 2:30–3:00
    playbacks: int
    share: int  # % of all


def drop_off_parts(buckets: list[reader.Bucket]) -> list[Part]:
    """The buckets labelled by time, in tenths of a second when they are short."""
    tenths = buckets[0].end - buckets[0].start < 10
    total = sum(b.playbacks for b in buckets) or 1
    return [
        Part(
            f"{clock(b.start, tenths)}–{clock(b.end, tenths)}",
            b.playbacks,
            round(100 * b.playbacks / total),
        )
        for b in buckets
    ]


def _drop_off_span(ended: int, parts: int, title: str | None, length: str | None) -> str:
    """Where the playbacks ended, in how many parts of what: a whole sentence for each case
    (a lecture named or no longer there; its length known or not)."""
    values = {"count": number(ended), "parts": number(parts), "title": title, "length": length}
    if title is not None and length is not None:
        return ngettext(
            "Where %(count)s playback of %(title)s ended, in %(parts)s equal parts of its"
            " %(length)s length.",
            "Where %(count)s playbacks of %(title)s ended, in %(parts)s equal parts of its"
            " %(length)s length.",
            ended,
            **values,
        )
    if title is not None:
        return ngettext(
            "Where %(count)s playback of %(title)s ended, in %(parts)s equal parts of the"
            " furthest point reached.",
            "Where %(count)s playbacks of %(title)s ended, in %(parts)s equal parts of the"
            " furthest point reached.",
            ended,
            **values,
        )
    return ngettext(
        "Where %(count)s playback of this lecture ended, in %(parts)s equal parts of the"
        " furthest point reached.",
        "Where %(count)s playbacks of this lecture ended, in %(parts)s equal parts of the"
        " furthest point reached.",
        ended,
        **values,
    )


def drop_off_chart(parts: list[Part], title: str | None, length: str | None) -> Chart:
    points = [(part.label, float(part.playbacks)) for part in parts]
    chart = bar_chart(
        points,
        short_label=lambda label: label.split("–")[0],
        max_labels=10,
        width=800,
        height=280,
        number=number,
    )
    ended = sum(part.playbacks for part in parts)
    last = ngettext(
        "%(count)s ended in the last part.",
        "%(count)s ended in the last part.",
        parts[-1].playbacks,
        count=number(parts[-1].playbacks),
    )
    description = f"{_drop_off_span(ended, len(parts), title, length)} {_extremes(chart)} {last}"
    return Chart(
        "chart-drop-off",
        chart,
        _("Where listeners stop"),
        description,
        _("Last position"),
        _("Playbacks"),
    )


@bp.get("/insights/lectures/<uuid:lecture_id>")
def insights_lecture(lecture_id: uuid.UUID) -> Response:
    form = PeriodForm(request.args)
    lecture = queries.lecture_facts(lecture_id)
    context: dict[str, object] = {"form": form, "lecture": lecture, "lecture_id": lecture_id}
    if not form.validate():
        return _page("admin/insights_lecture.html", 400, period=None, **context)
    period = form.resolve(_today())
    duration = lecture.duration_seconds if lecture else None
    with reader.open_range(_log(), period.first, period.end, lecture_id=lecture_id) as data:
        summary = data.summary()
        drop_off = data.drop_off(lecture_id, DROP_OFF_BUCKETS, duration)
    title = lecture.title if lecture else None
    length = clock(duration) if duration else None
    parts = drop_off_parts(drop_off.rows) if drop_off.rows else []
    return _page(
        "admin/insights_lecture.html",
        period=period,
        summary=summary,
        metrics=summary.rows[0],
        parts=parts,
        chart=drop_off_chart(parts, title, length) if parts else None,
        **context,
    )
