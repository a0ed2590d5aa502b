"""Hostile values in every form field and query parameter of every URL, for every role: never a 500.

The URLs come from the URL resolver, so a page added later is walked too; a pattern with arguments needs a row in
``SAMPLES`` (by URL name, or by route for the few unnamed admin patterns), or this test fails and says which.
Admin object pages (``admin/<app>/<model>/<object_id>/...``) take the first object of their model, which the demo
clinic plus ``_world`` must provide.

For each role (anonymous, patient, front desk, nurse, clinician, clinic admin), each URL is opened with its sample
arguments (and ``BASE_QUERY``, which gives pages such as a confirm page the valid parameters they need to show their
form). The forms on that page are read from its HTML; the query parameters are its GET-form fields, the parameters
of its links to itself, and ``COMMON_PARAMS``. Then:

- on a page the role can open, and whose own code reads the query string (the app's views, admin changelists),
  every query parameter gets each hostile value, all at once, for the first role that opens it; elsewhere (a login
  redirect, a 403, admin's object pages, a page an earlier role had) two requests give each parameter a different
  hostile value;
- every POST form gets each hostile value in all its fields at once, and then in one field at a time with the
  others at the page's own values, for the first role that sees the form (an admin model's add, change and revert
  forms count as one, and admin's actions and delete forms one for all models); each later role that sees it sends
  two requests with every field a different hostile value. One field at a time covers the fields that are not free
  text, and of an inline formset only the first row (each row holds the same form; the ``__prefix__`` row is a
  template browsers never send). An inline formset's counts (``TOTAL_FORMS`` and the like) get one request of
  their own (see ``MANAGEMENT``).

Sharing the machine, the run must stay under 3 minutes: that is what sets how far the product of values, fields
and roles is cut above. ``PER_FIELD`` holds the values that pass a field's own validation and reach the form's
cross-field checks and the service (a number gets the huge integer and one offset, a date or time the offsets:
``_per_field``); the all-fields requests already give every field's own validation every value.

Each URL's requests run in a savepoint that is rolled back, so a hostile POST that deletes or changes something
leaves the next URL its world. Settings are production-like: DEBUG off (pytest-django's default).
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.signals import got_request_exception
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from clinic.models import Patient
from education.models import Article, Topic
from scheduling.links import manage_token
from scheduling.models import Appointment, AppointmentType, TimeBlock

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "patient", "front_desk", "nurse", "clinician", "clinic_admin")
STAFF_EMAILS = {
    "front_desk": "frontdesk@riverside.example",
    "nurse": "nurse@riverside.example",
    "clinician": "clinician@riverside.example",
    "clinic_admin": "admin@riverside.example",
}

# Raw, already percent-encoded, so that invalid UTF-8 can be sent as it would arrive from a client.
HOSTILE = {
    "nul": "a%00b",
    "far-past-date": "0001-01-01",
    "far-future-date": "9999-12-31",
    "far-past-offset": "0001-01-01T00%3A00%2B14%3A00",
    "far-future-offset": "9999-12-31T23%3A59-14%3A00",
    "refused-offset": "2027-08-01T10%3A00-23%3A59",
    "invalid-utf8": "%FF%FE%C3%28",
    "100k-chars": "x" * 100_000,
    "huge-int": "9" * 40,
    "non-ascii-digit": "%C2%B2",  # "²".isdigit() is true, int("²") raises
    "negative": "-1",
    "fraction": "0.5",
    "wrong-type": "%5B%7B%22a%22%3A1%7D%5D",
}
PER_FIELD = ("far-past-offset", "far-future-offset", "refused-offset", "huge-int")
NUMBER = re.compile(r"-?\d+")
DATE_OR_TIME = re.compile(r"\d{4}-\d\d-\d\d|\d{1,2}:\d\d")
COMMON_PARAMS = ("next", "page", "q", "date", "month", "tz", "start", "provider", "type", "view", "token", "e")
# POSTs that end the session under test; what they do with hostile input is covered by their own tests.
SKIP_POST = {"clinic:logout", "admin:logout"}


def _first(label: str) -> int:
    """The first row's id of a model the demo clinic fills (screenings, courses, sessions, emails)."""
    from django.apps import apps

    return apps.get_model(label).objects.order_by("pk").values_list("pk", flat=True).first() or 1


