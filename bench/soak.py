"""Load and faults: a mixed load on gunicorn (production settings) while parts of Durus fail.

    .venv/bin/python bench/soak.py [--seconds 60] [--outage 5] [--quick]

Loopback only, bounded (about 1.5 minutes with the defaults, under a minute with --quick). It
starts a PostgreSQL server of its own (initdb into a temporary folder, never the shared one),
migrates it and loads the demo data (flask seed demo) plus one listener account per simulated
listener, then gunicorn (sync workers) with DURUS_ENV=production, a random SECRET_KEY,
TRUSTED_PROXIES=1, and the media store, analytics log and temporary files in folders of the
run. Threads of this process (a second process from gunicorn's) then act as:

- listeners, each signed in with its own session, CSRF token and client address: play a
  lecture for 8-20 s, pause for 2-6 s, play another, and so on, sending progress on play,
  pause and every --ping-every seconds with an increasing observation time; browse (home,
  scholars, a lecture, search, library) and fetch audio ranges all along. Like the player,
  each keeps the newest observation of a lecture the server has not acknowledged and sends
  it again (2 s, doubling to 30 s) until a 2xx, a newer one replacing it; at the end it
  pauses and retries what is unsent for up to 30 s (--no-resend: each is sent once, as the
  player did before);
- editors: the workspace, a lecture's edit page, and saving that form (each its own lecture);
- administrators: the users list and the administration page.

Meanwhile, at fixed fractions of the run: PostgreSQL is stopped (fast) and started again after
--outage seconds; the analytics folder is removed, later made read-only for a while (under
root with chattr +i, since modes do not stop root); an editor's upload is cut off half way,
and another is sent slowly to the end. Afterwards it prints one table: requests, 2xx/3xx,
503 during the outage, 5xx outside it (goal 0), other errors, hangs (over --hang seconds),
the slowest answer; then the recovery times, lost progress updates (the stored position of
each listener and lecture against the newest observation sent; goal 0), files in the media
store that no row refers to (goal 0), gunicorn's worker restarts and the workers' memory. The
output is also written to bench/results/soak-run.txt (soak-quick.txt with --quick).
"""

from __future__ import annotations

import argparse
import html.parser
import random
import re
import secrets
import shutil
import socket
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from serving import gunicorn, worker_memory

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
sys.path.insert(0, str(ROOT))  # tests.fault_support: the PostgreSQL server of the run

from tests.fault_support import CannotMakeReadOnly, PostgresInstance, read_only  # noqa: E402

DATABASE = "durus"
PASSWORD = "soak-listener-password"  # noqa: S105 - accounts of a throwaway database
EDITOR = ("editor@durus.example", "durus-editor-demo")
ADMIN = ("admin@durus.example", "durus-admin-demo")
SEARCHES = ["الصلاة", "prayer", "faith", "الصبر"]
RETRY_FIRST, RETRY_LONGEST = 2.0, 30.0  # seconds, as static/js/player.js
FLUSH_SECONDS = 30.0


class SoakError(SystemExit):
    def __init__(self, message: str) -> None:
        super().__init__(f"soak.py: {message}")


# --- what happened -----------------------------------------------------------------------


@dataclass
class Call:
    kind: str
    started: float  # seconds since the start of the load
    ended: float
    status: int | None  # None: no answer (connection refused, reset, timed out)
    error: str = ""


@dataclass
class Record:
    origin: float = field(default_factory=time.monotonic)
    calls: list[Call] = field(default_factory=list)
    events: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> float:
        return time.monotonic() - self.origin

    def add(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call)

    def event(self, text: str) -> float:
        at = self.now()
        with self.lock:
            self.events.append((at, text))
        print(f"  {at:6.1f} s  {text}", flush=True)
        return at


def request(
    record: Record, kind: str, session: requests.Session, method: str, url: str, **kw: Any
) -> requests.Response | None:
    started = record.now()
    try:
        response = session.request(method, url, timeout=30, allow_redirects=False, **kw)
    except requests.RequestException as exc:
        record.add(Call(kind, started, record.now(), None, type(exc).__name__))
        return None
    record.add(Call(kind, started, record.now(), response.status_code))
    return response


