from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def clinic(request: HttpRequest) -> dict[str, Any]:
    return {
        "clinic": {
            "name": settings.CLINIC_NAME,
            "phone": settings.CLINIC_PHONE,
            "address": settings.CLINIC_ADDRESS,
            "time_zone": settings.CLINIC_TIME_ZONE,
        },
    }
