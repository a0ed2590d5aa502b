"""The project's URLs, plus a stand-in for the scheduling namespace until the web layer wires its own."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import URLResolver, include, path

from clinic.urls import urlpatterns as project_patterns

_wired = any(isinstance(p, URLResolver) and p.namespace == "scheduling" for p in project_patterns)

urlpatterns = list(project_patterns)
if not _wired:
    stub = ([path("manage/<str:token>/", lambda request, token: HttpResponse(token), name="manage")], "scheduling")
    urlpatterns.append(path("appointments/", include(stub)))