def _slot(w: World, appointment_type: AppointmentType) -> Any:
    from scheduling.selectors import available_slots

    today = timezone.localdate()
    slots = available_slots(
        appointment_type=appointment_type, start_date=today, end_date=today + timezone.timedelta(days=20)
    )
    return slots[0]


def _slot_query(w: World) -> dict[str, str]:
    from scheduling.forms import slot_param

    slot = _slot(w, w.type)
    return {"provider": str(slot.provider.pk), "start": slot_param(slot.start), "type": w.type.slug}


# Sample arguments by URL name (or route, for unnamed patterns). Extend it when you add a URL with arguments.
SAMPLES: dict[str, Callable[[World], dict[str, Any]]] = {
    "clinic:verify-email": lambda w: {"uidb64": "MQ", "token": "c0ffee-0123456789abcdef"},
    "clinic:password-reset-confirm": lambda w: {"uidb64": "MQ", "token": "c0ffee-0123456789abcdef"},
    "clinic:staff-patient-detail": lambda w: {"pk": w.patient.pk},
    "admin:view_on_site": lambda w: {"content_type_id": w.patient_type.pk, "object_id": w.patient.pk},
    "admin:app_list": lambda w: {"app_label": "scheduling"},
    "admin:auth_user_password_change": lambda w: {"id": w.patient.user.pk},
    "admin/(?P<url>.*)$": lambda w: {"url": "no/such/page/"},
    "admin:education_article_preview": lambda w: {"pk": w.article.pk},
    "admin:otp_totp_totpdevice_config": lambda w: {"pk": w.totp_device.pk},
    "admin:otp_totp_totpdevice_qrcode": lambda w: {"pk": w.totp_device.pk},
    "education:topic-detail": lambda w: {"slug": w.topic.slug},
    "education:acknowledge": lambda w: {"slug": w.article.slug},
    "education:article-detail": lambda w: {"slug": w.article.slug},
    "scheduling:book-done": lambda w: {"pk": w.appointment.pk},
    "scheduling:book-pick": lambda w: {"type_slug": w.type.slug},
    "scheduling:book-details": lambda w: {"type_slug": w.type.slug},
    "scheduling:book-confirm": lambda w: {"type_slug": w.type.slug},
    "scheduling:appointment-detail": lambda w: {"pk": w.appointment.pk},
    "scheduling:appointment-cancel": lambda w: {"pk": w.appointment.pk},
    "scheduling:appointment-reschedule": lambda w: {"pk": w.appointment.pk},
    "scheduling:appointment-reschedule-confirm": lambda w: {"pk": w.appointment.pk},
    "scheduling:manage": lambda w: {"token": manage_token(w.appointment)},
    "scheduling:manage-cancel": lambda w: {"token": manage_token(w.appointment)},
    "scheduling:manage-reschedule": lambda w: {"token": manage_token(w.appointment)},
    "scheduling:manage-reschedule-confirm": lambda w: {"token": manage_token(w.appointment)},
    "scheduling:staff-appointment-detail": lambda w: {"pk": w.appointment.pk},
    "scheduling:staff-appointment-mark": lambda w: {"pk": w.appointment.pk},
    "scheduling:staff-appointment-cancel": lambda w: {"pk": w.appointment.pk},
    "scheduling:staff-book-pick": lambda w: {"patient_pk": w.patient.pk},
    "scheduling:staff-book-confirm": lambda w: {"patient_pk": w.patient.pk},
    "scheduling:appointment-calendar": lambda w: {"pk": w.appointment.pk},
    "scheduling:staff-appointment-reschedule": lambda w: {"pk": w.appointment.pk},
    "scheduling:staff-appointment-reschedule-confirm": lambda w: {"pk": w.appointment.pk},
    "scheduling:staff-block-remove": lambda w: {"pk": _first("scheduling.TimeBlock")},
    "clinic:staff-notification-resolve": lambda w: {"pk": _first("clinic.Notification")},
    "admin:education_article_mark_reviewed": lambda w: {"pk": w.article.pk},
    "intake:step": lambda w: {"slug": "about"},
    "intake:answers": lambda w: {"pk": _first("intake.ScreeningVersion")},
    "intake:staff-detail": lambda w: {"pk": _first("intake.Screening")},
    "intake:staff-decide": lambda w: {"pk": _first("intake.Screening")},
    "intake:staff-reading": lambda w: {"pk": _first("intake.Screening")},
    "intake:staff-alert-acknowledge": lambda w: {"pk": _first("intake.UrgentAlert")},
    "intake:staff-alert": lambda w: {"pk": _first("intake.UrgentAlert")},
    "scheduling:my-course": lambda w: {"pk": _first("scheduling.InfusionCourse")},
    "scheduling:session-checkin": lambda w: {"pk": _first("scheduling.InfusionSession")},
    "scheduling:session-checkin-safety": lambda w: {"pk": _first("scheduling.InfusionSession")},
    "scheduling:my-session-move": lambda w: {"pk": _first("scheduling.InfusionSession")},
    "scheduling:staff-course-new": lambda w: {"patient_pk": w.patient.pk},
    "scheduling:staff-course-detail": lambda w: {"pk": _first("scheduling.InfusionCourse")},
    "scheduling:staff-course-export": lambda w: {"pk": _first("scheduling.InfusionCourse")},
    "scheduling:staff-course-plan": lambda w: {"pk": _first("scheduling.InfusionCourse")},
    "scheduling:staff-course-stop": lambda w: {"pk": _first("scheduling.InfusionCourse")},
    "scheduling:staff-session-detail": lambda w: {"pk": _first("scheduling.InfusionSession")},
    "scheduling:staff-session-kiosk": lambda w: {"pk": _first("scheduling.InfusionSession")},
    "scheduling:staff-session-move": lambda w: {"pk": _first("scheduling.InfusionSession")},
    "scheduling:staff-session-step": lambda w: {"pk": _first("scheduling.InfusionSession"), "step": "vitals"},
}

