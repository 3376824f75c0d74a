"""The log's files: one NDJSON segment per UTC day, appended to by every worker process.

Each event is one line written with one `os.write` on a descriptor opened with `O_APPEND`,
so lines from several processes never interleave. Appending never raises: a failure is
reported as a short name (`"full"`, `"read-only"`, ...) for the caller to count.
"""

from __future__ import annotations

import errno
import os
import re
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

SEGMENT = re.compile(r"^events-(\d{4}-\d{2}-\d{2})\.ndjson$")
OPEN_FLAGS = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | os.O_CLOEXEC
FILE_MODE = 0o640
FAILURE_KINDS = {
    errno.ENOSPC: "full",
    errno.EDQUOT: "full",
    errno.EFBIG: "full",
    errno.EROFS: "read-only",
    errno.EACCES: "not permitted",
    errno.EPERM: "not permitted",
    errno.ENOENT: "no folder",
    errno.ENOTDIR: "no folder",
    errno.EEXIST: "no folder",  # a file where the folder should be
}


def segment_name(day: date) -> str:
    return f"events-{day.isoformat()}.ndjson"


def segment_day(name: str) -> date | None:
    """The day of a segment file's name; None for any other file."""
    match = SEGMENT.match(name)
    if match is None:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None


def failure_kind(error: OSError) -> str:
    return FAILURE_KINDS.get(error.errno or 0, "failed")


def append(directory: Path, day: date, line: bytes) -> str | None:
    """Append one whole line to the day's segment; None when written, else why not."""
    path = directory / segment_name(day)
    try:
        try:
            fd = os.open(path, OPEN_FLAGS, FILE_MODE)
        except FileNotFoundError:
            directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, OPEN_FLAGS, FILE_MODE)
        try:
            written = os.write(fd, line)
            if written != len(line):
                # A partial line (a disk filling up): end it so the next line stays whole.
                os.write(fd, b"\n")
                return "full"
        finally:
            os.close(fd)
    except OSError as error:
        return failure_kind(error)
    return None


@dataclass
class Drops:
    """Events this process could not write, and the failure kinds already warned about."""

    count: int = 0
    warned: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str) -> bool:
        """Count one dropped event; True the first time this kind of failure is seen."""
        with self.lock:
            self.count += 1
            if kind in self.warned:
                return False
            self.warned.add(kind)
            return True