# --- the site: database, accounts, gunicorn --------------------------------------------------


@dataclass
class Recording:
    id: str
    slug: str
    duration: float
    audio: str  # path
    size: int


@dataclass
class Site:
    lectures: list[Recording]
    editable: list[str]  # ids of lectures the demo editor may edit
    scholar_id: str  # a scholar of the editor's, for uploads
    listeners: list[str]  # emails


def prepare(pg: PostgresInstance, folders: dict[str, Path], listeners: int) -> Site:
    """Migrate, seed the demo data, add the listeners; what the load needs to know."""
    import flask_migrate
    from sqlalchemy import select

    from durus import create_app
    from durus.auth.passwords import hash_password
    from durus.extensions import db
    from durus.models import EditorScope, Lecture, MediaAsset, User, UserCredential
    from durus.models.visibility import visible_lectures

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": pg.url(DATABASE),
            "SECRET_KEY": secrets.token_urlsafe(48),
            "MEDIA_ROOT": str(folders["media"]),
            "ANALYTICS_DIR": str(folders["analytics"]),
            "MAIL_OUTBOX": str(folders["outbox"]),
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
        result = app.test_cli_runner().invoke(args=["seed", "demo"])
        if result.exit_code != 0:
            raise SoakError(f"flask seed demo failed: {result.output.strip()[-300:]}")
        verifier = hash_password(PASSWORD)
        emails = [f"soak-listener-{i + 1}@durus.example" for i in range(listeners)]
        for i, email in enumerate(emails):
            user = User(email=email, display_name=f"Soak listener {i + 1}")
            db.session.add(user)
            db.session.flush()
            db.session.add(UserCredential(user_id=user.id, password_hash=verifier))
        db.session.commit()
        rows = db.session.execute(
            visible_lectures(
                Lecture.id,
                Lecture.slug,
                MediaAsset.duration_seconds,
                MediaAsset.id,
                MediaAsset.storage_key,
                MediaAsset.byte_size,
            ).join(MediaAsset, MediaAsset.id == Lecture.audio_asset_id)
        ).all()
        editor_id = db.session.scalar(select(User.id).where(User.email == EDITOR[0]))
        scopes = list(
            db.session.scalars(
                select(EditorScope.scholar_id).where(EditorScope.user_id == editor_id)
            )
        )
        editable = [
            str(i)
            for i in db.session.scalars(
                select(Lecture.id).where(Lecture.scholar_id.in_(scopes)).order_by(Lecture.slug)
            )
        ]
        db.engine.dispose()
    lectures = [
        Recording(
            str(r[0]), r[1], float(r[2]), f"/media/audio/{r[3]}.{r[4].rsplit('.', 1)[1]}", r[5]
        )
        for r in rows
    ]
    if not lectures or not editable:
        raise SoakError("the demo data has no published lecture or nothing for the editor")
    return Site(lectures, editable, str(scopes[0]), emails)


# --- people ----------------------------------------------------------------------------------

META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def signed_in(base: str, email: str, password: str, address: str) -> tuple[requests.Session, str]:
    """A session of the account from its own client address, and its CSRF token."""
    session = requests.Session()
    session.headers["X-Forwarded-For"] = address
    for _ in range(20):  # sign-in is rate-limited per address, and the server may be busy
        page = session.get(base + "/auth/sign-in", timeout=30)
        token = META_CSRF.search(page.text)
        if token is None:
            time.sleep(0.5)
            continue
        data = {"email": email, "password": password, "csrf_token": token.group(1)}
        response = session.post(
            base + "/auth/sign-in", data=data, timeout=30, allow_redirects=False
        )
        if response.status_code == 303:
            home = session.get(base + "/", timeout=30)
            csrf = META_CSRF.search(home.text)
            if csrf:
                return session, csrf.group(1)
        time.sleep(0.5)
    raise SoakError(f"could not sign in as {email}")


@dataclass
class Observation:
    lecture: Recording
    position: float
    event: str
    observed_ms: int
    playback_id: str


