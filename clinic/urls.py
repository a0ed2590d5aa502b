"""URLs: the core app's own pages, and the one place where the apps are wired together."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clinic.views import accounts, auth, pages, staff, two_factor

clinic_patterns = [
    path("", pages.home, name="home"),
    path("portal/profile/", accounts.profile, name="profile"),
    # Accounts
    path("account/sign-up/", accounts.sign_up, name="sign-up"),
    path("account/sign-up/check-your-email/", accounts.sign_up_done, name="sign-up-done"),
    path("account/verify/<uidb64>/<token>/", accounts.verify_email, name="verify-email"),
    path("account/login/", auth.LoginView.as_view(), name="login"),
    path("account/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/welcome/", accounts.after_login, name="after-login"),
    path("account/password/reset/", auth.PasswordResetView.as_view(), name="password-reset"),
    path("account/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path(
        "account/password/reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "account/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("account/password/change/", auth.PasswordChangeView.as_view(), name="password-change"),
    path(
        "account/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password-change-done",
    ),
    path("account/two-factor/", two_factor.verify, name="two-factor"),
    path("account/two-factor/setup/", two_factor.setup, name="two-factor-setup"),
    path("account/two-factor/backup-codes/", two_factor.backup_codes, name="two-factor-backup-codes"),
    # Staff
    path("staff/patients/", staff.patient_list, name="staff-patient-list"),
    path("staff/patients/<int:pk>/", staff.patient_detail, name="staff-patient-detail"),
]

urlpatterns = [
    path("", include((clinic_patterns, "clinic"))),
    path("admin/", admin.site.urls),
    path("learn/", include("education.urls")),
    path("", include("intake.urls")),
    path("", include("scheduling.urls")),
]
