"""Audio Range requests through gunicorn: requests/s, MB/s and worker memory, per serving path.

    .venv/bin/python bench/audio_ranges.py [--seconds 0.75] [--size-mb 64] [--clients 3]

Loopback only, bounded (about 10 seconds with the defaults). For each serving path it starts
gunicorn (2 sync workers) on a free 127.0.0.1 port with this file's own small WSGI app, which
serves one stored file (random bytes, in a temporary media store) at /audio.mp3, and fires
Range requests at random offsets from a few client threads:

  send_file      Flask's send_file(conditional=True), as Durus did before: for a range,
                 werkzeug wraps the file wrapper in its _RangeWrapper, so gunicorn no longer
                 recognises it and the bytes are read and written by Python in 8 KiB blocks.
  wrapper        durus.media.serving: the file already seeked, Content-Length = the range,
                 handed to gunicorn's file wrapper, which sends it with sendfile(2).
  wrapper-read   the same response under `gunicorn --no-sendfile`: gunicorn iterates the
                 wrapper, 64 KiB read() at a time (what a TLS-terminating gunicorn does).

Every response's status, Content-Range and length are checked, and one body per client is
compared with the file. Memory is the workers' RSS (VmRSS) after one warm-up request and after
the load, and their peak (VmHWM). Not part of the test suite; figures, not assertions.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, request, send_file
from serving import stop

BENCH_DIR = Path(__file__).resolve().parent
MODES = {
    "send_file": ("send_file", []),
    "wrapper": ("wrapper", []),
    "wrapper-read": ("wrapper", ["--no-sendfile"]),
}
SCENARIOS = [("1 MiB ranges", 1024 * 1024), ("64 KiB ranges", 64 * 1024)]
WORKERS = 2


def create_bench_app() -> Flask:
    """gunicorn 'audio_ranges:create_bench_app()' with BENCH_MODE, BENCH_ROOT, BENCH_KEY and
    BENCH_SHA256 in the environment."""
    from durus.media.serving import ONE_YEAR, MediaFile, media_response
    from durus.media.store import LocalMediaStore

    store = LocalMediaStore(os.environ["BENCH_ROOT"])
    media = MediaFile(
        key=os.environ["BENCH_KEY"],
        content_type="audio/mpeg",
        sha256=os.environ["BENCH_SHA256"],
        public=True,
    )
    app = Flask(__name__)

    if os.environ["BENCH_MODE"] == "send_file":

        @app.get("/audio.mp3")
        def audio_send_file():  # type: ignore[no-untyped-def]
            return send_file(
                store.path(media.key),
                mimetype=media.content_type,
                conditional=True,
                etag=media.sha256,
                max_age=ONE_YEAR,
            )

    else:

        @app.get("/audio.mp3")
        def audio_wrapper():  # type: ignore[no-untyped-def]
            return media_response(request, store, media)

    return app


# --- the load -----------------------------------------------------------------------------


@dataclass
class Tally:
    requests: int = 0
    bytes: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _client(
    port: int, data_path: Path, size: int, length: int, deadline: float, seed: int, tally: Tally
) -> None:
    rng = random.Random(seed)  # noqa: S311 - offsets, not secrets
    checked = False
    requests = received = 0
    with data_path.open("rb") as original:
        while time.monotonic() < deadline:
            start = rng.randrange(0, size - length)
            stop = start + length
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                connection.request(
                    "GET", "/audio.mp3", headers={"Range": f"bytes={start}-{stop - 1}"}
                )
                response = connection.getresponse()
                body = response.read()
            except OSError as exc:
                with tally.lock:
                    tally.errors.append(repr(exc))
                return
            finally:
                connection.close()
            expected_range = f"bytes {start}-{stop - 1}/{size}"
            if (
                response.status != 206
                or response.getheader("Content-Range") != expected_range
                or len(body) != length
            ):
                with tally.lock:
                    tally.errors.append(f"{response.status} {response.getheader('Content-Range')}")
                return
            if not checked:
                original.seek(start)
                if original.read(length) != body:
                    with tally.lock:
                        tally.errors.append(f"wrong bytes for {expected_range}")
                    return
                checked = True
            requests += 1
            received += len(body)
    with tally.lock:
        tally.requests += requests
        tally.bytes += received


def load(port: int, data_path: Path, size: int, length: int, seconds: float, clients: int) -> Tally:
    tally = Tally()
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=_client, args=(port, data_path, size, length, deadline, seed, tally)
        )
        for seed in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


# --- gunicorn and its workers ---------------------------------------------------------------


def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        children += [int(child) for child in task.read_text().split()]
    return children


def _memory_kib(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values


def _workers_cpu_seconds(master: int) -> float:
    """User and system CPU time of the workers (fields 14 and 15 of /proc/PID/stat)."""
    ticks = 0
    for worker in _children(master):
        fields = Path(f"/proc/{worker}/stat").read_text().rpartition(")")[2].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _workers_memory(master: int) -> dict[str, int]:
    """Summed over the workers, in KiB."""
    total = {"VmRSS": 0, "VmHWM": 0}
    for worker in _children(master):
        for name, value in _memory_kib(worker).items():
            total[name] += value
    return total


def _wait_for_workers(master: int, port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while len(_children(master)) < WORKERS:
        if time.monotonic() > deadline:
            raise SystemExit("gunicorn did not start its workers")
        time.sleep(0.05)
    for _ in range(WORKERS * 2):  # every worker has imported the app and answered
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        connection.request("GET", "/audio.mp3", headers={"Range": "bytes=0-0"})
        connection.getresponse().read()
        connection.close()


@dataclass
class Row:
    mode: str
    scenario: str
    requests_per_second: float
    megabytes_per_second: float
    cpu_seconds_per_gb: float
    rss_before_mib: float
    rss_after_mib: float
    peak_mib: float
    errors: int


def run_mode(
    mode: str, store_env: dict[str, str], data_path: Path, size: int, args: argparse.Namespace
) -> list[Row]:
    app_mode, extra = MODES[mode]
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    listener.set_inheritable(True)
    port = listener.getsockname()[1]
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    command = [
        gunicorn,
        "-w",
        str(WORKERS),
        "-b",
        f"fd://{listener.fileno()}",
        "--log-level",
        "warning",
        "--chdir",
        str(BENCH_DIR),
        *extra,
        "audio_ranges:create_bench_app()",
    ]
    env = {**os.environ, **store_env, "BENCH_MODE": app_mode}
    server = subprocess.Popen(command, env=env, pass_fds=(listener.fileno(),))  # noqa: S603
    rows = []
    try:
        _wait_for_workers(server.pid, port)
        for scenario, length in SCENARIOS:
            before = _workers_memory(server.pid)
            cpu_before = _workers_cpu_seconds(server.pid)
            tally = load(port, data_path, size, length, args.seconds, args.clients)
            cpu = _workers_cpu_seconds(server.pid) - cpu_before
            after = _workers_memory(server.pid)
            rows.append(
                Row(
                    mode,
                    scenario,
                    tally.requests / args.seconds,
                    tally.bytes / args.seconds / 1e6,
                    cpu / (tally.bytes / 1e9) if tally.bytes else float("nan"),
                    before["VmRSS"] / 1024,
                    after["VmRSS"] / 1024,
                    after["VmHWM"] / 1024,
                    len(tally.errors),
                )
            )
            for error in tally.errors[:3]:
                print(f"  {mode}, {scenario}: {error}", file=sys.stderr)
    finally:
        stop(server, timeout=15)
        listener.close()
    return rows


def make_file(root: Path, size_mb: int) -> tuple[dict[str, str], Path, int]:
    """Random bytes stored as an audio key, in a media store of its own."""
    from durus.media.store import LocalMediaStore

    source = root / "source.bin"
    with source.open("wb") as out:
        for _ in range(size_mb):
            out.write(os.urandom(1024 * 1024))
    store = LocalMediaStore(root / "media")
    with source.open("rb") as handle:
        stored = store.put(handle, "audio", "mp3")
    source.unlink()
    env = {"BENCH_ROOT": str(store.root), "BENCH_KEY": stored.key, "BENCH_SHA256": stored.sha256}
    return env, store.path(stored.key), stored.byte_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=0.75, help="per mode and range size")
    parser.add_argument("--size-mb", type=int, default=64, help="size of the served file")
    parser.add_argument("--clients", type=int, default=3, help="client threads")
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated")
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="durus-bench-") as temp:
        store_env, data_path, size = make_file(Path(temp), args.size_mb)
        rows = []
        for mode in args.modes.split(","):
            rows += run_mode(mode.strip(), store_env, data_path, size, args)
    print(
        f"\n{args.size_mb} MiB file, gunicorn {WORKERS} sync workers, {args.clients} client "
        f"threads, {args.seconds:g} s per row, {os.cpu_count()} CPUs, loopback\n"
    )
    header = (
        f"{'mode':<13} {'ranges':<14} {'req/s':>8} {'MB/s':>8} {'CPU s/GB':>9} "
        f"{'RSS before':>11} {'RSS after':>10} {'peak':>8} {'errors':>6}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.mode:<13} {row.scenario:<14} {row.requests_per_second:>8.0f} "
            f"{row.megabytes_per_second:>8.0f} {row.cpu_seconds_per_gb:>9.2f} "
            f"{row.rss_before_mib:>9.1f}Mi "
            f"{row.rss_after_mib:>8.1f}Mi {row.peak_mib:>6.1f}Mi {row.errors:>6}"
        )
    print(
        "\nCPU s/GB: the workers' CPU time per GB sent. RSS: both workers together. "
        f"Took {time.monotonic() - started:.1f} s."
    )


if __name__ == "__main__":
    main()
