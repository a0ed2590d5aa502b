from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["clinic:home", "clinic:login", "clinic:sign-up", "clinic:password-reset"])
def test_public_pages_render(client, name: str) -> None:  # noqa: ANN001
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert b"Skip to main content" in response.content
