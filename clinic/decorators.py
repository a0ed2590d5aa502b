from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

View = Callable[..., HttpResponse]


def staff_required(perm: str, *or_perms: str) -> Callable[[View], View]:
    """Staff pages need a login, the named permission and a second factor passed this session.

    With ``or_perms``, any one of the permissions lets the user in, and the view narrows what each one allows (block
    time: ``add_timeblock`` for any provider, ``block_own_time`` for one's own calendar).
    """
    perms = (perm, *or_perms)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(user.has_perm(p) for p in perms):
                raise PermissionDenied
            if not user.is_verified():
                return _to_second_factor(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _to_second_factor(request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse('clinic:two-factor')}?{urlencode({'next': request.get_full_path()})}")


def second_factor_if_staff(view: View) -> View:
    """Account pages anyone may use (changing a password) still need the second factor from staff.

    Without it, a stolen staff password alone could replace the password and lock its owner out.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.is_clinic_staff and not user.is_verified():
            return _to_second_factor(request)
        return view(request, *args, **kwargs)

    return wrapped


def patient_required(view: View) -> View:
    """Patient pages need a login by a user who has a patient profile."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not hasattr(request.user, "patient"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
