"""Preview: the listener's lecture page for a draft, marked as such, for editors in scope."""

from __future__ import annotations

from flask.testing import FlaskClient

from durus.extensions import db
from durus.models import LectureTopic, PublicationState, Role
from tests.editorial.lecture_support import editor_desk
from tests.factories import make_lecture, make_series, make_topic
from tests.helpers import make_account, sign_in

DRAFT = {"state": PublicationState.DRAFT, "published_at": None}


def test_a_draft_is_previewed_with_the_listener_template(client: FlaskClient) -> None:
    desk = editor_desk(client)
    series = make_series(scholar_id=desk.scholar.id)
    topic = make_topic(name="Manners")
    lecture = make_lecture(series=series, title="On good manners", **DRAFT)
    db.session.add(LectureTopic(lecture_id=lecture.id, topic_id=topic.id))
    db.session.flush()
    response = client.get(f"/editorial/lectures/{lecture.id}/preview")
    assert response.status_code == 200
    page = response.text
    assert "Draft — preview" in page
    assert 'class="lecture"' in page and 'id="lecture-title"' in page  # the listener's page
    assert "On good manners" in page
    assert series.title in page and "Manners" in page
    assert 'class="player"' in page  # the editor can hear the draft's audio
    assert 'name="robots" content="noindex"' in page
    assert client.get(f"/lectures/{lecture.slug}").status_code == 404


def test_a_draft_without_audio_can_be_previewed(client: FlaskClient) -> None:
    desk = editor_desk(client)
    lecture = make_lecture(scholar_id=desk.scholar.id, audio_asset_id=None, **DRAFT)
    response = client.get(f"/editorial/lectures/{lecture.id}/preview")
    assert response.status_code == 200
    assert "Draft — preview" in response.text
    assert 'class="player"' not in response.text


def test_the_draft_audio_is_served_to_the_editor_only(client: FlaskClient) -> None:
    desk = editor_desk(client)
    lecture = make_lecture(scholar_id=desk.scholar.id, **DRAFT)
    page = client.get(f"/editorial/lectures/{lecture.id}/preview").text
    audio_url = page.split('data-audio="')[1].split('"')[0]
    outsider = client.application.test_client()
    assert outsider.get(audio_url).status_code == 404


def test_listeners_and_editors_out_of_scope_are_refused(client: FlaskClient) -> None:
    desk = editor_desk(client)
    lecture = make_lecture(scholar_id=desk.scholar.id, **DRAFT)
    path = f"/editorial/lectures/{lecture.id}/preview"
    for role in (Role.LISTENER, Role.EDITOR):
        other = client.application.test_client()
        sign_in(other, make_account(role=role))
        assert other.get(path).status_code == 403
        assert other.get(f"/lectures/{lecture.slug}").status_code == 404
    anonymous = client.application.test_client()
    response = anonymous.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/sign-in")


def test_an_administrator_may_preview(client: FlaskClient) -> None:
    lecture = make_lecture(**DRAFT)
    sign_in(client, make_account(role=Role.ADMIN))
    response = client.get(f"/editorial/lectures/{lecture.id}/preview")
    assert response.status_code == 200
    assert "Draft — preview" in response.text


def test_the_listener_page_of_a_published_lecture_is_unchanged(client: FlaskClient) -> None:
    lecture = make_lecture()
    page = client.get(f"/lectures/{lecture.slug}").text
    assert "Draft — preview" not in page
    assert 'class="player"' in page and "Published" in page and "Duration" in page
