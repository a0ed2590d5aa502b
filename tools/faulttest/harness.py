"""The run: start everything, book, inject the faults, wait for the sweep, report against the bounds."""

from __future__ import annotations

import email
import email.policy
import os
import secrets
import signal
import socket
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

from tools.faultsmtp import FaultSMTP, Received
from tools.faulttest.processes import ROOT, Processes, descendants, pid_of_client, sql, throwaway_database
from tools.faulttest.visitors import Booking, book_once

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
            DJANGO_SETTINGS_MODULE="tools.faulttest.settings",
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
        print("\n== Bookings (visitors through the public pages over HTTP)")
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

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _not_serving(port: int) -> bool:
    """True while nothing answers HTTP on ``port`` yet."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/book/", timeout=5) as response:
            return response.status != 200
    except (OSError, urllib.error.URLError):
        return True
