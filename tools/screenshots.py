"""``make screenshots``: the README's screenshots (docs/screenshots/), taken from the demo clinic in Chromium.

It builds a throwaway SQLite database in var/screenshots/ (never var/db.sqlite3), migrates it, loads the demo clinic
as ``seed_demo`` does (education content included) and books a few more consultations on one weekday so the staff
calendar has something to show. Then it starts ``manage.py runserver`` on 127.0.0.1 (``SCREENSHOTS_PORT``, 8136) with
DJANGO_DEBUG=true, and drives Chromium through the real forms: a visitor, the demo patient, the patient with an
infusion course, a clinician and the clinic admin (password, then one backup code). Each page is checked for the
heading it should show before it is taken, so a login page or an error page fails the run instead of being saved.

Pages are 1280 px wide (a phone is 390 x 844); a long page is taken whole up to ``MAX_HEIGHT``. PNGs are written
with their image data recompressed at zlib's highest level (``compact_png``), and files in docs/screenshots/ that
this run did not write are removed.

    make screenshots
    .venv/bin/python -m tools.screenshots --keep   # keep var/screenshots/ (database, server log) for a look
"""

from __future__ import annotations

import argparse
import io
import os
import re
import secrets
import shutil
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
WORK = ROOT / "var" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
MAX_HEIGHT = 1400  # a full-page shot is cut here: a README image should not need scrolling through
ZONE = "America/New_York"  # the clinic's zone, so the visitor sees clinic times


@dataclass
class Demo:
    """What the browser needs from the database, read before the browser starts."""

    password: str
    patient: str
    course_patient: str
    clinician: str
    clinician_codes: list[str]
    admin: str
    admin_codes: list[str]
    busy_day: date
    course_pk: int


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.screenshots", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("SCREENSHOTS_PORT", "8136")))
    parser.add_argument("--keep", action="store_true", help="keep var/screenshots/ afterwards")
    args = parser.parse_args()
    if not shutil.which(CHROMIUM):
        print(f"Chromium is needed at {CHROMIUM} (or set CHROMIUM_PATH)", file=sys.stderr)
        return 2
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    env = _env(args.port)
    os.environ.update(env)
    print(f"Preparing the demo clinic in {WORK.relative_to(ROOT)}/db.sqlite3")
    demo = _prepare()
    log = (WORK / "server.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{args.port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{args.port}"
        _wait_ready(base, server)
        written = _shoot(base, demo)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    for old in sorted(set(OUT.glob("*.png")) - written):
        print(f"removed {old.relative_to(ROOT)} (no longer taken)")
        old.unlink()
    if not args.keep:
        shutil.rmtree(WORK, ignore_errors=True)
    print(f"{len(written)} screenshots in {OUT.relative_to(ROOT)}/")
    return 0


def _env(port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="clinic.settings",
        DJANGO_DEBUG="true",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=f"sqlite:///{WORK / 'db.sqlite3'}",
        REDIS_URL="",
        EMAIL_URL="dummymail://",  # bookings send emails; nobody should get them
        CELERY_TASK_ALWAYS_EAGER="true",  # no worker, and nothing left queued under var/celery/
        SITE_URL=f"http://127.0.0.1:{port}",
    )
    return env


# --- The database -----------------------------------------------------------------------------------


def _prepare() -> Demo:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from clinic import demo
    from scheduling.demo import COURSE_PATIENT_EMAIL
    from scheduling.models import InfusionCourse

    call_command("migrate", verbosity=0, interactive=False)
    logins = {login.role: login for login in demo.seed_all(stdout=io.StringIO())}
    clinician, admin = logins["Clinician"], logins["Clinic admin"]
    busy_day = _book_busy_day()
    prepared = Demo(
        password=demo.DEMO_PASSWORD,
        patient=demo.DEMO_PATIENT_EMAIL,
        course_patient=COURSE_PATIENT_EMAIL,
        clinician=clinician.email,
        clinician_codes=clinician.backup_codes,
        admin=admin.email,
        admin_codes=admin.backup_codes,
        busy_day=busy_day,
        course_pk=InfusionCourse.objects.get(patient__user__email=COURSE_PATIENT_EMAIL).pk,
    )
    connections.close_all()  # the server opens its own; SQLite is happier with one writer at a time
    return prepared


def _book_busy_day() -> date:
    """Book a morning for each provider on the day of the demo's phone consultation, for the day and week grids.

    The patients are the demo's screening patients; the demo's own patient keeps only the demo's bookings.
    """
    from django.utils import timezone

    from clinic.lib.time import clinic_tz
    from clinic.models import Patient
    from scheduling.exceptions import BookingError
    from scheduling.models import Appointment, AppointmentType, Provider
    from scheduling.selectors import available_slots
    from scheduling.services import book_appointment

    demo_call = Appointment.objects.get(idempotency_key="demo:upcoming-phone")
    day = timezone.localtime(demo_call.start, clinic_tz()).date()
    patients = list(Patient.objects.filter(user__email__startswith="screening-").order_by("user__email"))
    types = list(AppointmentType.objects.order_by("display_order"))
    for n, provider in enumerate(Provider.objects.order_by("display_name")):
        for m, patient in enumerate(patients[n::2]):
            slots = available_slots(
                appointment_type=types[m % 2], start_date=day, end_date=day + timedelta(days=1), provider=provider
            )
            if slots:
                try:
                    book_appointment(
                        patient=patient, provider=provider, appointment_type=types[m % 2], start=slots[m * 3].start
                    )
                except (BookingError, IndexError):
                    continue
    return day


def _wait_ready(base: str, server: subprocess.Popen) -> None:
    for _ in range(120):
        if server.poll() is not None:
            raise SystemExit(f"runserver exited with {server.returncode}: see {WORK / 'server.log'}")
        try:
            with urllib.request.urlopen(base + "/", timeout=2):  # noqa: S310 - our own server on 127.0.0.1
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    raise SystemExit(f"runserver did not answer on {base}")


# --- The browser ------------------------------------------------------------------------------------


class Camera:
    """Takes the screenshots from one browser and remembers which files it wrote."""

    def __init__(self, browser: Any, base: str) -> None:
        self.browser = browser
        self.base = base
        self.written: set[Path] = set()

    def context(self, viewport: dict[str, int] = DESKTOP, zone: str = ZONE) -> Any:
        context = self.browser.new_context(
            viewport=viewport,
            base_url=self.base,
            timezone_id=zone,
            locale="en-US",
            is_mobile=viewport is PHONE,
            has_touch=viewport is PHONE,
        )
        context.set_default_timeout(15_000)
        return context.new_page()

    def shoot(self, page: Any, name: str, heading: str | re.Pattern, *, full: bool = True) -> None:
        from playwright.sync_api import expect

        expect(page.get_by_role("heading", name=heading).first).to_be_visible()
        page.wait_for_load_state("networkidle")
        options: dict[str, Any] = {"animations": "disabled", "caret": "hide"}
        if full:
            height = page.evaluate("document.body.scrollHeight")  # a short page ends at its footer
            width = page.viewport_size["width"]
            options.update(full_page=True, clip={"x": 0, "y": 0, "width": width, "height": min(height, MAX_HEIGHT)})
        path = OUT / f"{name}.png"
        path.write_bytes(compact_png(page.screenshot(**options)))
        self.written.add(path)
        print(f"  {path.relative_to(ROOT)}  ({page.url.removeprefix(self.base)})")


def _shoot(base: str, demo: Demo) -> set[Path]:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
        )
        camera = Camera(browser, base)
        _visitor(camera)
        _patient(camera, demo)
        _course_patient(camera, demo)
        _staff(camera, demo)
        _admin(camera, demo)
        browser.close()
    return camera.written


