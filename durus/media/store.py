"""Content-addressed, write-once file storage.

A key is derived from the file's sha256, so a stored key never changes meaning and a file is
never overwritten: putting the same bytes twice yields the same key and one file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

KEY_PATTERN = re.compile(r"^(audio|image)/[0-9a-f]{2}/[0-9a-f]{64}\.[a-z0-9]{1,5}$")
CHUNK = 1024 * 1024


class InvalidKey(ValueError):
    """A storage key that is not one this store issues (and so never a path to follow)."""


@dataclass(frozen=True)
class StoredFile:
    key: str
    sha256: str
    byte_size: int


class MediaStore(Protocol):
    def put(self, source: BinaryIO, kind: str, extension: str) -> StoredFile: ...
    def open(self, key: str) -> BinaryIO: ...
    def exists(self, key: str) -> bool: ...


class LocalMediaStore:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()

    def path(self, key: str) -> Path:
        if not KEY_PATTERN.fullmatch(key):
            raise InvalidKey(key)
        return self.root / key

    def put(self, source: BinaryIO, kind: str, extension: str) -> StoredFile:
        """Stream `source` into the store; returns its key, checksum and size."""
        staging = self.root / ".staging"
        staging.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, temp_name = tempfile.mkstemp(dir=staging)
        try:
            with os.fdopen(fd, "wb") as temp:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    temp.write(chunk)
                temp.flush()
                os.fsync(temp.fileno())
            sha = digest.hexdigest()
            key = f"{kind}/{sha[:2]}/{sha}.{extension.lower().lstrip('.')}"
            target = self.path(key)
            target.parent.mkdir(parents=True, exist_ok=True)
            # link() refuses an existing target: a stored file is never replaced.
            with contextlib.suppress(FileExistsError):
                os.link(temp_name, target)
            return StoredFile(key=key, sha256=sha, byte_size=size)
        finally:
            os.unlink(temp_name)

    def open(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()