class Listener:
    """Browses, fetches audio and pings progress; keeps the newest unacknowledged observation
    of each lecture and sends it again, like static/js/player.js."""

    def __init__(
        self, n: int, base: str, site: Site, record: Record, ping_every: float, resend: bool
    ) -> None:
        self.base, self.site, self.record, self.ping_every = base, site, record, ping_every
        self.resend = resend
        self.rng = random.Random(n)  # noqa: S311 - load, not secrets
        self.email = site.listeners[n]
        self.session, self.token = signed_in(base, self.email, PASSWORD, f"10.77.0.{n + 1}")
        self.newest: dict[str, Observation] = {}  # the newest observation made, per lecture
        self.unsent: dict[str, Observation] = {}
        self.retry_at, self.retry_delay = 0.0, RETRY_FIRST
        self.last_ms = 0
        self.playback_id = str(uuid.uuid4())
        self.lecture = self.rng.choice(site.lectures)
        self.position, self.next_ping = 0.0, 0.0

    def observe(self, event: str) -> None:
        self.last_ms = max(int(time.time() * 1000), self.last_ms + 1)
        position = min(self.position, self.lecture.duration)
        if event == "play":
            self.playback_id = str(uuid.uuid4())
        seen = Observation(self.lecture, round(position, 1), event, self.last_ms, self.playback_id)
        self.newest[self.lecture.id] = seen
        self.send(seen)

    def send(self, seen: Observation) -> None:
        self.unsent[seen.lecture.id] = seen
        data = {
            "csrf_token": self.token,
            "lecture": seen.lecture.id,
            "position": f"{seen.position:.1f}",
            "event": seen.event,
            "observed_at": str(seen.observed_ms),
            "playback_id": seen.playback_id,
        }
        response = request(
            self.record, "progress ping", self.session, "POST", self.base + "/player/progress",
            data=data,
        )  # fmt: skip
        status = response.status_code if response is not None else None
        if not self.resend:  # fire and forget, as the player did before
            self.unsent.pop(seen.lecture.id, None)
        elif status is not None and (status < 400 or (status < 500 and status not in (408, 429))):
            # acknowledged; or refused for good (a 4xx, counted as an error in the table)
            if status < 300:
                self.retry_delay = RETRY_FIRST
            if self.unsent.get(seen.lecture.id) is seen:
                del self.unsent[seen.lecture.id]
        elif self.retry_at <= time.monotonic():
            self.retry_at = time.monotonic() + self.retry_delay
            self.retry_delay = min(self.retry_delay * 2, RETRY_LONGEST)

    def retry(self) -> None:
        if self.unsent and time.monotonic() >= self.retry_at:
            self.retry_at = 0.0  # due: a failure below schedules the next attempt
            for seen in list(self.unsent.values()):
                self.send(seen)

    def browse(self) -> None:
        lecture = self.rng.choice(self.site.lectures)
        choice = self.rng.random()
        if choice < 0.35:
            path = f"/lectures/{lecture.slug}"
        elif choice < 0.5:
            path = "/"
        elif choice < 0.6:
            path = "/scholars"
        elif choice < 0.75:
            path = "/search?q=" + requests.utils.quote(self.rng.choice(SEARCHES))
        else:
            path = "/library"
        request(self.record, "listener page", self.session, "GET", self.base + path)

    def fetch_audio(self) -> None:
        start = self.rng.randrange(0, max(self.lecture.size - 1, 1))
        headers = {"Range": f"bytes={start}-{start + 65535}"}
        request(
            self.record, "audio range", self.session, "GET", self.base + self.lecture.audio,
            headers=headers,
        )  # fmt: skip

    def run(self, until: float, stop: threading.Event) -> None:
        """Play a lecture for 8-20 s, pause for 2-6 s, play another, ...; browse meanwhile."""
        playing, last = False, time.monotonic()
        change_at = last + self.rng.uniform(0, 6)  # listeners do not all start at once
        while time.monotonic() < until and not stop.is_set():
            now = time.monotonic()
            if playing:
                self.position += now - last
            last = now
            if now >= change_at and playing:
                self.observe("pause")
                playing, change_at = False, now + self.rng.uniform(2, 6)
            elif now >= change_at:
                self.lecture, self.position = self.rng.choice(self.site.lectures), 0.0
                self.observe("play")
                playing, change_at = True, now + self.rng.uniform(8, 20)
                self.next_ping = now + self.ping_every
            elif playing and now >= self.next_ping:
                self.observe("tick")
                self.next_ping = now + self.ping_every
            self.retry()
            (self.browse if self.rng.random() < 0.7 else self.fetch_audio)()
            time.sleep(self.rng.uniform(0.3, 0.9))
        if playing:
            self.position += time.monotonic() - last
            self.observe("pause")
        deadline = time.monotonic() + FLUSH_SECONDS
        while self.unsent and time.monotonic() < deadline and not stop.is_set():
            time.sleep(0.2)
            self.retry()