def _visitor(camera: Camera) -> None:
    print("A visitor")
    page = camera.context()
    page.goto("/")
    camera.shoot(page, "home", re.compile("^Supervised"))
    page.goto("/learn/")
    camera.shoot(page, "education-index", "Learn")
    page.goto("/learn/what-happens-at-an-infusion/")
    camera.shoot(page, "education-article", re.compile("What happens"))
    page.goto("/learn/search/?q=blood+pressure")
    camera.shoot(page, "education-search", re.compile("Search"))
    page.goto("/book/")
    camera.shoot(page, "book-1-type", re.compile("Book"))
    page.get_by_role("link", name=re.compile("^Choose a time for the Free")).click()
    _choose_day(page)
    camera.shoot(page, "book-2-time", re.compile("^Times on "))
    page.locator(".slot-list button").first.click()
    page.get_by_label("Legal first name").fill("Jamie")
    page.get_by_label("Legal last name").fill("Ortiz")
    page.get_by_label("Email").fill("jamie.ortiz@example.com")
    page.get_by_label("Phone").fill("617 555 0107")
    page.get_by_label("Date of birth").fill("1984-06-21")
    page.evaluate("document.activeElement.blur()")  # no selected text in the date field
    camera.shoot(page, "book-3-details", "Your details")
    phone = camera.context(PHONE)
    phone.goto("/")
    camera.shoot(phone, "home-phone", re.compile("^Supervised"), full=False)


def _choose_day(page: Any) -> None:
    """The second day with openings (this month or the next), so the calendar shows a day chosen, not today."""
    from playwright.sync_api import expect

    days = page.locator("a.day-open")
    expect(page.get_by_role("heading", name=re.compile(r"^[A-Z][a-z]+ \d{4}$"))).to_be_visible()
    if days.count() < 2:
        page.get_by_role("link", name=re.compile(r"^Next month")).first.click()
        expect(days.nth(1)).to_be_visible()
    days.nth(1).click()


