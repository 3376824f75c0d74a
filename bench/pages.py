"""Pages and progress pings under gunicorn with the production settings, with wrk as the load.

    .venv/bin/python bench/pages.py [--database durus_synth] [--seconds 3] [--quick]

Loopback only, bounded (a few minutes with the defaults, under one with --quick). It starts
gunicorn (sync workers, 5 by default) on a free 127.0.0.1 port twice: once with a minimal
Flask "hello" app (the framework limit), once with Durus (DURUS_ENV=production, a random
SECRET_KEY, TRUSTED_PROXIES=1, analytics into a temporary folder). wrk, in its own process,
fetches each page at each connection count for --seconds; then the progress ping (signed-in
form POSTs with the CSRF token, another lecture and position each time); then pgbench runs the
ping's upsert directly against the same database (the database limit). It prints one table,
the workers' memory, the targets of issue 10, and writes EXPLAIN (ANALYZE, BUFFERS) of every
SELECT of the listing, search and library pages to bench/results/explain-*.txt.

Accounts: the demo ones when the database has them (flask seed demo), otherwise the synthetic
admin and listeners (flask seed synthetic, one shared password). The pings and pgbench write
progress rows for those accounts. Figures, not assertions; not part of the test suite.
"""

from __future__ import annotations

import argparse
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import requests
from serving import gunicorn, worker_memory

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PGDATA = ROOT / "instance" / "pgdata"
PG_BIN = Path(sys.prefix) / "lib/python3.11/site-packages/pgserver/pginstall/bin"
RESULTS = BENCH / "results"
AUDIO_RANGE = "0-65535"  # 64 KiB
SEARCHES = ["الصلاة", "prayer", "التوحيد", "patience", "الصيام fasting", "tafsir", "الفقه"]
DEMO = {
    "admin": ("admin@durus.example", "durus-admin-demo"),
    "listeners": [
        ("listener@durus.example", "durus-listener-demo"),
        ("maryam@durus.example", "durus-maryam-demo"),
        ("hamza@durus.example", "durus-hamza-demo"),
    ],
}


class BenchError(SystemExit):
    def __init__(self, message: str) -> None:
        super().__init__(f"pages.py: {message}")


def create_hello_app():  # type: ignore[no-untyped-def]
    """gunicorn 'pages:create_hello_app()': the framework limit."""
    from flask import Flask

    app = Flask(__name__)

    @app.get("/")
    def hello() -> str:
        return "Hello, World!"

    return app


# --- the site under test -------------------------------------------------------------------


@dataclass
class Target:
    paths: dict[str, list[str]]  # row name -> paths wrk cycles through
    signed_in: set[str]  # rows fetched as the listener; admin rows as the admin
    admin_rows: set[str]
    lecture_ids: list[str]
    admin: tuple[str, str] | None
    listeners: list[tuple[str, str]]


def bench_app(url: str, analytics_dir: str):  # type: ignore[no-untyped-def]
    from durus import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "ANALYTICS_DIR": analytics_dir,
        }
    )