class FormFields(html.parser.HTMLParser):
    """The fields of the first POST form whose action is `action`, as a browser sends them."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.done = action, False, False
        self.fields: list[tuple[str, str]] = []
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self.done and a.get("action") == self.action:
            self.inside = True
        if not self.inside:
            return
        name = a.get("name", "")
        if tag == "input" and name and a.get("type") not in ("submit", "file", "button"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.fields.append((name, a.get("value", "")))
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and "selected" in a:
            self.fields.append((self.select, a.get("value", "")))
        elif tag == "textarea":
            self.textarea = name
            self.fields.append((name, ""))

    def handle_data(self, data: str) -> None:
        if self.textarea:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def editor(
    n: int, base: str, site: Site, record: Record, until: float, stop: threading.Event
) -> None:
    session, _ = signed_in(base, *EDITOR, f"10.78.0.{n + 1}")
    rng = random.Random(1000 + n)  # noqa: S311
    lecture = site.editable[n % len(site.editable)]
    edit = f"/editorial/lectures/{lecture}/edit"
    while time.monotonic() < until and not stop.is_set():
        request(record, "editor page", session, "GET", base + "/editorial")
        page = request(record, "editor page", session, "GET", base + edit)
        if page is not None and page.status_code == 200:
            form = FormFields(edit)
            form.feed(page.text)
            fields = [(k, v) for k, v in form.fields if k != "description"]
            fields.append(("description", f"Saved by the soak at {time.time():.3f}."))
            request(record, "editor save", session, "POST", base + edit, data=fields)
        time.sleep(rng.uniform(1.0, 2.0))


def administrator(n: int, base: str, record: Record, until: float, stop: threading.Event) -> None:
    session, _ = signed_in(base, *ADMIN, f"10.79.0.{n + 1}")
    rng = random.Random(2000 + n)  # noqa: S311
    while time.monotonic() < until and not stop.is_set():
        path = rng.choice(["/admin/users", "/admin/users?q=soak", "/admin/audit"])
        request(record, "admin page", session, "GET", base + path)
        time.sleep(rng.uniform(1.0, 2.0))


# --- uploads over a raw socket: cut off, or slow -----------------------------------------------


def upload_body(token: str) -> tuple[bytes, str]:
    audio = (ROOT / "seeds" / "audio" / "usul-2.mp3").read_bytes()
    boundary = uuid.uuid4().hex
    parts = [("csrf_token", token), ("title", f"Soak upload {boundary[:6]}"), ("language", "en")]
    chunks = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in parts
    ]
    chunks.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="audio"; filename="soak.mp3"\r\n'
        "Content-Type: audio/mpeg\r\n\r\n".encode()
        + audio
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def raw_upload(
    base: str, session: requests.Session, token: str, scholar: str, *, cut: bool, seconds: float
) -> int | None:
    """POST a new lecture with audio; `cut`: close the connection half way through the body.
    The body goes in 16 pieces spread over `seconds`. The status, or None without one."""
    body, content_type = upload_body(token)
    host, port = base.removeprefix("http://").split(":")
    path = f"/editorial/scholars/{scholar}/lectures/new"
    cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nCookie: {cookie}\r\n"
        f"X-Forwarded-For: {session.headers['X-Forwarded-For']}\r\nConnection: close\r\n\r\n"
    )
    sent = len(body) // 2 if cut else len(body)
    piece = -(-sent // 16)
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head.encode())
        for offset in range(0, sent, piece):
            sock.sendall(body[offset : offset + piece])
            time.sleep(seconds / 16)
        if cut:
            return None
        answer = sock.recv(4096).decode(errors="replace")
    match = re.match(r"HTTP/1\.[01] (\d{3})", answer)
    return int(match.group(1)) if match else None


# --- the faults ------------------------------------------------------------------------------


@dataclass
class Timeline:
    outage: tuple[float, float] = (0.0, 0.0)  # stop issued, server back
    analytics: tuple[float, float] = (0.0, 0.0)  # removed, writable again
    uploads: dict[str, int | None] = field(default_factory=dict)


def conductor(
    pg: PostgresInstance,
    args: argparse.Namespace,
    record: Record,
    timeline: Timeline,
    analytics: Path,
    uploader: tuple[str, requests.Session, str, str],
    stop: threading.Event,
) -> None:
    def at(fraction: float) -> bool:
        while record.now() < fraction * args.seconds:
            if stop.wait(0.05):
                return False
        return True

    if not at(0.25):
        return
    down = record.event("PostgreSQL: stop (fast)")
    pg.stop()
    record.event(f"PostgreSQL: stopped; starting again in {args.outage:g} s")
    time.sleep(args.outage)
    pg.start()
    timeline.outage = (down, record.event("PostgreSQL: started (pg_ctl -w: accepting connections)"))
    if not at(0.5):
        return
    removed = record.event("analytics folder removed")
    shutil.rmtree(analytics, ignore_errors=True)
    if not at(0.6):
        return
    base, session, token, scholar = uploader
    record.event("upload cut off half way (2 s, then the connection closes)")
    timeline.uploads["cut off half way"] = raw_upload(
        base, session, token, scholar, cut=True, seconds=2
    )
    analytics.mkdir(parents=True, exist_ok=True)  # normally the next event recreates it
    try:
        with read_only(analytics):
            record.event("analytics folder read-only")
            at(0.8)
            back = record.event("analytics folder writable again")
    except CannotMakeReadOnly as exc:
        back = record.event(f"analytics folder could not be made read-only: {exc}")
    timeline.analytics = (removed, back)
    record.event("slow upload (the body over 5 s)")
    timeline.uploads["slow, complete"] = raw_upload(
        base, session, token, scholar, cut=False, seconds=5
    )
    record.event(f"slow upload answered {timeline.uploads['slow, complete']}")


# --- the report ------------------------------------------------------------------------------

KINDS = [
    "listener page",
    "audio range",
    "progress ping",
    "editor page",
    "editor save",
    "admin page",
]


def overlaps(call: Call, window: tuple[float, float]) -> bool:
    return call.started <= window[1] and call.ended >= window[0]


def table(calls: list[Call], outage: tuple[float, float], hang: float) -> list[str]:
    head = (
        f"{'kind':<15} {'requests':>8} {'2xx/3xx':>8} {'503 down':>8} {'5xx else':>8} "
        f"{'other':>6} {'hangs':>6} {'slowest':>8}"
    )
    lines = [head, "-" * len(head)]
    totals = [0] * 6
    slowest_all = 0.0
    for kind in [*KINDS, "total"]:
        mine = calls if kind == "total" else [c for c in calls if c.kind == kind]
        ok = sum(1 for c in mine if c.status is not None and c.status < 400)
        during = sum(1 for c in mine if c.status == 503 and overlaps(c, outage))
        server = sum(
            1 for c in mine if c.status is not None and c.status >= 500 and not overlaps(c, outage)
        )
        other = len(mine) - ok - during - server
        hangs = sum(1 for c in mine if c.ended - c.started > hang)
        slowest = max((c.ended - c.started for c in mine), default=0.0)
        row = [len(mine), ok, during, server, other, hangs]
        if kind != "total":
            totals = [a + b for a, b in zip(totals, row, strict=True)]
            slowest_all = max(slowest_all, slowest)
        lines.append(
            f"{kind:<15} {row[0]:>8} {row[1]:>8} {row[2]:>8} {row[3]:>8} {row[4]:>6} {row[5]:>6} "
            f"{slowest:>7.2f}s"
        )
    return lines


def other_errors(calls: list[Call], outage: tuple[float, float]) -> list[str]:
    """The failures besides the 503s of the outage: status or exception, kind, when."""
    found: dict[tuple[str, str], list[float]] = {}
    for c in calls:
        if c.status is not None and c.status < 400:
            continue
        if c.status == 503 and overlaps(c, outage):
            continue
        what = str(c.status) if c.status is not None else c.error
        found.setdefault((c.kind, what), []).append(c.started)
    return [
        f"  {kind}: {what} x{len(times)} (at {', '.join(f'{t:.1f}' for t in times[:5])} s)"
        for (kind, what), times in sorted(found.items())
    ]


def exceptions_in(log: str) -> list[str]:
    """The last line of each traceback in gunicorn's log (the exception), and how often."""
    found: dict[str, int] = {}
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Traceback"):
            end = next(
                (j for j in range(i + 1, len(lines)) if not lines[j].startswith((" ", "\t"))),
                len(lines) - 1,
            )
            # chained exceptions: the block ends at the first unindented line after it
            found[lines[end][:200]] = found.get(lines[end][:200], 0) + 1
    return [f"  {n} x {text}" for text, n in found.items()]