# Valid query parameters a page needs before it shows its form (a confirm page needs a real open slot).
BASE_QUERY: dict[str, Callable[[World], dict[str, str]]] = {
    "scheduling:book-confirm": _slot_query,
    "scheduling:book-details": _slot_query,
    "scheduling:appointment-reschedule-confirm": _slot_query,
    "scheduling:manage-reschedule-confirm": _slot_query,
    "scheduling:staff-book-confirm": _slot_query,
    "scheduling:staff-book-pick": lambda w: {"type": w.type.slug},
}

ADMIN_OBJECT_ROUTE = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/\^?(<path:object_id>|\(\[\^/\]\+\))/")
UNNAMED_GROUP = re.compile(r"\((?!\?)[^)]*\)")


@dataclass
class World:
    patient: Patient
    appointment: Appointment
    type: AppointmentType
    article: Article
    topic: Topic
    totp_device: Any
    patient_type: ContentType
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    key: str  # the URL name, or the route for an unnamed pattern
    name: str | None
    route: str
    arguments: tuple[str, ...]
    pattern: URLPattern


def _routes(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            ns = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from _routes(entry, prefix + str(entry.pattern), ns)
            continue
        route = prefix + str(entry.pattern)
        name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
        arguments = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route)) + tuple(re.findall(r"\(\?P<(\w+)>", route))
        arguments += tuple(f"_{n}" for n in range(len(UNNAMED_GROUP.findall(route))))
        yield Route(name or route, name, route, arguments, entry)


def _admin_sample(route: Route, world: World) -> dict[str, Any] | None:
    match = ADMIN_OBJECT_ROUTE.match(route.route)
    if not match:
        return None
    model = apps.get_model(match["app"], match["model"])
    obj = model._default_manager.order_by("pk").first()
    if obj is None:
        raise AssertionError(f"No {model.__name__} in the world for {route.route}: add one in _world()")
    if "object_id" in route.arguments:
        return {"object_id": obj.pk}
    # simple-history's version pages: positional (object, version)
    return {"_0": obj.pk, "_1": obj.history.order_by("pk").first().history_id}


def _path(route: Route, world: World) -> str:
    if not route.arguments:
        sample: dict[str, Any] = {}
    elif route.key in SAMPLES:
        sample = SAMPLES[route.key](world)
    else:
        sample = _admin_sample(route, world) or {}
    if route.name and "_0" in sample:
        return reverse(route.name, args=[sample[f"_{n}"] for n in range(len(sample))])
    if route.name:
        return reverse(route.name, kwargs=sample)
    # Unnamed admin patterns: fill the route by hand.
    path = "/" + route.route.lstrip("^").rstrip("$")
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(sample[m[1]]), path)
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: quote(str(sample[m[1]])), path)


