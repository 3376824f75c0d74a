"""The player's pings: progress for signed-in listeners, analytics for everyone."""

from __future__ import annotations

import uuid
from decimal import Decimal

from flask import Response, abort, current_app, request
from flask_login import current_user, login_required

from .. import analytics
from ..extensions import db, limiter
from ..models import Lecture, MediaAsset
from ..models.visibility import visible_lectures
from . import bp
from .forms import EVENTS, ProgressForm, RateForm
from .services import Completion, observation_time, save_progress


def _invalid(form: ProgressForm | RateForm) -> Response:
    problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
    return Response(problems, status=422, mimetype="text/plain")


def _listener_key(form: ProgressForm) -> str | None:
    if current_user.is_authenticated:
        return analytics.listener_key_for_user(current_user.id)
    return analytics.listener_key_for_browser(form.browser_id.data or "")


@bp.post("/player/progress")
@limiter.limit("120 per minute")
def progress() -> Response:
    form = ProgressForm()
    if not form.validate_on_submit():
        return _invalid(form)
    lecture = db.session.execute(
        visible_lectures(
            Lecture.id, Lecture.scholar_id, Lecture.series_id, MediaAsset.duration_seconds
        )
        .join(MediaAsset, MediaAsset.id == Lecture.audio_asset_id)
        .where(Lecture.id == uuid.UUID(form.lecture.data))
    ).first()
    if lecture is None:
        abort(404)
    duration: Decimal = lecture.duration_seconds
    position = min(form.position.data, float(duration))
    if current_user.is_authenticated:
        save_progress(
            current_user.id,
            lecture.id,
            position,
            duration,
            observation_time(form.observed_at.data),
            ended=form.event.data == "ended",
            completion=Completion(
                current_app.config["COMPLETION_TAIL_SECONDS"],
                Decimal(str(current_app.config["COMPLETION_FRACTION"])),
            ),
        )
        db.session.commit()
    key = _listener_key(form)
    if key is not None:
        analytics.record_event(
            EVENTS[form.event.data],
            lecture_id=lecture.id,
            scholar_id=lecture.scholar_id,
            series_id=lecture.series_id,
            position=position,
            playback_id=form.playback_id.data,
            listener_key=key,
            device=analytics.device_class(request.user_agent.string),
        )
    return Response(status=204)


@bp.post("/player/rate")
@login_required
def playback_rate() -> Response:
    form = RateForm()
    if not form.validate_on_submit():
        return _invalid(form)
    current_user.playback_rate = Decimal(form.rate.data)
    db.session.commit()
    return Response(status=204)