def recovery(calls: list[Call], back: float) -> list[str]:
    """First success after PostgreSQL was back, per kind of request that needs it."""
    out, latest = [], 0.0
    for kind in KINDS:
        after = [c.ended for c in calls if c.kind == kind and c.started >= back and c.status]
        ok = [
            c.ended
            for c in calls
            if c.kind == kind and c.started >= back and c.status and c.status < 400
        ]
        if not ok:
            out.append(f"  {kind:<15} no success after the return")
            continue
        first = min(ok) - back
        failed_after = sum(
            1
            for c in calls
            if c.kind == kind and c.started >= back and (c.status is None or c.status >= 500)
        )
        latest = max(latest, first)
        out.append(
            f"  {kind:<15} first success {first:5.2f} s after the return "
            f"({len(after)} answered since, {failed_after} failed)"
        )
    out.append(f"  every kind succeeding: {latest:.2f} s after the return")
    return out


def lost_updates(pg: PostgresInstance, listeners: list[Listener]) -> tuple[int, int, list[str]]:
    """(pairs checked, mismatches, details): the stored position of each listener and lecture
    against the newest observation that listener made."""
    rows = pg.execute(
        DATABASE,
        "SELECT u.email, p.lecture_id::text, p.position_seconds, "
        "(extract(epoch FROM p.observed_at) * 1000)::bigint "
        "FROM user_progress p JOIN users u ON u.id = p.user_id "
        "WHERE u.email LIKE 'soak-listener-%'",
    )
    stored = {(r[0], r[1]): (float(r[2]), int(r[3])) for r in rows}
    checked, wrong, details = 0, 0, []
    for listener in listeners:
        email = listener.email
        for lecture_id, seen in listener.newest.items():
            checked += 1
            got = stored.get((email, lecture_id))
            if got is None or abs(got[0] - seen.position) > 0.05 or got[1] != seen.observed_ms:
                wrong += 1
                unsent = lecture_id in listener.unsent
                details.append(
                    f"  {email} {lecture_id[:8]}: sent {seen.position} at {seen.observed_ms}, "
                    f"stored {got}{' (still unsent at the end)' if unsent else ''}"
                )
    return checked, wrong, details


