"""``make faulttest``: the outbox and booking under real faults, with real processes.

On a throwaway PostgreSQL database next to DATABASE_URL's and a private Redis on its own port, it starts gunicorn
(2 workers), two Celery workers and beat, and a mail server of its own (tools/faultsmtp.py). Visitors book through
the public pages over HTTP while it stops Redis, makes the mail server refuse connections, answer 421, answer 451 at
RCPT TO, and kills a worker in the middle of a send. Then it waits for the sweep and prints:

- bookings succeeded and failed, HTTP 5xx, and how long the booking POST took;
- emails lost (counted from the bookings made: each visitor's confirmation and set-password link), delivered once,
  delivered more than once (and whether the copies share their Message-ID);
- for each fault, the time from its end to the last delivery it held up, against its bound: the mail server, its
  next retry plus 60 s; Redis, 90 s after it is back; a killed worker, the lease plus 60 s.

It exits 1 on any breach, and stops every process it started. ``--short`` (or FAULTTEST_PROFILE=short) runs in
under five minutes with shorter fault windows and the outbox's intervals lowered (tools/faulttest_settings.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic .venv/bin/python tools/faulttest.py --short
"""

from __future__ import annotations

import argparse
import email
import email.policy
import html
import http.cookiejar
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.faultsmtp import FaultSMTP, Received  # noqa: E402

BIN = Path(sys.executable).parent
FORBIDDEN = ("ketamine", "infusion")
KINDS = {"Set your password": "set_password", "Your appointment is booked": "confirmation"}


@dataclass(frozen=True)
class Profile:
    name: str
    bookings: int
    every: float  # seconds between bookings
    faults: tuple[tuple[str, float, float], ...]  # (fault, start offset, duration); "kill" has no duration
    lease: float  # the outbox lease in this profile's settings


FULL = Profile(
    name="full",
    bookings=150,
    every=3.0,
    # Apart enough that one fault's retries (backoff from 60 s) are over before the next begins.
    faults=(("redis", 15, 60), ("refuse", 150, 20), ("421", 250, 20), ("451-rcpt", 350, 20), ("kill", 420, 0)),
    lease=120,
)
SHORT = Profile(
    name="short",
    bookings=40,
    every=3.0,
    faults=(("redis", 6, 20), ("refuse", 45, 8), ("421", 75, 8), ("451-rcpt", 100, 8), ("kill", 115, 0)),
    lease=20,
)
ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(L)s %({x-faulttest-booking}i)s"
# When the latest email that a fault made wait is due for its next try.
NEXT_RETRY = "SELECT EXTRACT(EPOCH FROM max(due_at)) FROM clinic_notification WHERE status = 'pending' AND attempts > 0"
BOUND_AFTER = {"redis": 90.0, "smtp": 60.0, "kill": 60.0}


# --- Processes --------------------------------------------------------------------------------------


class Processes:
    """Every process the harness starts, each in its own process group, so stopping it stops its children."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: dict[str, subprocess.Popen] = {}

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started[name] = process
        return process

    def stop(self, name: str, sig: int = signal.SIGTERM, wait: float = 15) -> None:
        process = self.started.pop(name, None)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass

    def stop_all(self) -> None:
        for name in list(self.started):
            self.stop(name)

    def pids(self, prefix: str) -> list[int]:
        return [p.pid for name, p in self.started.items() if name.startswith(prefix) and p.poll() is None]


def descendants(roots: list[int]) -> set[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    found = set(roots)
    grew = True
    while grew:
        grew = False
        for pid, ppid in parents.items():
            if ppid in found and pid not in found:
                found.add(pid)
                grew = True
    return found


def pid_of_client(client_port: int, server_port: int, candidates: set[int]) -> int | None:
    """Which of ``candidates`` owns the TCP connection from ``client_port`` to ``server_port`` (Linux /proc)."""
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            parts = line.split()
            local, remote = parts[1], parts[2]
            if int(local.rsplit(":", 1)[1], 16) == client_port and int(remote.rsplit(":", 1)[1], 16) == server_port:
                inode = parts[9]
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for pid in candidates:
        for fd in Path(f"/proc/{pid}/fd").glob("*"):
            try:
                if os.readlink(fd) == target:
                    return pid
            except OSError:
                continue
    return None


# --- The database -----------------------------------------------------------------------------------


def throwaway_database(url: str) -> tuple[str, str]:
    """(admin URL, throwaway URL): a database named after DATABASE_URL's with ``_faulttest`` appended."""
    parsed = urllib.parse.urlsplit(url)
    name = parsed.path.lstrip("/") or "clinic"
    throwaway = parsed._replace(path=f"/{name}_faulttest").geturl()
    admin = parsed._replace(path="/postgres").geturl()
    return admin, throwaway