def discover(app) -> Target:  # type: ignore[no-untyped-def]
    """Pages of a lecture in a series from the middle of the catalogue, and the accounts."""
    from sqlalchemy import func, select

    from durus.extensions import db
    from durus.models import Lecture, MediaAsset, Role, Scholar, Series, User
    from durus.models.visibility import visible_lectures
    from durus.synthetic import SYNTHETIC_PASSWORD

    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(Lecture)) or 0
        row = db.session.execute(
            visible_lectures(Lecture.slug, Series.slug, Scholar.slug)
            .where(Lecture.series_id.is_not(None))
            .order_by(Lecture.id)
            .offset(total // 3)
            .limit(1)
        ).first()
        if row is None:
            raise BenchError("no published lecture in a series: seed the database first")
        lecture_ids = [
            str(i)
            for i in db.session.scalars(
                visible_lectures(Lecture.id)
                .join(MediaAsset, MediaAsset.id == Lecture.audio_asset_id)
                .order_by(Lecture.id)
                .offset(total // 4)
                .limit(200)
            )
        ]
        audio = db.session.execute(
            visible_lectures(MediaAsset.id, MediaAsset.storage_key)
            .join(MediaAsset, MediaAsset.id == Lecture.audio_asset_id)
            .order_by(Lecture.id)
            .limit(1)
        ).first()
        emails = set(
            db.session.scalars(select(User.email).where(User.email.like("%@durus.example")))
        )
        if DEMO["admin"][0] in emails:
            admin, listeners = DEMO["admin"], [a for a in DEMO["listeners"] if a[0] in emails]
        else:
            first_admin = db.session.scalar(
                select(User.email).where(User.role == Role.ADMIN).order_by(User.created_at)
            )
            admin = (first_admin, SYNTHETIC_PASSWORD) if first_admin else None
            listeners = [
                (email, SYNTHETIC_PASSWORD)
                for email in db.session.scalars(
                    select(User.email)
                    .where(User.role == Role.LISTENER)
                    .order_by(User.id)
                    .offset(1000)
                    .limit(4)
                )
            ]
    lecture, series, scholar = row
    library = [
        "/library",
        "/library/series",
        "/library/favourites",
        "/library/history",
        "/library/saved",
    ]
    paths: dict[str, list[str]] = {
        "home": ["/"],
        "scholar": [f"/scholars/{scholar}"],
        "series": [f"/series/{series}"],
        "lecture": [f"/lectures/{lecture}"],
        "search": [f"/search?q={requests.utils.quote(q)}" for q in SEARCHES],
        **{f"library {p.removeprefix('/library').strip('/') or 'continue'}": [p] for p in library},
        "editorial list": ["/editorial"],
        "admin users": ["/admin/users"],
    }
    if audio is not None:  # a 64 KiB range of a recording, as a player seeking asks
        paths["audio range"] = [f"/media/audio/{audio.id}.{audio.storage_key.rsplit('.', 1)[-1]}"]
    return Target(
        paths=paths,
        signed_in={name for name in paths if name.startswith("library")},
        admin_rows={"editorial list", "admin users"},
        lecture_ids=lecture_ids,
        admin=admin,
        listeners=listeners,
    )


# --- processes -------------------------------------------------------------------------------


@dataclass
class Result:
    requests: int
    seconds: float
    errors: int  # socket errors and non-2xx/3xx answers
    p50: float  # milliseconds
    p95: float
    p99: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk(base: str, script: str, args: list[str], connections: int, seconds: float) -> Result:
    threads = min(connections, 2)
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(seconds, 1):.0f}s"]
    cmd += ["--timeout", "5s", "-s", str(BENCH / script), base, "--", *args]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise BenchError(f"wrk failed: {(out.stderr or out.stdout).strip()[:200]}")
    n, duration, sock, status, p50, p95, p99 = (int(x) for x in line.split()[1:])
    return Result(n, duration / 1e6, sock + status, p50 / 1e3, p95 / 1e3, p99 / 1e3)


def sign_in(base: str, account: tuple[str, str], address: str) -> tuple[str, str]:
    """(Cookie header, CSRF token) of a fresh session of the account."""
    session = requests.Session()
    session.headers["X-Forwarded-For"] = address  # its own sign-in rate limit
    page = session.get(base + "/auth/sign-in", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    if token is None:
        raise BenchError("no CSRF token on the sign-in page")
    data = {"email": account[0], "password": account[1], "csrf_token": token.group(1)}
    session.post(base + "/auth/sign-in", data=data, timeout=10, allow_redirects=False)
    check = session.get(base + "/library", timeout=10, allow_redirects=False)
    if check.status_code != 200:
        raise BenchError(
            f"could not sign in as {account[0]} (library answered {check.status_code})"
        )
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', check.text)
    cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    return cookie, csrf.group(1) if csrf else ""


# --- pgbench -------------------------------------------------------------------------------

UPSERT = """\
\\set u random(1, {users})
\\set l random(1, {lectures})
\\set p random(0, 3000)
INSERT INTO user_progress (user_id, lecture_id, position_seconds, completed_at, observed_at)
VALUES (('{{{user_ids}}}'::uuid[])[:u], ('{{{lecture_ids}}}'::uuid[])[:l], :p, NULL,
        clock_timestamp())
ON CONFLICT (user_id, lecture_id) DO UPDATE SET
  position_seconds = excluded.position_seconds,
  completed_at = coalesce(user_progress.completed_at, excluded.completed_at),
  observed_at = excluded.observed_at,
  dismissed_at = CASE WHEN user_progress.dismissed_at < excluded.observed_at THEN NULL
                      ELSE user_progress.dismissed_at END,
  updated_at = now()
WHERE user_progress.observed_at < excluded.observed_at
RETURNING user_id;
"""


def pgbench(
    database: str, user_ids: list[str], lecture_ids: list[str], clients: int, seconds: float
) -> tuple[float, float]:
    """(transactions per second, mean latency in ms) of the ping's upsert."""
    exe = PG_BIN / "pgbench" if (PG_BIN / "pgbench").exists() else shutil.which("pgbench")
    if exe is None:
        raise BenchError("pgbench not found")
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as script:
        script.write(
            UPSERT.format(
                users=len(user_ids),
                lectures=len(lecture_ids),
                user_ids=",".join(user_ids),
                lecture_ids=",".join(lecture_ids),
            )
        )
        script.flush()
        cmd = [str(exe), "-n", "-M", "prepared", "-c", str(clients), "-j", "2"]
        cmd += [
            "-T",
            str(max(1, round(seconds))),
            "-f",
            script.name,
            "-h",
            str(PGDATA),
            "-U",
            "postgres",
            database,
        ]
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603
    tps = re.search(r"tps = ([\d.]+)", out.stdout)
    latency = re.search(r"latency average = ([\d.]+) ms", out.stdout)
    if out.returncode != 0 or tps is None:
        raise BenchError(f"pgbench failed: {(out.stderr or out.stdout).strip().splitlines()[-1:]}")
    return float(tps.group(1)), float(latency.group(1)) if latency else 0.0


# --- EXPLAIN -----------------------------------------------------------------------------------


def explain_pages(app, target: Target, out_dir: Path) -> list[str]:  # type: ignore[no-untyped-def]
    """EXPLAIN (ANALYZE, BUFFERS) of every SELECT a page issues, one file per page; returns a
    summary line per page (queries, and the tables read with a sequential scan)."""
    from sqlalchemy import event

    from durus.extensions import db

    pages = {"listing": ["/lectures"], "search": target.paths["search"][:2]}
    pages.update(
        {n.replace(" ", "-"): p for n, p in target.paths.items() if n.startswith("library")}
    )
    with app.app_context():
        engine = db.engine
    # Requests outside that context: each gets its own session, as under gunicorn.
    client = app.test_client()
    if target.listeners:
        email, password = target.listeners[0]
        client.post("/auth/sign-in", data={"email": email, "password": password})
    summary = []
    for name, paths in pages.items():
        captured: list[tuple[str, object]] = []

        def capture(conn, cursor, statement, parameters, context, many, captured=captured):  # type: ignore[no-untyped-def]
            if statement.lstrip(" (").upper().startswith(("SELECT", "WITH")):
                captured.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", capture)
        try:
            statuses = {client.get(path).status_code for path in paths}
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        text, seq = [], set()
        with engine.connect() as conn:
            for statement, parameters in captured:
                plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                lines = [r[0] for r in plan]
                seq.update(m.group(1) for x in lines if (m := re.search(r"Seq Scan on (\w+)", x)))
                text.append(f"-- {paths}\n{statement}\n-- {parameters}\n" + "\n".join(lines) + "\n")
            conn.rollback()
        (out_dir / f"explain-{name}.txt").write_text("\n".join(text))
        per_page = len(captured) / max(len(paths), 1)
        seqs = ", ".join(sorted(seq)) or "none"
        status = ",".join(str(x) for x in sorted(statuses))
        summary.append(f"{name:<20} {status} {per_page:>4.0f} queries/page  seq scans: {seqs}")
    return summary


# --- the run -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="durus", help="database on the embedded server")
    parser.add_argument("--seconds", type=float, default=3.0, help="wrk duration of each row")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn sync workers")
    parser.add_argument("--connections", default="1,20", help="connection counts for the pages")
    parser.add_argument("--ping-connections", type=int, default=32)
    parser.add_argument("--pgbench-clients", type=int, default=8)
    parser.add_argument(
        "--only", default="", help="comma-separated rows, 'ping' among them (default: all)"
    )
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument(
        "--no-ping", action="store_true", help="pages only: no progress rows written"
    )
    parser.add_argument("--quick", action="store_true", help="1 s rows, 2 workers-worth of time")
    args = parser.parse_args()
    if args.quick:
        args.seconds = 1.0
    if shutil.which("wrk") is None:
        raise BenchError("wrk not found (apt-get install wrk)")
    try:
        counts = [int(c) for c in args.connections.split(",")]
    except ValueError:
        raise BenchError(
            f"--connections must be numbers separated by commas, not {args.connections!r}"
        ) from None
    if not PGDATA.exists():
        raise BenchError(f"no embedded database in {PGDATA}")
    url = f"postgresql+psycopg://postgres:@/{args.database}?host={PGDATA}"
    analytics = tempfile.mkdtemp(prefix="durus-bench-analytics-")
    RESULTS.mkdir(exist_ok=True)
    try:
        run(args, counts, url, analytics)
    finally:
        shutil.rmtree(analytics, ignore_errors=True)


def run(args: argparse.Namespace, counts: list[int], url: str, analytics: str) -> None:
    import sqlalchemy.exc

    try:
        app = bench_app(url, analytics)
        target = discover(app)
    except sqlalchemy.exc.DBAPIError as exc:
        raise BenchError(
            f"database {args.database}: {str(exc.orig).strip().splitlines()[0]}"
        ) from None
    if args.only:
        wanted = {x.strip() for x in args.only.split(",")}
        unknown = wanted - set(target.paths) - {"ping"}
        if unknown:
            raise BenchError(
                f"unknown rows {sorted(unknown)}; rows are {sorted(target.paths)} and ping"
            )
        target.paths = {k: v for k, v in target.paths.items() if k in wanted}
        args.no_ping = args.no_ping or "ping" not in wanted
    rows: list[tuple[str, int, Result | None, str]] = []  # name, connections, result, note
    hello: dict[int, Result] = {}
    all_counts = sorted({*counts, args.ping_connections})

    print(
        f"database {args.database}; {args.workers} sync workers; {args.seconds:g} s a row",
        flush=True,
    )
    with gunicorn("pages:create_hello_app()", args.workers, {}, BENCH) as (base, _):
        for c in all_counts:
            hello[c] = wrk(base, "pages.lua", ["-", "/"], c, args.seconds)
            rows.append(("hello", c, hello[c], ""))
            print(f"  hello x{c}: {hello[c].rate:,.0f} req/s", flush=True)

    env = {
        "DURUS_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": url.replace("+psycopg", ""),
        "ANALYTICS_DIR": analytics,
        "TRUSTED_PROXIES": "1",
    }
    with gunicorn("app:app", args.workers, env, ROOT) as (base, master):
        listener = sign_in(base, target.listeners[0], "10.255.0.1") if target.listeners else None
        admin = sign_in(base, target.admin, "10.255.0.2") if target.admin else None
        for name, paths in target.paths.items():
            session = (
                admin
                if name in target.admin_rows
                else listener
                if name in target.signed_in
                else None
            )
            if (name in target.admin_rows or name in target.signed_in) and session is None:
                rows.append((name, 0, None, "no account"))
                continue
            cookie = session[0] if session else "-"
            headers = {"Cookie": cookie} if session else {}
            ranged = name == "audio range"
            if ranged:
                headers["Range"] = f"bytes={AUDIO_RANGE}"
            for path in paths:  # warm up, and a page that fails is not a result
                status = requests.get(
                    base + path, headers=headers, timeout=30, allow_redirects=False
                ).status_code
                if status != (206 if ranged else 200):
                    raise BenchError(f"{path} answered {status}")
            extra = [f"range={AUDIO_RANGE}"] if ranged else []
            for c in counts:
                result = wrk(base, "pages.lua", [cookie, *extra, *paths], c, args.seconds)
                rows.append((name, c, result, ""))
                print(f"  {name} x{c}: {result.rate:,.0f} req/s", flush=True)

        if not args.no_ping:
            accounts = [
                sign_in(base, a, f"10.254.0.{i + 1}") for i, a in enumerate(target.listeners)
            ]
            ping_args = [",".join(target.lecture_ids)] + [x for a in accounts for x in a]
            ping = wrk(base, "ping.lua", ping_args, args.ping_connections, args.seconds * 2)
            rows.append(("progress ping", args.ping_connections, ping, ""))
            print(f"  progress ping x{args.ping_connections}: {ping.rate:,.0f} req/s", flush=True)
        rss, peak = worker_memory(master)

    pg = None
    if not args.no_ping:
        user_ids = listener_ids(app, [a[0] for a in target.listeners])
        pg = pgbench(
            args.database, user_ids, target.lecture_ids, args.pgbench_clients, args.seconds * 2
        )

    print()
    print(table(rows, hello))
    if pg is not None:
        print(
            f"\npgbench, the ping's upsert, {args.pgbench_clients} clients: {pg[0]:,.0f} TPS "
            f"(mean {pg[1]:.2f} ms); ping / pgbench = {ping.rate / pg[0]:.2f}"
        )
    print(
        f"worker memory after the run: largest RSS {rss:.0f} MiB, "
        f"largest peak (VmHWM) {peak:.0f} MiB"
    )
    print()
    print(targets(rows, hello, args.ping_connections, peak))
    if not args.no_explain:
        print("\nEXPLAIN (ANALYZE, BUFFERS), written to bench/results/explain-*.txt:")
        for line in explain_pages(app, target, RESULTS):
            print("  " + line)


def listener_ids(app, emails: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from durus.extensions import db
    from durus.models import User

    with app.app_context():
        return [str(i) for i in db.session.scalars(select(User.id).where(User.email.in_(emails)))]


def table(rows: list[tuple[str, int, Result | None, str]], hello: dict[int, Result]) -> str:
    cols = ("conns", "req/s", "x hello", "p50 ms", "p95 ms", "p99 ms", "errors")
    head = f"{'row':<20} " + " ".join(f"{c:>8}" for c in cols)
    lines = [head, "-" * len(head)]
    for name, c, r, note in rows:
        if r is None:
            lines.append(f"{name:<20} {'':>8} {note}")
            continue
        ref = hello.get(c)
        ratio = f"{r.rate / ref.rate:.2f}" if ref and ref.rate else "-"
        lines.append(
            f"{name:<20} {c:>8} {r.rate:>8,.0f} {ratio:>8} "
            f"{r.p50:>8.1f} {r.p95:>8.1f} {r.p99:>8.1f} {r.errors:>8}"
        )
    return "\n".join(lines)


def targets(
    rows: list[tuple[str, int, Result | None, str]],
    hello: dict[int, Result],
    ping_c: int,
    peak: float,
) -> str:
    """Issue 10's targets: ratios at the ping's connection count for the ping, at the largest
    page connection count for pages (20, while the issue says 32), p95 at one connection."""
    found = {(n, c): r for n, c, r, _ in rows if r is not None}
    page_c = max((c for n, c in found if n not in {"hello", "progress ping"}), default=0)
    out = []

    def check(label: str, ok: bool, detail: str) -> None:
        out.append(f"{'met ' if ok else 'MISS'}  {label}: {detail}")

    ping = found.get(("progress ping", ping_c))
    if ping:
        ratio = ping.rate / hello[ping_c].rate
        check(
            "ping >= 0.25x hello, p99 < 50 ms",
            ratio >= 0.25 and ping.p99 < 50,
            f"{ratio:.2f}x, p99 {ping.p99:.1f} ms",
        )
    groups = [(("lecture", "series", "scholar"), 0.15, 10.0)]
    groups.append(
        (tuple(n for n, _ in found if n == "search" or n.startswith("library")), 0.10, 20.0)
    )
    for names, floor, p95 in groups:
        for name in dict.fromkeys(names):
            many, one = found.get((name, page_c)), found.get((name, 1))
            if many and one:
                ratio = many.rate / hello[page_c].rate
                ok = ratio >= floor and one.p95 < p95
                check(
                    f"{name} >= {floor:.2f}x at {page_c}, p95 < {p95:g} ms at 1",
                    ok,
                    f"{ratio:.2f}x, p95 {one.p95:.1f} ms",
                )
    audio = found.get(("audio range", page_c))
    if audio:
        ratio = audio.rate / hello[page_c].rate
        megabytes = audio.rate * 65536 / 1e6
        check(
            f"audio ranges >= 0.60x hello at {page_c}",
            ratio >= 0.6,
            f"{ratio:.2f}x ({audio.rate:,.0f} ranges of 64 KiB/s, {megabytes:,.0f} MB/s)",
        )
    check("a worker under 150 MB", peak < 150 * 1.0e6 / 2**20, f"peak {peak:.0f} MiB")
    return "\n".join(out)


if __name__ == "__main__":
    main()