def stray_files(pg: PostgresInstance, media: Path) -> list[str]:
    """Files in the media store that no media_assets row refers to, staging included."""
    keys = {r[0] for r in pg.execute(DATABASE, "SELECT storage_key FROM media_assets")}
    files = {str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()}
    return sorted(files - keys)


# --- the run ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the load")
    parser.add_argument("--outage", type=float, default=5.0, help="seconds PostgreSQL is down")
    parser.add_argument("--listeners", type=int, default=12)
    parser.add_argument("--editors", type=int, default=2)
    parser.add_argument("--admins", type=int, default=1)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--ping-every", type=float, default=5.0, help="seconds between pings")
    parser.add_argument("--hang", type=float, default=10.0, help="an answer slower is a hang")
    parser.add_argument(
        "--no-resend",
        action="store_true",
        help="listeners send each observation once (the player before it re-sent them)",
    )
    parser.add_argument("--quick", action="store_true", help="20 s of load, a 3 s outage")
    parser.add_argument("--save", type=Path, default=None, help="where the output is written")
    parser.add_argument("--log", type=Path, default=None, help="keep gunicorn's log here")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.outage = 20.0, 3.0
    if args.seconds < 10 or args.outage <= 0 or args.outage > args.seconds / 4:
        raise SoakError("--seconds must be at least 10, --outage positive and under a quarter")
    save = args.save or RESULTS / ("soak-quick.txt" if args.quick else "soak-run.txt")
    lines: list[str] = []
    pg = PostgresInstance(prefix="durus-soak-")
    try:
        lines = run(args, pg)
    finally:
        pg.destroy()
    RESULTS.mkdir(exist_ok=True)
    save.write_text("\n".join(lines) + "\n")
    print(f"\n(written to {save.relative_to(ROOT) if save.is_relative_to(ROOT) else save})")


