from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "clinic.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deployment_checklist() -> None:
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="prod-like-" + "k8Jd93nQ2xLp0aZr7TyW4mVb" * 2,
        DJANGO_ALLOWED_HOSTS="clinic.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _manage("check", DJANGO_DEBUG="false", DJANGO_SECRET_KEY="")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_debug_off_turns_on_https_protections() -> None:
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0)",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x" * 60,
    )
    assert result.stdout.strip().splitlines()[-1] == "True True True True", result.stderr


def test_debug_without_a_secret_key_uses_this_checkouts_own_random_key() -> None:
    result = _manage("shell", "-c", "from django.conf import settings as s; print(s.SECRET_KEY)", DJANGO_DEBUG="true")
    key = result.stdout.strip().splitlines()[-1]
    assert "not-secret" not in key and len(key) >= 50, result.stderr
    assert (ROOT / "var" / "secret_key").read_text(encoding="utf-8").strip() == key
    again = _manage("shell", "-c", "from django.conf import settings as s; print(s.SECRET_KEY)", DJANGO_DEBUG="true")
    assert again.stdout.strip().splitlines()[-1] == key


def test_dev_secret_key_is_made_once_per_checkout_and_kept_private(tmp_path: Path) -> None:
    from clinic.lib.devkey import dev_secret_key

    first_checkout, second_checkout = tmp_path / "a" / "var", tmp_path / "b" / "var"
    key = dev_secret_key(first_checkout)  # makes var/ when it is missing
    assert dev_secret_key(first_checkout) == key
    assert dev_secret_key(second_checkout) != key
    assert (first_checkout / "secret_key").stat().st_mode & 0o777 == 0o600
    (first_checkout / "secret_key").write_text("short")
    assert len(dev_secret_key(first_checkout)) >= 50


def _settings_value(expression: str, **env: str) -> str:
    result = _manage("shell", "-c", f"from django.conf import settings as s; print({expression})", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_the_sender_name_and_the_authenticator_issuer_come_from_the_email_name() -> None:
    env = {"DJANGO_DEBUG": "true", "CLINIC_NAME": "Riverside Ketamine Center", "CLINIC_EMAIL_NAME": "Riverside Care"}
    assert _settings_value("s.DEFAULT_FROM_EMAIL", **env) == "Riverside Care <no-reply@clinic.example>"
    assert _settings_value("s.OTP_TOTP_ISSUER", **env) == "Riverside Care"
    given = {**env, "DJANGO_DEFAULT_FROM_EMAIL": "Front Desk <desk@clinic.example>"}
    assert _settings_value("s.DEFAULT_FROM_EMAIL", **given) == "Front Desk <desk@clinic.example>"