def sql(url: str, statement: str, *params: Any) -> list[tuple]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cursor:
        cursor.execute(statement, params or None)
        return cursor.fetchall() if cursor.description else []


# --- Booking over HTTP ------------------------------------------------------------------------------


@dataclass
class Booking:
    n: int
    email: str
    started: float = 0.0
    finished: float = 0.0
    post_seconds: float = 0.0
    ok: bool = False
    collisions: int = 0
    server_errors: int = 0
    error: str = ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Visitor:
    def __init__(self, base: str, n: int) -> None:
        self.base = base
        self.n = n
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)
        self.server_errors = 0

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        url = path if path.startswith("http") else self.base + path
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"Referer": self.base + "/", "X-Faulttest-Booking": str(self.n)}
        request = urllib.request.Request(url, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(), response.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            if error.code >= 500:
                self.server_errors += 1
            return error.code, error.read().decode(errors="replace"), error.headers.get("Location", "")

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")


def _links(page: str, pattern: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'href="([^"]*)"', page) if re.search(pattern, html.unescape(m))]


def _hidden_fields(page: str) -> dict[str, str]:
    form = next((chunk for chunk in page.split("<form")[1:] if 'name="idempotency_key"' in chunk), page)
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.split("</form>")[0])
    }


def _slots(visitor: Visitor, slug: str, n: int) -> list[str]:
    """The open times of one day; visitor ``n`` looks at the n-th open day, as real visitors spread out."""
    _, page, _ = visitor.request(f"/book/{slug}/?tz=America/New_York")
    days = _links(page, r"date=\d{4}-\d{2}-\d{2}")
    next_month = _links(page, r"month=\d{4}-\d{2}")
    if len(days) < 10 and next_month:
        _, page, _ = visitor.request(next_month[-1])
        days += _links(page, r"date=\d{4}-\d{2}-\d{2}")
    for offset in range(len(days)):
        _, day_page, _ = visitor.request(days[(n + offset) % len(days)])
        slots = _links(day_page, r"/confirm/\?")
        if slots:
            return slots
    raise RuntimeError("no open time found")


def book_once(base: str, booking: Booking, slug: str = "phone-consultation") -> None:
    """One visitor books: details, then confirm. A time another visitor took a moment ago is chosen again, as a
    person would (counted in ``booking.collisions``); anything else is a failed booking."""
    visitor = Visitor(base, booking.n)
    booking.started = time.time()
    chooser = random.Random(booking.n)
    try:
        slots = _slots(visitor, slug, booking.n)
        _, _, location = visitor.request(chooser.choice(slots))  # a visitor is sent to the details form first
        visitor.request(location)
        details = {
            "csrfmiddlewaretoken": visitor.csrf(),
            "legal_first_name": "Fault",
            "legal_last_name": f"Test{booking.n}",
            "email": booking.email,
            "phone": f"617 555 01{booking.n % 100:02d}",
            "date_of_birth": "1985-05-05",
            "time_zone": "America/New_York",
        }
        status, _, confirm = visitor.request(location, details)
        if status != 302:
            raise RuntimeError(f"details form answered {status}")
        for _attempt in range(5):
            status, page, _ = visitor.request(confirm)
            if status == 200:
                form = _hidden_fields(page)
                form["csrfmiddlewaretoken"] = visitor.csrf()
                started = time.perf_counter()
                status, _, location = visitor.request(f"/book/{slug}/confirm/", form)
                booking.post_seconds = time.perf_counter() - started
                if status == 302 and "/book/booked/" in location:
                    booking.ok = True
                    return
            if status != 409:
                raise RuntimeError(f"confirm answered {status}")
            booking.collisions += 1
            confirm = chooser.choice(_slots(visitor, slug, booking.n + booking.collisions))
        raise RuntimeError("every time tried was taken")
    except Exception as exc:
        booking.error = f"{type(exc).__name__}: {exc}"
    finally:
        booking.finished = time.time()
        booking.server_errors = visitor.server_errors


