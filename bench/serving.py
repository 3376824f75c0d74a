"""What the benchmarks share: gunicorn on a free loopback port, and its workers' memory.

Imported by the scripts beside it (`python bench/pages.py` puts this folder on sys.path).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import psutil
import requests


class ServingError(SystemExit):
    """gunicorn stopped or never answered: one line for the operator."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(
    app_spec: str,
    workers: int,
    env: dict[str, str],
    cwd: Path,
    log: IO[bytes] | None = None,
    log_level: str = "warning",
) -> Iterator[tuple[str, psutil.Process]]:
    """`app_spec` under gunicorn (sync workers) on a free 127.0.0.1 port, its output in
    `log` (readable: opened "w+b"; a temporary file if none); yields the base URL and the
    master process once it answers, stops it after."""
    own_log = log is None
    log = log or tempfile.TemporaryFile()  # noqa: SIM115 - closed in finally
    port = free_port()
    cmd = [str(Path(sys.prefix) / "bin/gunicorn"), "-k", "sync", "-w", str(workers)]
    cmd += ["-b", f"127.0.0.1:{port}", "--log-level", log_level, app_spec]
    proc = subprocess.Popen(  # noqa: S603
        cmd, cwd=cwd, env={**os.environ, **env}, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                log.seek(0)
                last = log.read().decode(errors="replace").strip().splitlines()[-1:]
                raise ServingError(f"gunicorn {app_spec} stopped: {' '.join(last)}")
            try:
                requests.get(base + "/", timeout=30)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise ServingError(f"gunicorn {app_spec} did not answer in 60 s") from None
                time.sleep(0.2)
        yield base, psutil.Process(proc.pid)
    finally:
        stop(proc)
        if own_log:
            log.close()


def stop(proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """Stop a server gracefully (gunicorn lets its workers finish), killing it if it hangs."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def worker_memory(master: psutil.Process) -> tuple[float, float]:
    """(largest RSS, largest peak RSS) over the workers, in MiB."""
    rss, hwm = 0.0, 0.0
    for child in master.children():
        rss = max(rss, child.memory_info().rss / 2**20)
        status = Path(f"/proc/{child.pid}/status").read_text()
        peak = re.search(r"VmHWM:\s+(\d+) kB", status)
        hwm = max(hwm, int(peak.group(1)) / 1024 if peak else 0.0)
    return rss, hwm