def _log_in(page: Any, email: str, password: str, code: str | None = None) -> None:
    page.goto("/account/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    if code is not None:
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state("networkidle")


def _patient(camera: Camera, demo: Demo) -> None:
    print("The demo patient")
    page = camera.context(zone="America/Chicago")  # the demo patient's own zone
    _log_in(page, demo.patient, demo.password)
    page.goto("/book/")
    page.get_by_role("link", name=re.compile("^Choose a time for the Free")).click()
    _choose_day(page)
    page.locator(".slot-list button").first.click()
    camera.shoot(page, "book-4-confirm", "Confirm your booking")
    page.get_by_role("button", name="Confirm booking").click()
    camera.shoot(page, "book-5-booked", "You are booked")
    page.goto("/portal/")
    camera.shoot(page, "portal", re.compile("^Hello"))
    page.goto("/learn/required-reading/")
    camera.shoot(page, "required-reading", re.compile("[Rr]eading"))
    page.goto("/portal/screening/")
    page.get_by_role("button", name=re.compile("^(Start|Begin)")).first.click()
    # The first step answered as intake's demo answers it, so the shot shows the second with some progress.
    page.get_by_label("Weight (kg)").fill("72")
    page.get_by_label("Height (cm)").fill("168")
    page.get_by_label("Depression").check()
    page.locator("[name='pregnant'][value='no']").check()
    page.locator("[name='breastfeeding'][value='no']").check()
    page.get_by_role("button", name="Save and continue").click()
    camera.shoot(page, "screening-step", "Blood pressure")


def _course_patient(camera: Camera, demo: Demo) -> None:
    print("The patient with an infusion course")
    page = camera.context()
    _log_in(page, demo.course_patient, demo.password)
    page.goto("/portal/course/")
    camera.shoot(page, "portal-course", "My treatment course")


def _staff(camera: Camera, demo: Demo) -> None:
    print("A clinician")
    page = camera.context()
    _log_in(page, demo.clinician, demo.password, demo.clinician_codes[0])
    page.goto("/staff/")
    camera.shoot(page, "staff-home", "Staff home")
    page.goto(f"/staff/calendar/?view=day&date={demo.busy_day.isoformat()}")
    camera.shoot(page, "staff-calendar-day", "Calendar")
    page.goto(f"/staff/calendar/?view=week&date={demo.busy_day.isoformat()}")
    camera.shoot(page, "staff-calendar-week", "Calendar")
    page.goto("/staff/book/")
    page.get_by_placeholder("Name, email or phone").fill("Rivera")
    page.get_by_role("link", name=re.compile("^Book for Alex")).click()
    _choose_day(page)
    camera.shoot(page, "staff-book-by-phone", re.compile("^Book for "))
    page.goto("/staff/screenings/")
    camera.shoot(page, "staff-screenings", re.compile("[Ss]creening"))
    page.goto(f"/staff/courses/{demo.course_pk}/")
    camera.shoot(page, "staff-course", re.compile(": Depression induction$"))


def _admin(camera: Camera, demo: Demo) -> None:
    print("The clinic admin")
    page = camera.context()
    _log_in(page, demo.admin, demo.password, demo.admin_codes[0])
    page.evaluate("localStorage.setItem('django.admin.navSidebarIsOpen', 'false')")  # room for the list's columns
    page.goto("/admin/education/article/")
    camera.shoot(page, "admin-articles", re.compile("article", re.IGNORECASE))


# --- PNG --------------------------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEPT_CHUNKS = {b"IHDR", b"PLTE", b"tRNS"}  # what a browser needs to draw it; colour profiles and text go


def compact_png(data: bytes) -> bytes:
    """The same image, smaller: the IDAT data recompressed at zlib level 9 as one chunk, ancillary chunks dropped.

    The pixels and their filters are unchanged (the decompressed stream is byte for byte the same).
    """
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    chunks, image, offset = [], b"", len(PNG_SIGNATURE)
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        offset += 12 + length
        if kind == b"IDAT":
            image += body
        elif kind in KEPT_CHUNKS:
            chunks.append((kind, body))
        elif kind == b"IEND":
            break
    if not chunks or chunks[0][0] != b"IHDR" or not image:
        raise ValueError("a PNG without its header or image data")
    chunks.append((b"IDAT", zlib.compress(zlib.decompress(image), 9)))
    chunks.append((b"IEND", b""))
    return PNG_SIGNATURE + b"".join(_chunk(kind, body) for kind, body in chunks)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


if __name__ == "__main__":
    sys.exit(main())
