"""The one role walk: every role through every staff URL and action, compared with docs/roles.md.

Each app's ``tests/<app>/role_probes.py`` holds ``PROBES``: for each action of its table in docs/roles.md, the probes
that try it. Adding a staff page means adding its row to roles.md and its probe; the coverage test below fails
otherwise.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, resolve
from django.urls.resolvers import URLPattern, URLResolver

from clinic.lib.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK, NURSE
from tests.conftest import verified_client
from tests.factories import PatientFactory, StaffFactory
from tests.role_walk import NON_STAFF, STAFF_COLUMNS, Call, Probe, World, walked_tables

TABLES = walked_tables()
ROLE_GROUPS = {"Front desk": FRONT_DESK, "Nurse": NURSE, "Clinician": CLINICIAN, "Clinic admin": CLINIC_ADMIN}


def _probes() -> dict[str, dict[str, list[Probe]]]:
    found = {}
    for app in TABLES:
        module = importlib.import_module(f"tests.{app}.role_probes")
        found[app] = module.PROBES
    return found


PROBES = _probes()
CASES = [
    pytest.param(app, action, probe, role, id=f"{app}:{probe.name}:{role}")
    for app, actions in PROBES.items()
    for action, probes in actions.items()
    for probe in probes
    for role in (*NON_STAFF, *STAFF_COLUMNS)
]


@pytest.fixture
def world(db) -> World:
    return World(
        patient=PatientFactory(),
        other_patient=PatientFactory(),
        staff={column: StaffFactory(role=group) for column, group in ROLE_GROUPS.items()},
    )


def _client(world: World, role: str) -> Client:
    if role == "anonymous":
        return Client()
    if role in NON_STAFF:
        client = Client()
        client.force_login(getattr(world, role).user)
        return client
    return verified_client(world.staff[role])


def _send(client: Client, call: Call) -> Any:
    headers = {"HX-Request": "true"} if call.htmx else {}
    if call.method == "GET":
        return client.get(call.url, call.data or {}, headers=headers)
    return client.generic(
        call.method, call.url, _encode(call.data), "application/x-www-form-urlencoded", headers=headers
    )


def _encode(data: dict[str, Any] | None) -> str:
    from django.utils.http import urlencode

    return urlencode(data or {}, doseq=True)


@pytest.mark.parametrize(("app", "action", "probe", "role"), CASES)
def test_role_walk(world: World, app: str, action: str, probe: Probe, role: str) -> None:
    world.acting = role
    call = probe.build(world)
    response = _send(_client(world, role), call)
    # Django admin sends anyone who is not staff to its own login page; the staff pages use the site's.
    login_page = "/admin/login/" if call.url.startswith("/admin/") else "/account/login/"
    if role == "anonymous":
        assert response.status_code == 302
        assert login_page in response["Location"]
        return
    if role in NON_STAFF:
        refused = response.status_code == 403 or (
            login_page == "/admin/login/" and response.status_code == 302 and login_page in response["Location"]
        )
        assert refused, f"a patient reached {call.method} {call.url}"
        return
    cell = TABLES[app][action][role]
    if probe.allowed(cell):
        # A 400 is a permitted user's bad request (the probe sends no slot): the permission let it through.
        status = response.status_code
        assert status in (200, 204, 302, 400), f"{role} ({cell}) got {status} for {call.method} {call.url}"
        assert "/account/login/" not in response.get("Location", "")
        assert "/account/two-factor/" not in response.get("Location", "")
    else:
        assert response.status_code == 403, f"{role} ({cell}) got {response.status_code} for {call.method} {call.url}"


def test_every_action_in_roles_md_has_a_probe_and_every_probe_a_row() -> None:
    for app, table in TABLES.items():
        assert set(PROBES[app]) == set(table), f"roles.md's {app} table and tests/{app}/role_probes.py disagree"
        assert all(PROBES[app].values()), f"an action of {app} has no probe"


def _staff_url_names(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _staff_url_names(entry, route, inner)
        elif isinstance(entry, URLPattern) and route.startswith("staff/") and entry.name:
            names.add(namespace + entry.name)
    return names


def test_every_staff_url_is_walked(world: World) -> None:
    walked = set()
    for actions in PROBES.values():
        for probes in actions.values():
            for probe in probes:
                world.acting = "Clinic admin"
                walked.add(resolve(probe.build(world).url.split("?")[0]).view_name)
    missing = _staff_url_names() - walked
    assert not missing, f"staff URLs with no probe in any tests/<app>/role_probes.py: {sorted(missing)}"