def test_every_url_pattern_with_arguments_has_a_sample(db) -> None:
    missing = [
        r.key
        for r in _routes()
        if r.arguments and r.key not in SAMPLES and not ADMIN_OBJECT_ROUTE.match(r.route) and r.name != "static"
    ]
    assert not missing, f"Add sample arguments to SAMPLES in {__file__} for: {missing}"


# --- Reading a page's forms ---------------------------------------------------------------------------


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, str] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "?" in a.get("href", ""):
            self.links.append(a["href"])
        if tag == "form":
            self._form = Form(a.get("method", "get").lower(), a.get("action", ""))
            self.forms.append(self._form)
        if self._form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                self._form.fields.setdefault(name, "")
                return
            if kind not in ("submit", "button", "image", "file", "reset"):
                self._form.fields[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
            self._form.fields.setdefault(name, "")
        elif tag == "option" and self._select:
            if "selected" in a or not self._form.fields.get(self._select):
                self._form.fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self._form.fields[name] = ""

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _encode(fields: dict[str, str], raw: dict[str, str]) -> str:
    """A urlencoded body or query: ``fields`` are plain values, ``raw`` are already percent-encoded."""
    parts = [f"{quote(k)}={quote(v)}" for k, v in fields.items() if k not in raw]
    parts += [f"{quote(k)}={v}" for k, v in raw.items()]
    return "&".join(parts)


# --- The walk --------------------------------------------------------------------------------------------


def _world() -> World:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from scheduling.models import AvailabilityException, ClinicClosure, ReminderSettings
    from tests.education.factories import ArticleFactory

    call_command("seed_demo", "--force", stdout=open("/dev/null", "w"))  # noqa: SIM115
    patient = Patient.objects.get(user__email="patient@riverside.example")
    appointment = Appointment.objects.filter(patient=patient, status__in=Appointment.ACTIVE_STATUSES).first()
    article = Article.objects.filter(status=Article.Status.PUBLISHED).first() or ArticleFactory()
    article.required_before_treatment = True
    article.save()
    provider = appointment.provider
    start = appointment.start + timezone.timedelta(days=1)
    TimeBlock.objects.create(provider=provider, start=start, end=start + timezone.timedelta(hours=1), reason="x")
    AvailabilityException.objects.create(provider=provider, date=start.date())
    ClinicClosure.objects.create(start_date=start.date(), end_date=start.date(), reason="Holiday")
    ReminderSettings.load()
    device = TOTPDevice.objects.create(user=provider.user, name="phone", confirmed=True)
    _admin_rows(patient, provider.user, article)
    return World(
        patient=patient,
        appointment=appointment,
        type=appointment.appointment_type,
        article=article,
        topic=article.topics.first() or Topic.objects.first(),
        totp_device=device,
        patient_type=ContentType.objects.get_for_model(Patient),
    )


def _admin_rows(patient: Patient, staff: Any, article: Article) -> None:
    """One row of each admin model the demo clinic does not make, so that its object pages are walked."""
    from axes.models import AccessAttempt, AccessFailureLog
    from axes.models import AccessLog as LoginLog

    from clinic.models import AccessLog, MailServerAlert, Notification
    from education.models import ArticleAcknowledgement

    now = timezone.now()
    MailServerAlert.objects.create(step="connect", reason="refused")
    from scheduling.models import NurseDuty

    NurseDuty.objects.get_or_create(date=now.date() + timezone.timedelta(days=3), defaults={"nurses": 2})
    AccessLog.objects.create(user=staff, patient=patient, object_type="clinic.patient", object_id=str(patient.pk))
    Notification.objects.get_or_create(
        idempotency_key="hostile-walk", defaults={"kind": "test", "recipient": patient.user}
    )
    ArticleAcknowledgement.objects.get_or_create(
        patient=patient, article=article, defaults={"version": 1, "acknowledged_at": now}
    )
    who = {"user_agent": "walk", "ip_address": "127.0.0.1", "username": "x@example.org", "http_accept": "*/*"}
    AccessAttempt.objects.create(
        **who, path_info="/", attempt_time=now, get_data="", post_data="", failures_since_start=1
    )
    AccessFailureLog.objects.create(**who, path_info="/", attempt_time=now, locked_out=False)
    LoginLog.objects.create(**who, path_info="/", attempt_time=now)


def _client(role: str, world: World) -> Client:
    from clinic.models import User
    from tests.factories import verify_second_factor

    client = Client(raise_request_exception=False)
    if role == "patient":
        client.force_login(world.patient.user)
    elif role != "anonymous":
        user = User.objects.get(email=STAFF_EMAILS[role])
        client.force_login(user)
        verify_second_factor(client, user)
    return client


@dataclass
class Walk:
    client: Client
    role: str
    failures: list[str] = field(default_factory=list)
    seen_forms: set[tuple] = field(default_factory=set)
    requests: int = 0
    last_error: str = ""

    def record(self, sender: Any, request: Any = None, **kwargs: Any) -> None:
        error = sys.exc_info()[1]
        self.last_error = f"{type(error).__name__}: {str(error)[:200]}"

    def send(self, method: str, path: str, encoded: str, what: str) -> Any:
        self.requests += 1
        self.last_error = ""
        if method == "get":
            response = self.client.get(f"{path}?{encoded}" if encoded else path)
        else:
            response = self.client.post(
                path, data=encoded.encode("latin-1"), content_type="application/x-www-form-urlencoded"
            )
        if response.status_code >= 500:
            self.failures.append(f"{self.role} {method.upper()} {path[:80]} {what}: {self.last_error}")
        return response


def _rotated(names: list[str] | dict[str, str], turn: int) -> dict[str, str]:
    """Each name gets a different hostile value; over len(HOSTILE) turns each name meets every value."""
    labels = list(HOSTILE)
    return {name: HOSTILE[labels[(i + turn) % len(labels)]] for i, name in enumerate(names)}


def _deep(route: Route) -> bool:
    """Pages whose own code reads the query string: the app's views and admin changelists. Admin's other pages
    share Django's own handling of a few parameters (``_changelist_filters``, ``_popup``, ``_to_field``)."""
    return not route.route.startswith("admin/") or (route.name or "").endswith("_changelist")


def _form_key(view_name: str, fields: dict[str, str]) -> tuple:
    # An admin model's add, change and history-version (revert) pages hold the same form; every changelist's actions
    # form and every delete confirmation are Django's own, the same for each model.
    view = re.sub(r"_(add|change|simple_history)$", "", view_name)
    view = re.sub(r"^admin:\w+_(changelist|delete)$", r"admin:\1", view)
    return (view, tuple(sorted(fields)))


# An inline formset's counts keep the page's values except in requests of their own: a huge TOTAL_FORMS makes Django
# build and re-render its cap of 2,000 forms (a minute a request here, Django's own bound on admin-only pages), so
# those requests send counts that the management form refuses.
MANAGEMENT = re.compile(r"-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$")
FREE_TEXT = re.compile(r"[^\W\d_]{3}")


INLINE_ROW = re.compile(r"-(\d+|__prefix__)-")


def _first_row(name: str) -> bool:
    """Whether a field is outside an inline formset or in its first row. Every row holds the same form, and the
    empty ``__prefix__`` row is a template that browsers never send, so one row a field is enough: each admin page
    with inlines (an article's sources, a provider's hours) otherwise cost a few hundred requests."""
    row = INLINE_ROW.search(name)
    return row is None or row[1] == "0"


def _per_field(value: str) -> tuple[str, ...]:
    """The ``PER_FIELD`` values one field gets, by what its page value says it holds: a number meets the huge
    integer (and one offset, in case it is parsed as a time after all), a date or time the three offsets; an empty
    or other field, every one."""
    if NUMBER.fullmatch(value):
        return ("huge-int", "far-future-offset")
    if DATE_OR_TIME.match(value):
        return ("far-past-offset", "far-future-offset", "refused-offset")
    return PER_FIELD


def _typed(value: str) -> bool:
    """A field whose page value is not free text (a date, a number, a choice, or empty): one bad value there with
    the rest valid can reach a cross-field check or a service. Free text is stored as typed, and its own
    validation already met every value in the all-fields requests."""
    return not FREE_TEXT.search(value)


def _walk_url(walk: Walk, route: Route, world: World, done: set[tuple]) -> None:
    path = _path(route, world)
    base = BASE_QUERY[route.key](world) if route.key in BASE_QUERY else {}
    response = walk.send("get", path, _encode(base, {}), "(plain)")
    opened = response.status_code == 200
    page = _FormParser()
    if opened and "html" in response.get("Content-Type", ""):
        page.feed(response.content.decode("utf-8", "replace"))

    params = dict.fromkeys(COMMON_PARAMS, "")
    for form in page.forms:
        if form.method == "get":
            params.update(dict.fromkeys(form.fields, ""))
    for href in page.links:
        parts = urlsplit(href)
        if parts.path in ("", path):
            params.update(dict.fromkeys((k for k, _ in parse_qsl(parts.query, keep_blank_values=True)), ""))
    if opened and _deep(route) and (route.key, "query") not in done:
        done.add((route.key, "query"))
        for label in HOSTILE:
            walk.send("get", path, _encode(base, dict.fromkeys(params, HOSTILE[label])), f"query = {label}")
    else:  # the access check, Django's admin, or a page another role had: every parameter a different value
        for turn in range(2):
            walk.send("get", path, _encode(base, _rotated(list(params), turn)), "query = mixed")

    for form in page.forms:
        if form.method != "post":
            continue
        target = urlsplit(form.action).path or path
        try:
            view_name = resolve(target).view_name
        except Resolver404:
            continue
        fields = {k: v for k, v in form.fields.items() if k != "csrfmiddlewaretoken"}
        key = _form_key(view_name, fields)
        if view_name in SKIP_POST or (walk.role, key) in done:
            continue
        done.add((walk.role, key))
        post_path = target + (f"?{_encode(base, {})}" if not urlsplit(form.action).path and base else "")
        if key in done:  # another role has had the full set: this one gets every field a different value
            counts = {n: v for n, v in fields.items() if MANAGEMENT.search(n)}
            for turn in range(2):
                hostile = _rotated([n for n in fields if n not in counts], turn)
                walk.send("post", post_path, _encode(counts, hostile), "fields = mixed")
            continue
        done.add(key)
        counts = {n: v for n, v in fields.items() if MANAGEMENT.search(n)}
        for label, value in HOSTILE.items():
            hostile = {n: value for n in fields if n not in counts}
            walk.send("post", post_path, _encode(counts, hostile), f"all fields = {label}")
        for label in ("negative", "wrong-type", "nul") if counts else ():
            walk.send("post", post_path, _encode(fields, dict.fromkeys(counts, HOSTILE[label])), f"counts = {label}")
        for name in (n for n, v in fields.items() if _typed(v) and n not in counts and _first_row(n)):
            for label in _per_field(fields[name]):
                walk.send("post", post_path, _encode(fields, {name: HOSTILE[label]}), f"{name} = {label}")


def _still_logged_in(client: Client, role: str) -> bool:
    session = client.session
    if role == "anonymous":
        return True
    return "_auth_user_id" in session and (role == "patient" or "otp_device_id" in session)


def test_no_url_answers_500_to_hostile_input(settings) -> None:
    settings.DEBUG = False
    settings.BOOKING_RATE_LIMITS = {"ip": (10**9, 3600), "email": (10**9, 3600)}
    started = time.monotonic()
    world = _world()
    done: set[tuple] = set()
    failures: list[str] = []
    summary = [f"world in {time.monotonic() - started:.1f} s"]
    for role in ROLES:
        role_started = time.monotonic()
        walk = Walk(_client(role, world), role)
        got_request_exception.connect(walk.record)
        try:
            for route in _routes():
                if route.name == "static":
                    continue
                with transaction.atomic():
                    _walk_url(walk, route, world, done)
                    transaction.set_rollback(True)
                if not _still_logged_in(walk.client, role):
                    walk.client = _client(role, world)
        finally:
            got_request_exception.disconnect(walk.record)
        failures += walk.failures
        summary.append(f"{role} {walk.requests} requests in {time.monotonic() - role_started:.0f} s")
    print("; ".join(summary))
    assert not failures, "\n".join(failures[:40])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/staff/infusions/board/?date=9999-12-31",
        "/admin/login/?next=a%20b",
        "/staff/block-time/?provider=%C2%B2",
        "/book/walk-type/?provider=%C2%B2",
    ],
)
def test_pages_the_walk_found_500s_on(path, staff_client_for) -> None:
    """Regression tests for what this walk (and the review after it) found."""
    from clinic.lib.roles import CLINICIAN
    from tests.factories import StaffFactory
    from tests.scheduling.factories import AppointmentTypeFactory

    AppointmentTypeFactory(slug="walk-type")
    assert staff_client_for(StaffFactory(role=CLINICIAN)).get(path).status_code in (200, 302)