def run(args: argparse.Namespace, pg: PostgresInstance) -> list[str]:
    folders = {name: pg.root / name for name in ("media", "analytics", "outbox", "tmp")}
    for folder in folders.values():
        folder.mkdir()
    print(f"PostgreSQL of the run in {pg.root}; migrating and seeding", flush=True)
    pg.init()
    pg.start()
    pg.create_database(DATABASE)
    site = prepare(pg, folders, args.listeners)
    env = {
        "DURUS_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": pg.libpq_url(DATABASE),
        "MEDIA_ROOT": str(folders["media"]),
        "ANALYTICS_DIR": str(folders["analytics"]),
        "MAIL_OUTBOX": str(folders["outbox"]),
        "TMPDIR": str(folders["tmp"]),
        "TRUSTED_PROXIES": "1",
    }
    log = pg.root / "gunicorn.log"
    record = Record()
    timeline = Timeline()
    stop = threading.Event()
    with (
        log.open("w+b") as out,
        gunicorn("app:app", args.workers, env, ROOT, out, "info") as (
            base,
            master,
        ),
    ):
        print(
            f"gunicorn: {args.workers} sync workers at {base}; signing in "
            f"{args.listeners} listeners, {args.editors} editors, {args.admins} administrators",
            flush=True,
        )
        listeners = [
            Listener(i, base, site, record, args.ping_every, not args.no_resend)
            for i in range(args.listeners)
        ]
        upload_session, upload_token = signed_in(base, *EDITOR, "10.78.1.1")
        uploader = (base, upload_session, upload_token, site.scholar_id)
        record.origin = time.monotonic()
        until = record.origin + args.seconds
        print(f"load for {args.seconds:g} s; the faults:", flush=True)
        threads = [
            threading.Thread(target=listener.run, args=(until, stop), daemon=True)
            for listener in listeners
        ]
        threads += [
            threading.Thread(target=editor, args=(i, base, site, record, until, stop), daemon=True)
            for i in range(args.editors)
        ]
        threads += [
            threading.Thread(target=administrator, args=(i, base, record, until, stop), daemon=True)
            for i in range(args.admins)
        ]
        fault = threading.Thread(
            target=conductor,
            args=(pg, args, record, timeline, folders["analytics"], uploader, stop),
            daemon=True,
        )
        for thread in [*threads, fault]:
            thread.start()
        try:
            fault.join()
            for thread in threads:
                thread.join(timeout=args.seconds + FLUSH_SECONDS + 60)
        except KeyboardInterrupt:
            stop.set()
            raise
        record.event("load finished (the listeners' last observations flushed)")
        rss, peak = worker_memory(master)
    gunicorn_log = log.read_text(errors="replace")
    if args.log:
        args.log.write_text(gunicorn_log)
    return report(args, pg, site, record, timeline, listeners, folders, gunicorn_log, (rss, peak))


