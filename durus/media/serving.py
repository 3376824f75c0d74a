"""Stored media over HTTP: byte ranges, validators and caching, with the bytes handed to the
WSGI server's file wrapper (sendfile under gunicorn) or to a front web server (X-Accel-Redirect).

A stored file never changes (its key comes from its checksum), so its sha256 is a strong ETag
and it may be cached for a year. Only the storage key from the database reaches the store,
which refuses any key it did not issue: nothing from the request becomes a path.

Ranges follow RFC 9110 §14: one range (`bytes=0-99`, `bytes=500-`, `bytes=-500`) is answered
206 with Content-Range; a range that starts at or beyond the end is 416 with `bytes */SIZE`;
several ranges in one request are answered with the whole file (200), which the RFC allows
(media clients ask for one range at a time); a malformed Range header or another unit is
ignored (200).
"""

from __future__ import annotations

import os
import re
from contextlib import ExitStack
from dataclasses import dataclass
from typing import BinaryIO

from flask import Request, Response
from werkzeug.datastructures import Headers
from werkzeug.exceptions import NotFound
from werkzeug.http import parse_etags
from werkzeug.wsgi import wrap_file

from .store import InvalidKey, MediaStore

ONE_YEAR = 365 * 24 * 3600
BLOCK_SIZE = 64 * 1024  # per read() where the server cannot sendfile (dev server, TLS)
_RANGE_SPEC = re.compile(r"(\d*)-(\d*)")
_MAX_DIGITS = 18  # a longer position is beyond any file; int() of it is never attempted


@dataclass(frozen=True)
class MediaFile:
    """What the response needs to know about a stored file, all of it from the database."""

    key: str
    content_type: str
    sha256: str
    public: bool  # False: only some signed-in people may fetch it (private caches only)

    @property
    def etag(self) -> str:
        return f'"{self.sha256}"'


class RangeFile:
    """A stored file opened at `start` that reads no further than `stop`.

    The WSGI server's file wrapper receives it. Gunicorn's sendfile path takes `fileno()`,
    asks the descriptor for its current offset (already `start`) and sends exactly
    Content-Length bytes from there; servers that iterate instead call `read()`, which stops
    at the end of the range. Nothing is ever read whole into memory.
    """

    def __init__(self, file: BinaryIO, start: int, stop: int) -> None:
        self._file = file
        self._stop = stop
        self.seek(start)  # an lseek(2) on the descriptor: nothing is read or buffered yet

    def read(self, size: int | None = -1) -> bytes:
        if self._remaining <= 0:
            return b""
        if size is None or size < 0 or size > self._remaining:
            size = self._remaining
        data = self._file.read(size)
        self._remaining -= len(data)
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """(socket.sendfile, when it falls back to send(), seeks to the offset it was given.)"""
        position = self._file.seek(offset, whence)
        self._remaining = max(self._stop - position, 0)
        return position

    def tell(self) -> int:
        return self._file.tell()

    def fileno(self) -> int:
        return self._file.fileno()

    def close(self) -> None:
        self._file.close()


def parse_byte_ranges(value: str) -> list[tuple[int | None, int | None]] | None:
    """The (first, last) positions of a `Range: bytes=…` header, both inclusive; first is None
    for a suffix (`-500`: the last 500 bytes). None when the header is not a valid byte range
    set, which the server then ignores."""
    unit, equals, specs = value.partition("=")
    if not equals or unit.strip().lower() != "bytes":
        return None
    ranges: list[tuple[int | None, int | None]] = []
    for spec in specs.split(","):
        match = _RANGE_SPEC.fullmatch(spec.strip(" \t"))
        if match is None or match.group(1) == match.group(2) == "":
            return None
        first, last = (_position(group) for group in match.groups())
        if first is not None and last is not None and last < first:
            return None
        ranges.append((first, last))
    return ranges


def _position(digits: str) -> int | None:
    if not digits:
        return None
    return int(digits) if len(digits) <= _MAX_DIGITS else 10**_MAX_DIGITS


class Unsatisfiable(Exception):
    """The one requested range starts at or beyond the end of the file (or is `-0`)."""


def byte_range(request: Request, size: int, etag: str) -> tuple[int, int] | None:
    """The (start, stop) slice to send, or None for the whole file."""
    header = request.headers.get("Range")
    if header is None:
        return None
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range.strip() != etag:
        # A weak tag, another tag or a date (we send no Last-Modified): the client's copy is
        # not this file, so it gets the whole of it.
        return None
    ranges = parse_byte_ranges(header)
    if ranges is None or len(ranges) != 1:
        return None
    first, last = ranges[0]
    if first is None:  # suffix: the last `last` bytes
        if last == 0 or size == 0:
            raise Unsatisfiable
        return max(size - (last or 0), 0), size
    if first >= size:
        raise Unsatisfiable
    return first, size if last is None else min(last + 1, size)


def media_response(
    request: Request, store: MediaStore, media: MediaFile, accel_prefix: str | None = None
) -> Response:
    """The response to a GET or HEAD for a stored file. NotFound for a key the store refuses
    or a file that is not there."""
    headers = Headers(
        {
            "Content-Type": media.content_type,
            "Accept-Ranges": "bytes",
            "ETag": media.etag,
            "Cache-Control": f"{'public' if media.public else 'private'}, "
            f"max-age={ONE_YEAR}, immutable",
        }
    )
    try:
        if accel_prefix:
            return _accel_redirect(store, media, accel_prefix, headers)
        file = store.open(media.key)
    except (InvalidKey, FileNotFoundError):
        raise NotFound() from None
    with ExitStack() as cleanup:
        cleanup.callback(file.close)
        if parse_etags(request.headers.get("If-None-Match")).contains_weak(media.sha256):
            return _bodiless(304, headers)
        size = os.fstat(file.fileno()).st_size
        try:
            selected = byte_range(request, size, media.etag)
        except Unsatisfiable:
            headers["Content-Range"] = f"bytes */{size}"
            return _bodiless(416, headers)
        start, stop = selected or (0, size)
        if selected is not None:
            headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
        headers["Content-Length"] = str(stop - start)
        status = 206 if selected else 200
        if request.method == "HEAD":
            return Response(status=status, headers=headers)
        body = wrap_file(request.environ, RangeFile(file, start, stop), BLOCK_SIZE)
        cleanup.pop_all()  # from here the response closes the file, once sent
        # Passed through untouched, so that gunicorn recognises its own file wrapper and uses
        # sendfile(2) from the file's offset for Content-Length bytes.
        return Response(body, status=status, headers=headers, direct_passthrough=True)


def _bodiless(status: int, headers: Headers) -> Response:
    """304 and 416: the validators and caching headers, no content (so no Content-Type)."""
    response = Response(status=status, headers=headers)
    del response.headers["Content-Type"]
    return response


def _accel_redirect(store: MediaStore, media: MediaFile, prefix: str, headers: Headers) -> Response:
    """No body: the front server (nginx) reads the file and answers ranges and conditionals.
    It keeps Content-Type, Cache-Control and Accept-Ranges from this response."""
    if not store.exists(media.key):  # refuses a key the store did not issue (InvalidKey)
        raise FileNotFoundError(media.key)
    headers["X-Accel-Redirect"] = prefix + media.key
    return Response(status=200, headers=headers)