# --- The run ----------------------------------------------------------------------------------------


@dataclass
class FaultRecord:
    name: str
    started: float
    ended: float = 0.0
    bound_at: float = 0.0  # the latest acceptable last delivery
    notes: str = ""
    held: list[tuple[str, str]] = field(default_factory=list)  # (address, kind) it held up


class Harness:
    def __init__(self, profile: Profile, *, database_url: str, redis_port: int, web_port: int, keep: bool) -> None:
        self.profile = profile
        self.admin_url, self.db_url = throwaway_database(database_url)
        self.db_name = urllib.parse.urlsplit(self.db_url).path.lstrip("/")
        self.redis_port = redis_port
        self.web_port = web_port
        self.keep = keep
        self.logs = ROOT / "var" / "faulttest" / time.strftime("%Y%m%d-%H%M%S")
        self.logs.mkdir(parents=True, exist_ok=True)
        self.processes = Processes(self.logs)
        self.smtp = FaultSMTP()
        self.run_id = secrets.token_hex(3)
        self.bookings: list[Booking] = []
        self.faults: list[FaultRecord] = []
        self.kill: FaultRecord | None = None
        self.killed_notification = ""
        self.kill_armed = threading.Event()
        self.t0 = 0.0

    # Environment and processes

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="tools.faulttest_settings",
            FAULTTEST_PROFILE=self.profile.name,
            PYTHONPATH=str(ROOT),
            DATABASE_URL=self.db_url,
            REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            EMAIL_URL=f"smtp://127.0.0.1:{self.smtp.port}",
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_HTTPS="false",
            DJANGO_STATIC_MANIFEST="false",
            CELERY_TASK_ALWAYS_EAGER="false",
            SITE_URL=f"http://127.0.0.1:{self.web_port}",
        )
        return env

    def log(self, message: str) -> None:
        print(f"[{time.time() - self.t0:6.1f}s] {message}" if self.t0 else message, flush=True)

    def start_redis(self) -> None:
        self.processes.start(
            "redis",
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.redis_port), "--save", "", "--appendonly", "no"],
            os.environ.copy(),
        )
        for _ in range(50):
            if subprocess.run(["redis-cli", "-p", str(self.redis_port), "ping"], capture_output=True).returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("the private Redis did not start")

    def prepare(self) -> None:
        for port, what in ((self.redis_port, "Redis"), (self.web_port, "gunicorn")):
            if _busy(port):
                raise SystemExit(f"port {port} for {what} is in use; choose another (see --help)")
        sql(self.admin_url, f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        sql(self.admin_url, f'CREATE DATABASE "{self.db_name}"')
        env = self.env()
        for command in (["migrate", "--noinput"], ["seed_demo", "--force"]):  # a throwaway database
            subprocess.run(
                [sys.executable, "manage.py", *command],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=(self.logs / "setup.log").open("ab"),
                stderr=subprocess.STDOUT,
            )

    def start_all(self) -> None:
        env = self.env()
        self.smtp.start()
        self.start_redis()
        self.processes.start(
            "gunicorn",
            [
                str(BIN / "gunicorn"), "clinic.wsgi", "-w", "2", "-b", f"127.0.0.1:{self.web_port}", "--timeout", "30",
                # The time each booking POST took inside gunicorn, so a loaded machine's queueing is told apart.
                "--access-logfile", str(self.logs / "access.log"), "--access-logformat", ACCESS_FORMAT,
            ],
            env,
        )  # fmt: skip
        for n in (1, 2):
            self.processes.start(
                f"worker{n}",
                [
                    str(BIN / "celery"), "-A", "clinic", "worker", "-n", f"faulttest{n}-{self.run_id}@%h",
                    "--concurrency=1", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO",
                ],
                env,
            )  # fmt: skip
        self.processes.start(
            "beat",
            [str(BIN / "celery"), "-A", "clinic", "beat", "-l", "INFO", "-s", str(self.logs / "beat-schedule")],
            env,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            ready = all("ready." in (self.logs / f"worker{n}.log").read_text(errors="replace") for n in (1, 2))
            if ready and not _not_serving(self.web_port):
                return
            time.sleep(0.5)
        raise RuntimeError(f"processes did not become ready; see {self.logs}")

    # Faults

    def on_message(self, peer: tuple[str, int], received: Received) -> None:
        """Armed for the kill: SIGKILL the worker process that is sending this message, before its 250."""
        if not self.kill_armed.is_set():
            return
        self.kill_armed.clear()
        workers = descendants(self.processes.pids("worker"))
        pid = pid_of_client(peer[1], self.smtp.port, workers)
        if pid is None:
            self.log("kill: could not find the sending worker process; will try the next message")
            self.kill_armed.set()
            return
        os.kill(pid, signal.SIGKILL)
        self.killed_notification = received.notification_id
        if self.kill is not None:
            self.kill.started = self.kill.ended = time.time()
            self.kill.bound_at = self.kill.ended + self.profile.lease + BOUND_AFTER["kill"]
            self.kill.notes = f"worker process {pid} killed while sending notification {received.notification_id}"
        self.log(f"kill: SIGKILL to worker process {pid} in the middle of notification {received.notification_id}")

    def inject(self, name: str, duration: float) -> None:
        record = FaultRecord(name=name, started=time.time())
        self.faults.append(record)
        if name == "kill":
            self.kill = record
            self.kill_armed.set()
            self.log("kill: armed for the next message the mail server receives")
            return
        self.log(f"fault on: {name} for {duration:.0f} s")
        if name == "redis":
            self.processes.stop("redis")
        elif name == "refuse":
            self.smtp.refuse()
        elif name == "421":
            self.smtp.fail_at("greeting", "421 4.3.2 Service not available, try again later")
        elif name == "451-rcpt":
            self.smtp.fail_at("rcpt", "451 4.7.1 Try again later")
        time.sleep(duration)
        if name == "redis":
            self.start_redis()
        else:
            self.smtp.heal()
        record.ended = time.time()
        if name == "redis":
            record.bound_at = record.ended + BOUND_AFTER["redis"]
        else:
            next_retry = sql(self.db_url, NEXT_RETRY)[0][0]
            record.bound_at = max(float(next_retry or 0), record.ended) + BOUND_AFTER["smtp"]
        self.log(f"fault off: {name}")

    def run_faults(self) -> None:
        for name, offset, duration in self.profile.faults:
            delay = self.t0 + offset - time.time()
            if delay > 0:
                time.sleep(delay)
            self.inject(name, duration)

    def run_bookings(self) -> None:
        threads = []
        for n in range(self.profile.bookings):
            delay = self.t0 + n * self.profile.every - time.time()
            if delay > 0:
                time.sleep(delay)
            booking = Booking(n=n, email=f"ft-{self.run_id}-{n}@example.test")
            self.bookings.append(booking)
            thread = threading.Thread(target=book_once, args=(f"http://127.0.0.1:{self.web_port}", booking))
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join()

    # Results

    def expected(self) -> set[tuple[str, str]]:
        return {(b.email, kind) for b in self.bookings if b.ok for kind in KINDS.values()}

    def delivered(self) -> dict[tuple[str, str], list[Received]]:
        found: dict[tuple[str, str], list[Received]] = defaultdict(list)
        for message in self.smtp.messages():
            kind = next((k for prefix, k in KINDS.items() if message.subject.startswith(prefix)), "other")
            found[(message.to, kind)].append(message)
        return found

    def wait_for_delivery(self) -> None:
        deadline = max([f.bound_at for f in self.faults] + [time.time()]) + 5
        while time.time() < deadline:
            delivered = self.delivered()
            if self.expected() <= set(delivered) and (self.kill is None or self._kill_copy_seen(delivered)):
                break
            time.sleep(1)
        time.sleep(2)  # a last duplicate would show now

    def _kill_copy_seen(self, delivered: dict[tuple[str, str], list[Received]]) -> bool:
        if not self.killed_notification:
            return False
        copies = [m for ms in delivered.values() for m in ms if m.notification_id == self.killed_notification]
        return len(copies) >= 2

    def report(self) -> bool:
        breaches: list[str] = []
        ok = [b for b in self.bookings if b.ok]
        failed = [b for b in self.bookings if not b.ok]
        server_errors = sum(b.server_errors for b in self.bookings)
        collisions = sum(b.collisions for b in self.bookings)
        served = self.server_seconds()
        posts = sorted(b.post_seconds for b in ok)
        inside = sorted(served[b.n] for b in ok if b.n in served)
        print(f"booked {len(ok)} of {len(self.bookings)}; failed {len(failed)}; HTTP 5xx {server_errors}")
        print(f"times taken by another visitor a moment before (chosen again): {collisions}")
        if posts and inside:
            print(
                f"booking POST inside gunicorn: median {statistics.median(inside):.3f} s, max {inside[-1]:.3f} s; "
                f"as the visitor saw it (with queueing): median {statistics.median(posts):.3f} s, max {posts[-1]:.3f} s"
            )
        redis = next((f for f in self.faults if f.name == "redis"), None)
        if redis is not None:
            during = [b for b in ok if redis.started <= b.finished and b.finished - b.post_seconds <= redis.ended]
            times = [served[b.n] for b in during if b.n in served]
            if times:
                print(
                    f"booking POST while Redis was down ({len(times)}): inside gunicorn max {max(times):.3f} s "
                    f"(bound 1 s); as the visitor saw it max {max(b.post_seconds for b in during):.3f} s"
                )
                if max(times) >= 1.0:
                    breaches.append("a booking POST took 1 s or more while Redis was down")
        for b in failed[:5]:
            print(f"  booking {b.n} failed: {b.error}")
        if failed:
            breaches.append(f"{len(failed)} bookings failed")
        if server_errors:
            breaches.append(f"{server_errors} HTTP 5xx")

        delivered = self.delivered()
        expected = self.expected()
        lost = sorted(expected - set(delivered))
        once = [k for k in expected if len(delivered.get(k, [])) == 1]
        more = [k for k in expected if len(delivered.get(k, [])) > 1]
        different = [k for k in more if len({m.message_id for m in delivered[k]}) > 1]
        others = sum(len(v) for k, v in delivered.items() if k[1] == "other")
        print("\n== Emails (expected: each booking's confirmation and set-password link)")
        print(f"expected {len(expected)}; lost {len(lost)}; delivered once {len(once)}; more than once {len(more)}")
        if more:
            same = "yes" if not different else f"NO ({len(different)} with different Message-IDs)"
            print(f"copies share their Message-ID: {same}")
        print(f"other emails delivered (reminders and the like): {others}")
        for address, kind in lost[:10]:
            print(f"  lost: {kind} to {address}")
        if lost:
            breaches.append(f"{len(lost)} emails lost")
        if different:
            breaches.append(f"{len(different)} emails delivered twice with different Message-IDs")
        named = [m for m in self.smtp.messages() if _names_the_treatment(m.raw)]
        print(f"messages naming the treatment (attachments included): {len(named)} of {len(self.smtp.messages())}")
        if named:
            breaches.append("an email names the treatment")

        print("\n== Faults: from the end of each fault to the last delivery it held up")
        for fault in self.faults:
            held = self._held(fault, delivered)
            if fault.name == "kill" and not self.killed_notification:
                print("kill: NOT INJECTED (no message arrived while armed)")
                breaches.append("the worker kill was not injected")
                continue
            if not held:
                print(f"{fault.name}: no email was held up")
                continue
            last = max(held)
            bound = fault.bound_at - fault.ended
            verdict = "ok" if last <= fault.bound_at else "BREACH"
            suffix = f"; {fault.notes}" if fault.notes else ""
            print(
                f"{fault.name}: {len(held)} emails, last delivered {last - fault.ended:.1f} s after the fault ended "
                f"(bound {bound:.0f} s) {verdict}{suffix}"
            )
            if verdict != "ok":
                breaches.append(f"{fault.name} recovered too late")
        alerts = sql(self.db_url, "SELECT count(*), count(cleared_at) FROM clinic_mailserveralert")[0]
        print(f"mail server alerts for staff: {alerts[0]} raised, {alerts[1]} cleared")
        if alerts[0] != alerts[1]:
            breaches.append("a mail server alert is still open")
        failed_for_good = sql(self.db_url, "SELECT count(*) FROM clinic_notification WHERE status = 'failed'")[0][0]
        print(f"outbox rows failed for good: {failed_for_good}")

        print(f"\nlogs: {self.logs}")
        if breaches:
            print("FAULTTEST FAILED: " + "; ".join(breaches))
            return False
        print("FAULTTEST PASSED")
        return True

    def server_seconds(self) -> dict[int, float]:
        """Booking number: seconds its successful confirm POST took inside gunicorn (from the access log)."""
        found = {}
        log = self.logs / "access.log"
        for line in log.read_text(errors="replace").splitlines() if log.exists() else []:
            parts = line.split()
            if len(parts) == 5 and parts[0] == "POST" and parts[1].endswith("/confirm/") and parts[2] == "302":
                found[int(parts[4])] = float(parts[3])
        return found

    def _held(self, fault: FaultRecord, delivered: dict[tuple[str, str], list[Received]]) -> list[float]:
        """Delivery times of the emails this fault held up: those of bookings made during it (for the kill, the
        copy of the message whose worker was killed)."""
        if fault.name == "kill":
            copies = [m.at for ms in delivered.values() for m in ms if m.notification_id == self.killed_notification]
            return sorted(copies)[1:]
        times = []
        for booking in self.bookings:
            if booking.ok and fault.started <= booking.finished <= fault.ended:
                for kind in KINDS.values():
                    messages = delivered.get((booking.email, kind))
                    if messages:
                        times.append(min(m.at for m in messages))
        return times

    def run(self) -> bool:
        self.smtp.on_message = self.on_message
        try:
            self.log(f"profile {self.profile.name}: {self.profile.bookings} bookings, one every {self.profile.every} s")
            self.prepare()
            self.start_all()
            self.t0 = time.time()
            self.log("gunicorn (2 workers), two Celery workers and beat are up; booking starts")
            faults = threading.Thread(target=self.run_faults)
            faults.start()
            self.run_bookings()
            faults.join()
            self.log("bookings and faults done; waiting for the sweep")
            self.wait_for_delivery()
            return self.report()
        finally:
            self.processes.stop_all()
            self.smtp.stop()
            if not self.keep:
                try:
                    sql(self.admin_url, f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
                except Exception as exc:
                    print(f"could not drop {self.db_name}: {exc}")


def _names_the_treatment(raw: bytes) -> bool:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    texts = [str(message.get("Subject", "")), str(message.get("From", ""))]
    for part in message.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True) or b""
        texts.append(payload.decode(part.get_content_charset() or "utf-8", errors="replace"))
        texts.append(part.get_filename() or "")
    joined = " ".join(texts).lower()
    return any(word in joined for word in FORBIDDEN)


def _busy(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _not_serving(port: int) -> bool:
    """True while nothing answers HTTP on ``port`` yet."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/book/", timeout=5) as response:
            return response.status != 200
    except (OSError, urllib.error.URLError):
        return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="the five-minute profile (also FAULTTEST_PROFILE=short)")
    parser.add_argument("--redis-port", type=int, default=int(os.environ.get("FAULTTEST_REDIS_PORT", 6391)))
    parser.add_argument("--web-port", type=int, default=int(os.environ.get("FAULTTEST_WEB_PORT", 8111)))
    parser.add_argument("--keep-db", action="store_true", help="keep the throwaway database for a look afterwards")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        print("faulttest needs PostgreSQL: set DATABASE_URL=postgres://... (SQLite cannot run it)", file=sys.stderr)
        return 2
    for tool in ("redis-server", "redis-cli"):
        if shutil.which(tool) is None:
            print(f"faulttest needs {tool} on the PATH", file=sys.stderr)
            return 2
    short = args.short or os.environ.get("FAULTTEST_PROFILE") == "short"
    harness = Harness(
        SHORT if short else FULL,
        database_url=database_url,
        redis_port=args.redis_port,
        web_port=args.web_port,
        keep=args.keep_db,
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the finally block stops every process
    return 0 if harness.run() else 1


if __name__ == "__main__":
    sys.exit(main())
