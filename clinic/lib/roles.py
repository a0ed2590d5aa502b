"""Staff roles are groups. Each app's data migration grants its own permissions to them.

Migrations call these helpers with the historical app registry, so they never import models.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.apps.registry import Apps
from django.contrib.auth.management import create_permissions
from django.db.migrations import RunPython

FRONT_DESK = "Front desk"
NURSE = "Nurse"
CLINICIAN = "Clinician"
CLINIC_ADMIN = "Clinic admin"
STAFF_ROLES = (FRONT_DESK, NURSE, CLINICIAN, CLINIC_ADMIN)


def may_manage_account(*, actor: Any, account: Any) -> bool:
    """Whether ``actor`` may change ``account`` (its roles, its active flag, its second-factor devices, a password
    link). Superusers manage everyone; anyone else with the permission manages everyone but superusers and clinic
    admins, themselves included, so a clinic admin can never raise their own or a peer's access."""
    if actor.is_superuser:
        return True
    if account.is_superuser or any(group.name == CLINIC_ADMIN for group in account.groups.all()):
        return False
    return actor.has_perm("clinic.change_user")


def grant(apps: Apps, matrix: Mapping[str, Iterable[str]]) -> None:
    """Give each role (group name) the listed ``app_label.codename`` permissions."""
    for app_config in apps.get_app_configs():
        # Permissions are normally made after all migrations; a data migration needs them now.
        # Historical app configs have no models module, which create_permissions would skip.
        saved = getattr(app_config, "models_module", None)
        app_config.models_module = saved or True
        try:
            create_permissions(app_config, verbosity=0, apps=apps)
        finally:
            app_config.models_module = saved
    assign(apps, matrix)


def assign(apps: Apps, matrix: Mapping[str, Iterable[str]]) -> None:
    """Create the role groups and add the permissions, which must exist already."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in matrix.items():
        group, _ = Group.objects.get_or_create(name=role)
        for perm in perms:
            app_label, codename = perm.split(".")
            try:
                permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
            except Permission.DoesNotExist:
                raise LookupError(f"Permission {perm} does not exist; cannot grant it to {role}.") from None
            group.permissions.add(permission)


def revoke(apps: Apps, matrix: Mapping[str, Iterable[str]]) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in matrix.items():
        group = Group.objects.filter(name=role).first()
        if group is None:
            continue
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.remove(*Permission.objects.filter(content_type__app_label=app_label, codename=codename))


def grant_operation(matrix: Mapping[str, Iterable[str]]) -> RunPython:
    """The migration operation that grants ``matrix`` to the roles, and takes it back on reverse."""
    return RunPython(
        lambda apps, schema_editor: grant(apps, matrix),
        lambda apps, schema_editor: revoke(apps, matrix),
    )
