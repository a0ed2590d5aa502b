from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clinic.lib.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK, NURSE
from education import services
from education.models import Article
from tests.education.factories import ArticleFactory, DraftArticleFactory

pytestmark = pytest.mark.django_db


def test_role_permissions() -> None:
    def perms(role: str) -> set[str]:
        group = Group.objects.get(name=role)
        return set(group.permissions.filter(content_type__app_label="education").values_list("codename", flat=True))

    assert {"add_article", "change_article", "delete_article", "view_topic", "add_source"} <= perms(CLINIC_ADMIN)
    assert "view_articleacknowledgement" in perms(CLINIC_ADMIN)
    assert perms(CLINICIAN) == {"view_article", "change_article", "view_topic", "view_source"}
    assert perms(FRONT_DESK) == set()
    assert perms(NURSE) == set()


def test_changelist_filters_and_search(staff_client_for, clinic_admin) -> None:
    ArticleFactory(title="Findable article")
    client = staff_client_for(clinic_admin)
    url = reverse("admin:education_article_changelist")
    response = client.get(url, {"q": "Findable", "status__exact": "published", "required_before_treatment__exact": "0"})
    assert response.status_code == 200
    assert "Findable article" in response.content.decode()
    assert "Import a .txt file" in response.content.decode()


def test_change_form_shows_rendered_preview_and_preview_page(staff_client_for, clinic_admin) -> None:
    article = DraftArticleFactory(body="## Preview heading\n\n<script>alert(1)</script>Text")
    client = staff_client_for(clinic_admin)
    change = client.get(reverse("admin:education_article_change", args=[article.pk])).content.decode()
    assert "<h2>Preview heading</h2>" in change
    assert "<script>alert(1)</script>" not in change.split("article-preview")[1]
    preview = client.get(reverse("admin:education_article_preview", args=[article.pk]))
    assert preview.status_code == 200
    assert "<h2>Preview heading</h2>" in preview.content.decode()
    history = client.get(reverse("admin:education_article_history", args=[article.pk]))
    assert history.status_code == 200


def test_admin_can_write_and_publish(staff_client_for, clinic_admin) -> None:
    client = staff_client_for(clinic_admin)
    response = client.post(
        reverse("admin:education_article_add"),
        {
            "title": "New article",
            "slug": "new-article",
            "summary": "Short.",
            "body": "Hello **world**",
            "sources-TOTAL_FORMS": "1",
            "sources-INITIAL_FORMS": "0",
            "sources-0-title": "A source",
            "sources-0-publisher": "A publisher",
            "sources-0-order": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(slug="new-article")
    assert article.status == Article.Status.DRAFT
    assert article.sources.get().title == "A source"
    response = client.post(
        reverse("admin:education_article_changelist"), {"action": "publish", "_selected_action": [article.pk]}
    )
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at is not None
    assert client.get(article.get_absolute_url()).status_code == 200
    client.post(
        reverse("admin:education_article_changelist"), {"action": "unpublish", "_selected_action": [article.pk]}
    )
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert article.history.count() >= 3  # created, published, unpublished


def test_publish_services_are_conditional() -> None:
    article = DraftArticleFactory()
    assert services.article_publish(article=article) is True
    first = Article.objects.get().published_at
    assert services.article_publish(article=article) is False
    assert Article.objects.get().published_at == first
    assert services.article_unpublish(article=article) is True
    assert services.article_unpublish(article=article) is False


def test_clinician_can_review_but_not_add(staff_client_for, clinician) -> None:
    article = DraftArticleFactory()
    client = staff_client_for(clinician)
    assert client.get(reverse("admin:education_article_change", args=[article.pk])).status_code == 200
    assert client.get(reverse("admin:education_article_add")).status_code == 403
    assert client.get(reverse("admin:education_article_import")).status_code == 403


def test_front_desk_cannot_preview(staff_client_for, front_desk) -> None:
    article = DraftArticleFactory()
    response = staff_client_for(front_desk).get(reverse("admin:education_article_preview", args=[article.pk]))
    assert response.status_code == 403


def test_upload_txt_creates_a_draft(staff_client_for, clinic_admin) -> None:
    client = staff_client_for(clinic_admin)
    form = client.get(reverse("admin:education_article_import"))
    assert form.status_code == 200
    assert "Import as draft" in form.content.decode()
    upload = SimpleUploadedFile(
        "old-post.txt", b"Old post title\n\nCALL US AT (555) 123-4567\n\nA real paragraph here.\n"
    )
    response = client.post(reverse("admin:education_article_import"), {"file": upload})
    article = Article.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:education_article_change", args=[article.pk])
    assert article.status == Article.Status.DRAFT
    assert article.title == "Old post title"
    assert "555" not in article.body


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("post.pdf", b"%PDF-1.4", "Please upload a .txt file."),
        ("post.txt", b"\xff\xfe\x00\x00binary\x00", "binary"),
        ("post.txt", "Caf\u00e9 title\n\nText.".encode("latin-1"), "not UTF-8"),
    ],
)
def test_upload_bad_file_shows_error(staff_client_for, clinic_admin, name: str, data: bytes, message: str) -> None:
    client = staff_client_for(clinic_admin)
    response = client.post(reverse("admin:education_article_import"), {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Article.objects.exists()


def test_reserved_slug_is_rejected() -> None:
    from django.core.exceptions import ValidationError

    article = DraftArticleFactory.build(slug="search")
    with pytest.raises(ValidationError, match="another page"):
        article.full_clean()


@pytest.mark.parametrize(
    ("bodies", "expected", "absent"),
    [
        # one clean draft, one refused for its marks: nothing was "already published"
        (
            [("draft", "Clean."), ("draft", "Marked [[check: x]].")],
            ["Published 1 article(s).", "Not published until a reviewer resolves"],
            ["already published"],
        ),
        # only a refused draft: no "published 0" success, only the refusal
        ([("draft", "Marked [[check: x]].")], ["Not published until a reviewer resolves"], ["Published 0"]),
        # one draft and one already published
        (
            [("draft", "Clean."), ("published", "Live.")],
            ["Published 1 article(s).", "1 article(s) were already published"],
            ["reviewer resolves"],
        ),
    ],
)
def test_bulk_publish_reports_each_outcome(staff_client_for, clinic_admin, bodies, expected, absent) -> None:
    pks = [(DraftArticleFactory if status == "draft" else ArticleFactory)(body=body).pk for status, body in bodies]
    response = staff_client_for(clinic_admin).post(
        reverse("admin:education_article_changelist"), {"action": "publish", "_selected_action": pks}, follow=True
    )
    page = response.content.decode().replace("&#x27;", "'")
    for text in expected:
        assert text in page
    for text in absent:
        assert text not in page