def report(
    args: argparse.Namespace,
    pg: PostgresInstance,
    site: Site,
    record: Record,
    timeline: Timeline,
    listeners: list[Listener],
    folders: dict[str, Path],
    gunicorn_log: str,
    memory: tuple[float, float],
) -> list[str]:
    calls = record.calls
    outage = timeline.outage
    lines = [
        f"soak: {args.seconds:g} s of load, {args.listeners} listeners (a ping every "
        f"{args.ping_every:g} s{', sent once' if args.no_resend else ''}), "
        f"{args.editors} editors, {args.admins} administrators; "
        f"gunicorn {args.workers} sync workers; PostgreSQL down {outage[1] - outage[0]:.1f} s "
        f"(from {outage[0]:.1f} s to {outage[1]:.1f} s)",
        "",
        "timeline:",
        *(f"  {at:6.1f} s  {text}" for at, text in record.events),
        "",
        *table(calls, outage, args.hang),
        f"(503 down: answered 503 while PostgreSQL was away; 5xx else: any 5xx outside that, "
        f"goal 0; other: 4xx or no answer; hangs: over {args.hang:g} s)",
    ]
    others = other_errors(calls, outage)
    if others:
        lines += ["other answers, by kind:", *others]
    lines += ["", "recovery after PostgreSQL returned:", *recovery(calls, outage[1])]
    window = timeline.analytics
    listener_kinds = {"listener page", "audio range", "progress ping"}
    failed = [
        c
        for c in calls
        if c.kind in listener_kinds
        and overlaps(c, window)
        and (c.status is None or c.status >= 400)
    ]
    served = sum(1 for c in calls if c.kind in listener_kinds and overlaps(c, window))
    lines += [
        "",
        f"analytics folder removed, then read-only ({window[0]:.1f}-{window[1]:.1f} s): "
        f"{served} listener requests, {len(failed)} failed",
    ]
    checked, wrong, details = lost_updates(pg, listeners)
    unsent = sum(len(x.unsent) for x in listeners)
    lines += [
        f"lost progress updates: {wrong} of {checked} (listener, lecture) pairs "
        f"({unsent} observations still unsent after the {FLUSH_SECONDS:g} s flush)",
        *details[:10],
    ]
    created = pg.execute(DATABASE, "SELECT count(*) FROM lectures WHERE title LIKE 'Soak upload %'")
    uploads = ", ".join(
        f"{k}: {v if v is not None else 'no answer'}" for k, v in timeline.uploads.items()
    )
    strays = stray_files(pg, folders["media"])
    temps = [p.name for p in folders["tmp"].rglob("*") if p.is_file()]
    lines += [
        f"uploads: {uploads}; lectures they created: {created[0][0]} (goal 1, the slow one)",
        f"files in the media store without a row: {len(strays)}"
        + (f" ({', '.join(strays[:5])})" if strays else "")
        + f"; files left in the workers' temporary folder: {len(temps)}",
    ]
    boots = gunicorn_log.count("Booting worker")
    timeouts = gunicorn_log.count("WORKER TIMEOUT")
    unavailable = gunicorn_log.count("database unavailable")
    tracebacks = gunicorn_log.count("Traceback")
    dropping = re.findall(r"analytics: events are being dropped \(([^)]*)\)", gunicorn_log)
    events = sum(
        len(p.read_bytes().splitlines()) for p in folders["analytics"].glob("events-*.ndjson")
    )
    lines += [
        f"gunicorn: {boots - args.workers} worker restarts, {timeouts} worker timeouts, "
        f"{unavailable} 'database unavailable' warnings, {tracebacks} tracebacks in its log",
        f"analytics: {events} events in the log at the end; workers warned of dropping "
        f"events {len(dropping)} times ({', '.join(sorted(set(dropping))) or 'never'})",
        f"worker memory after the run: largest RSS {memory[0]:.0f} MiB, "
        f"largest peak (VmHWM) {memory[1]:.0f} MiB",
    ]
    if tracebacks_found := exceptions_in(gunicorn_log):
        lines += ["exceptions in gunicorn's log:", *tracebacks_found]
    timeline_end = lines.index("", 2)  # the timeline was printed as it happened
    print()
    print("\n".join([lines[0], *lines[timeline_end:]]))
    return lines


if __name__ == "__main__":
    main()
