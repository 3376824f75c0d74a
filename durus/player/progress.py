"""The player's pings: progress for signed-in listeners, analytics for everyone."""

from __future__ import annotations

import uuid
from decimal import Decimal

from flask import Response, abort, current_app, request
from flask_login import current_user, login_required

from .. import analytics
from ..auth.sessions import claimed_account
from ..extensions import db, limiter
from . import bp
from .forms import EVENTS, ProgressForm, RateForm
from .services import Completion, Observation, observation_time, record_observation


def _invalid(form: ProgressForm | RateForm) -> Response:
    problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
    return Response(problems, status=422, mimetype="text/plain")


@bp.post("/player/progress")
@limiter.limit("120 per minute")
def progress() -> Response:
    form = ProgressForm()
    if not form.validate_on_submit():
        return _invalid(form)
    config = current_app.config
    saved = record_observation(
        Observation(
            lecture_id=uuid.UUID(form.lecture.data),
            position=form.position.data,
            observed_at=observation_time(form.observed_at.data),
            ended=form.event.data == "ended",
        ),
        claimed_account(),
        Completion(config["COMPLETION_TAIL_SECONDS"], Decimal(str(config["COMPLETION_FRACTION"]))),
    )
    if saved is None:
        db.session.rollback()
        abort(404)
    db.session.commit()
    if saved.user_id is not None:
        key = analytics.listener_key_for_user(saved.user_id)
    else:
        key = analytics.listener_key_for_browser(form.browser_id.data or "")
    if key is not None:
        analytics.record_event(
            EVENTS[form.event.data],
            lecture_id=form.lecture.data,
            scholar_id=saved.scholar_id,
            series_id=saved.series_id,
            position=float(saved.position),
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
