"""``make loadtest``: the public booking pages under concurrent clients, on gunicorn, PostgreSQL and Redis.

It recreates a dedicated database (``LOADTEST_DATABASE_URL``, dropped and created afresh: never point it at real
data), migrates it, loads the demo clinic, starts gunicorn with 2 workers on 127.0.0.1 and drives it with a bounded
number of client threads:

1. picker: every client GETs the slot picker for one type and the current month, for ``--seconds``;
2. mix: every client cycles through a fixed mix (picker, a day's times, and now and then a booking: the details
   form, the confirm page and the booking POST), for ``--seconds``;
3. contested booking: ``--race`` clients each get to the confirm page of the same slot, then all POST at once.

For each it prints requests per second, p50 and p95, and the CPU the gunicorn workers used per request (read from
/proc, so PostgreSQL's own CPU is not included). The booking rate limits are raised by ``loadtest.settings``, a
settings module only the load test uses. Phases 1 and 2 run ``--repeat`` times: the machine may be shared.

    make loadtest
    LOADTEST_PORT=8121 LOADTEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic_loadtest \\
        LOADTEST_REDIS_URL=redis://127.0.0.1:6379/15 make loadtest LOADTEST_ARGS="--clients 10 --seconds 20"
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import http.client
import itertools
import os
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
import zoneinfo
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PICKER, DAY, BOOK_POST, BOOK_PREP = "picker", "day's times", "booking POST", "booking steps before the POST"
# The fixed mix each client cycles through: mostly browsing, one booking in ten steps.
MIX = [PICKER, DAY, PICKER, DAY, PICKER, "booking", PICKER, DAY, PICKER, DAY]


def main() -> int:
    args = _arguments()
    env = _server_env(args)
    print(f"Preparing {urlsplit(args.database_url).path.lstrip('/')} (dropped and recreated) with the demo clinic")
    _prepare_database(args, env)
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "clinic.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_ready(args.port)
        site = Site(args.port, server.pid)
        slug = site.type_slug()
        print(f"gunicorn (2 workers) on 127.0.0.1:{args.port}, {args.clients} clients, picker {site.picker_path(slug)}")
        print(f"load average before: {_load()}\n")
        for run in range(1, args.repeat + 1):
            suffix = f" (run {run} of {args.repeat})" if args.repeat > 1 else ""
            _report(f"picker alone{suffix}", site.drive(args.clients, args.seconds, lambda b: [PICKER], slug))
            _report(f"fixed mix{suffix}", site.drive(args.clients, args.seconds, lambda b: MIX, slug))
        _report_race(site.race(args.race, slug))
        print(f"\nload average after: {_load()}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m loadtest", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LOADTEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic_loadtest"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("LOADTEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("LOADTEST_PORT", "8121")))
    parser.add_argument("--clients", type=int, default=10, help="Concurrent clients (threads).")
    parser.add_argument("--seconds", type=float, default=20, help="Length of each timed phase.")
    parser.add_argument("--race", type=int, default=30, help="Clients booking the same slot at once.")
    parser.add_argument("--repeat", type=int, default=2, help="Runs of the picker and mix phases.")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        parser.error("the load test runs on PostgreSQL: give a postgres:// LOADTEST_DATABASE_URL")
    return args


def _server_env(args: argparse.Namespace) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "loadtest.settings",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_HTTPS": "false",
        "DJANGO_STATIC_MANIFEST": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_LOG_LEVEL": "WARNING",
        "EMAIL_URL": "consolemail://",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }


def _prepare_database(args: argparse.Namespace, env: dict[str, str]) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(args.database_url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo", "--force"]):
        subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )


def _wait_ready(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/book/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer within 60 s")


# --- One browser ------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    location: str
    body: str
    seconds: float


class Browser:
    """One client: its own cookies, a new connection per request (gunicorn's sync workers close them)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, fields: dict[str, str]) -> Response:
        return self.request("POST", path, urlencode(fields))

    def request(self, method: str, path: str, body: str | None = None) -> Response:
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            text = raw.read().decode("utf-8", "replace")
        finally:
            conn.close()
        elapsed = time.perf_counter() - started
        for header in raw.headers.get_all("Set-Cookie") or []:
            for morsel in SimpleCookie(header).values():
                self.cookies[morsel.key] = morsel.value
        return Response(raw.status, raw.headers.get("Location", ""), text, elapsed)


def _links(body: str, pattern: str) -> list[str]:
    hrefs = (html.unescape(href) for href in re.findall(r'href="([^"]*)"', body))
    return [href for href in hrefs if re.search(pattern, href)]


def _slot_urls(body: str) -> list[str]:
    """The times on a day's page: each is a GET form (a button) whose hidden fields make the confirm URL."""
    urls = []
    for action, inner in re.findall(r'<form method="get" action="([^"]*/confirm/)"[^>]*>(.*?)</form>', body, re.S):
        query = urlencode(_inputs(inner))
        urls.append(f"{html.unescape(action)}?{query}")
    return urls


def _inputs(body: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r"<input[^>]*>", body):
        name, value = re.search(r'name="([^"]*)"', tag), re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return fields


# --- The site under test ----------------------------------------------------------------------------


@dataclass
class Phase:
    seconds: float
    cpu_seconds: float
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))


