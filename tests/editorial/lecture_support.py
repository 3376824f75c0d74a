"""Helpers of the lecture tests: a signed-in editor with a scholar in scope, uploads."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from durus.extensions import db
from durus.models import AuditEntry, EditorScope, Lecture, MediaAsset, Role, Scholar, User
from tests.factories import make_scholar
from tests.helpers import csrf_token, make_account, sign_in

SEEDS = Path(__file__).resolve().parent.parent.parent / "seeds" / "audio"


@dataclass
class Desk:
    client: FlaskClient
    editor: User
    scholar: Scholar

    def token(self) -> str:
        return csrf_token(self.client, "/")

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.client.post(path, data={"csrf_token": self.token(), **(data or {})}, **kwargs)


def editor_desk(client: FlaskClient, role: Role = Role.EDITOR) -> Desk:
    """`client` signed in as an editor whose scope is a new scholar."""
    scholar = make_scholar()
    editor = make_account(role=role, display_name="Editor Amina")
    db.session.add(EditorScope(user_id=editor.id, scholar_id=scholar.id))
    db.session.flush()
    sign_in(client, editor)
    return Desk(client, editor, scholar)


def audio_file(name: str = "adab-2.mp3", data: bytes | None = None) -> tuple[io.BytesIO, str]:
    return io.BytesIO(data if data is not None else (SEEDS / name).read_bytes()), name


def lecture_fields(**overrides: Any) -> dict[str, Any]:
    return {"title": "Patience in adversity", "language": "en", "description": "", **overrides}


def stored_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def counts() -> tuple[int, int, int]:
    return count(Lecture), count(MediaAsset), count(AuditEntry)
