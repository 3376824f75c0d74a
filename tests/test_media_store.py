"""The media store keeps files write-once under content-derived keys; the probe reads
what a file is from its bytes."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

from durus.cli import SEED_DIR
from durus.media.probe import NotAudio, probe_audio
from durus.media.store import InvalidKey, LocalMediaStore

SAMPLE = SEED_DIR / "audio" / "usul-1.mp3"


def test_same_bytes_are_stored_once(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    first = store.put(io.BytesIO(b"abc" * 1000), "audio", "mp3")
    second = store.put(io.BytesIO(b"abc" * 1000), "audio", "mp3")
    assert first == second
    assert first.byte_size == 3000
    assert first.key == f"audio/{first.sha256[:2]}/{first.sha256}.mp3"
    with store.open(first.key) as stored:
        assert stored.read() == b"abc" * 1000
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) == 1  # no staging leftovers


def test_a_stored_file_is_never_overwritten(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    stored = store.put(io.BytesIO(b"original"), "audio", "mp3")
    path = store.path(stored.key)
    before = path.stat().st_ino
    store.put(io.BytesIO(b"original"), "audio", "mp3")
    assert path.stat().st_ino == before


@pytest.mark.parametrize(
    "key",
    [
        "../secret_key",
        "audio/../../etc/passwd",
        "/etc/passwd",
        "audio/%2e%2e/x.mp3",
        "audio/..%5c..%5cx.mp3",
        "audio/ab/" + "a" * 64 + ".mp3/../../x",
    ],
)
def test_keys_that_leave_the_store_are_refused(tmp_path: Path, key: str) -> None:
    store = LocalMediaStore(tmp_path)
    with pytest.raises(InvalidKey):
        store.path(key)


def test_probe_reads_real_audio() -> None:
    info = probe_audio(SAMPLE)
    assert info.content_type == "audio/mpeg"
    assert info.extension == "mp3"
    assert Decimal("30") < info.duration_seconds < Decimal("45")
    assert info.bitrate and info.bitrate > 0


def test_probe_refuses_text_named_like_audio(tmp_path: Path) -> None:
    fake = tmp_path / "lecture.mp3"
    fake.write_text("this is not audio at all\n" * 100)
    with pytest.raises(NotAudio):
        probe_audio(fake)


def test_probe_refuses_an_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp3"
    empty.write_bytes(b"")
    with pytest.raises(NotAudio):
        probe_audio(empty)