class Site:
    def __init__(self, port: int, master_pid: int) -> None:
        self.port = port
        self.master_pid = master_pid
        self.emails = itertools.count(1)
        self.lock = threading.Lock()

    def type_slug(self) -> str:
        links = _links(Browser(self.port).get("/book/").body, r"^/book/[\w-]+/$")
        return links[0].strip("/").split("/")[-1]

    def picker_path(self, slug: str) -> str:
        """The picker for the current month, or the next one when the current has no openings left (its last
        days, past the minimum notice): a month with openings is what patients load."""
        today = dt.datetime.now(zoneinfo.ZoneInfo("America/New_York")).date()
        following = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        for month in (today, following):
            path = f"/book/{slug}/?{urlencode({'month': month.strftime('%Y-%m')})}"
            if self.open_days(path):
                return path
        raise SystemExit("The demo clinic has no openings this month or next: nothing to load-test")

    def open_days(self, picker: str) -> list[str]:
        return _links(Browser(self.port).get(picker).body, r"[?&]date=\d{4}-\d\d-\d\d")

    def worker_cpu(self) -> float:
        """CPU seconds (user + system) of the gunicorn workers so far."""
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.master_pid:  # ppid
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / CLOCK_TICKS

    def drive(self, clients: int, seconds: float, plan: Callable[[Browser], list[str]], slug: str) -> Phase:
        picker = self.picker_path(slug)
        days = self.open_days(picker)
        deadline = time.monotonic() + seconds
        phase = Phase(seconds, 0)

        def client() -> None:
            browser = Browser(self.port)
            for step in itertools.cycle(plan(browser)):
                if time.monotonic() >= deadline:
                    return
                try:
                    if step == PICKER:
                        self._timed(phase, PICKER, browser.get(picker), 200)
                    elif step == DAY:
                        day = days[next(self.emails) % len(days)] if days else picker
                        self._timed(phase, DAY, browser.get(day), 200)
                    else:
                        self._book(phase, browser, slug, days)
                except OSError as error:
                    with self.lock:
                        phase.errors[type(error).__name__] += 1

        cpu_before, started = self.worker_cpu(), time.monotonic()
        threads = [threading.Thread(target=client) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        phase.seconds = time.monotonic() - started
        phase.cpu_seconds = self.worker_cpu() - cpu_before
        return phase

    def _timed(self, phase: Phase, kind: str, response: Response, expected: int | tuple[int, ...]) -> Response:
        with self.lock:
            phase.timings[kind].append(response.seconds)
            if response.status not in (expected if isinstance(expected, tuple) else (expected,)):
                phase.errors[f"{kind}: HTTP {response.status}"] += 1
        return response

    def _prepare_booking(self, phase: Phase, browser: Browser, confirm: str) -> dict[str, str] | None:
        """Visitor details, then the confirm page: the fields the booking POST sends."""
        response = browser.get(confirm)
        if response.status == 200:  # this browser gave its details for an earlier booking
            self._timed(phase, BOOK_PREP, response, 200)
            inputs = _inputs(response.body)
            return {k: inputs.get(k, "") for k in ("csrfmiddlewaretoken", "provider", "start", "idempotency_key")}
        details_path = self._timed(phase, BOOK_PREP, response, 302).location  # to the details form
        form = self._timed(phase, BOOK_PREP, browser.get(details_path), 200)
        fields = {
            "csrfmiddlewaretoken": _inputs(form.body).get("csrfmiddlewaretoken", ""),
            "legal_first_name": "Load",
            "legal_last_name": "Test",
            "email": f"load-{next(self.emails)}-{secrets.token_hex(3)}@example.org",
            "phone": "+16175550123",
            "date_of_birth": "1980-01-01",
            "time_zone": "America/New_York",
        }
        self._timed(phase, BOOK_PREP, browser.post(details_path, fields), 302)
        page = self._timed(phase, BOOK_PREP, browser.get(confirm), 200)
        if page.status != 200:
            return None
        inputs = _inputs(page.body)
        return {k: inputs.get(k, "") for k in ("csrfmiddlewaretoken", "provider", "start", "idempotency_key")}

    def _book(self, phase: Phase, browser: Browser, slug: str, days: list[str]) -> None:
        if not days:
            return
        day = days[next(self.emails) % len(days)]
        slots = _slot_urls(browser.get(day).body)
        if not slots:
            return
        confirm = slots[next(self.emails) % len(slots)]
        fields = self._prepare_booking(phase, browser, confirm)
        if fields:
            # 409: another client took the slot a moment before (the page offers the nearest others)
            self._timed(phase, BOOK_POST, browser.post(confirm, fields), (302, 409))

    def race(self, clients: int, slug: str) -> tuple[list[Response], float]:
        """``clients`` visitors reach the confirm page of one slot, then all POST at the same moment."""
        days = self.open_days(self.picker_path(slug))
        confirm = _slot_urls(Browser(self.port).get(days[-1]).body)[0]
        scratch = Phase(0, 0)
        ready = []
        for _ in range(clients):
            browser = Browser(self.port)
            ready.append((browser, self._prepare_booking(scratch, browser, confirm)))
        barrier = threading.Barrier(clients)
        results: list[Response] = []
        cpu_before = self.worker_cpu()

        def post(browser: Browser, fields: dict[str, str]) -> None:
            barrier.wait()
            response = browser.post(confirm, fields)
            with self.lock:
                results.append(response)

        threads = [threading.Thread(target=post, args=pair) for pair in ready if pair[1]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return results, self.worker_cpu() - cpu_before


# --- Reporting --------------------------------------------------------------------------------------


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def _percentiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return (values[0] * 1000, values[0] * 1000) if values else (0.0, 0.0)
    cuts = statistics.quantiles(values, n=20)
    return statistics.median(values) * 1000, cuts[-1] * 1000


def _report(title: str, phase: Phase) -> None:
    total = sum(len(v) for v in phase.timings.values())
    print(f"{title}: {total} requests in {phase.seconds:.1f} s = {total / phase.seconds:.1f} req/s")
    for kind, values in phase.timings.items():
        p50, p95 = _percentiles(values)
        rate = len(values) / phase.seconds
        print(f"  {kind:<32} {len(values):>5}  {rate:6.1f} req/s  p50 {p50:6.0f} ms  p95 {p95:6.0f} ms")
    if total:
        print(f"  server CPU (gunicorn workers): {phase.cpu_seconds * 1000 / total:.1f} ms per request")
    if phase.errors:
        print(f"  unexpected answers: {dict(phase.errors)}")
    print()


def _report_race(outcome: tuple[list[Response], float]) -> None:
    results, cpu = outcome
    booked = sum(1 for r in results if r.status == 302 and "/book/booked/" in r.location)
    p50, p95 = _percentiles([r.seconds for r in results])
    slowest = max((r.seconds for r in results), default=0) * 1000
    print(
        f"contested booking: {len(results)} POSTs for one slot at once: {booked} booked, "
        f"{len(results) - booked} told it was taken"
    )
    print(f"  p50 {p50:.0f} ms  p95 {p95:.0f} ms  slowest {slowest:.0f} ms")
    if results:
        print(f"  server CPU (gunicorn workers): {cpu * 1000 / len(results):.1f} ms per POST")


if __name__ == "__main__":
    sys.exit(main())
