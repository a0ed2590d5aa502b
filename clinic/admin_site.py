"""The clinic's Django admin site: it asks for the second factor, like every staff page.

``clinic.apps.ClinicAdminConfig`` replaces ``django.contrib.admin`` in INSTALLED_APPS and names this class as its
``default_site``, so ``admin.site`` is this site from the moment apps load, whoever imports it first.
"""

from __future__ import annotations

from django_otp.admin import OTPAdminSite


class ClinicAdminSite(OTPAdminSite):
    site_header = "Clinic administration"
    site_title = "Clinic administration"

    def __init__(self, name: str = "admin") -> None:
        # OTPAdminSite names itself "otpadmin"; keep the usual name, so "admin:..." URLs and templates work.
        super().__init__(name)
