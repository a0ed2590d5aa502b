from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from simple_history.admin import SimpleHistoryAdmin

from clinic.lib.admin import PatientRecordsAdminMixin
from clinic.lib.markdown import render_markdown
from education import services
from education.forms import ArticleImportForm
from education.imports import import_file
from education.models import Article, ArticleAcknowledgement, Source, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "order")
    list_editable = ("order",)
    search_fields = ("name", "description")
    prepopulated_fields: ClassVar = {"slug": ("name",)}


class SourceInline(admin.TabularInline):
    model = Source
    formfield_overrides: ClassVar = {models.URLField: {"assume_scheme": "https"}}
    extra = 1
    fields = ("title", "publisher", "url", "order")


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = ("title", "status", "required_before_treatment", "last_reviewed_on", "reviewed_by", "updated_at")
    list_filter = ("status", "topics", "required_before_treatment")
    search_fields = ("title", "summary", "body")
    prepopulated_fields: ClassVar = {"slug": ("title",)}
    filter_horizontal = ("topics",)
    inlines: ClassVar = [SourceInline]
    actions: ClassVar = ["publish", "unpublish"]
    readonly_fields = ("status", "published_at", "updated_at", "origin", "rendered_preview")
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "body", "topics")}),
        ("Review", {"fields": ("required_before_treatment", "reviewed_by", "last_reviewed_on")}),
        ("Publishing", {"fields": ("status", "published_at", "updated_at", "origin")}),
        ("Preview of the saved text", {"fields": ("rendered_preview",)}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return super().get_queryset(request).select_related("reviewed_by")

    @admin.display(description="Rendered Markdown")
    def rendered_preview(self, obj: Article) -> SafeString | str:
        if not obj.pk:
            return "Save the draft to see a preview."
        link = reverse("admin:education_article_preview", args=[obj.pk])
        return format_html(
            '<p><a href="{}">Open the full-page preview</a></p><div class="article-preview">{}</div>',
            link,
            render_markdown(obj.body),
        )

    @admin.action(description="Publish the selected articles", permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        done = sum(services.article_publish(article=article) for article in queryset)
        self.message_user(request, f"Published {done} article(s); {queryset.count() - done} were already published.")

    @admin.action(description="Unpublish the selected articles (back to draft)", permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        done = sum(services.article_unpublish(article=article) for article in queryset)
        self.message_user(request, f"Unpublished {done} article(s).")

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="education_article_import"),
            path("<int:pk>/preview/", wrap(self.preview_view), name="education_article_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        article = get_object_or_404(Article.objects.prefetch_related("sources", "topics"), pk=pk)
        context = {**self.admin_site.each_context(request), "article": article, "title": "Preview"}
        return TemplateResponse(request, "admin/education/article/preview.html", context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ArticleImportForm(request.POST or None, request.FILES or None)
        report = ""
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            result = import_file(name=upload.name, data=upload.read())
            report = "\n".join(result.lines(verbose=False))
            if result.error:
                messages.error(request, result.error)
            elif result.result and result.result.article:
                stripped = len(result.parsed.stripped)
                note = f" ({result.result.reason})" if result.result.reason else ""
                messages.success(
                    request,
                    f"{result.result.action.capitalize()}{note}: {result.parsed.title}. {stripped} lines of site "
                    "chrome were removed; review the draft before publishing.",
                )
                return redirect("admin:education_article_change", result.result.article.pk)
        context = {**self.admin_site.each_context(request), "form": form, "report": report, "title": "Import"}
        return TemplateResponse(request, "admin/education/article/import.html", context)


@admin.register(ArticleAcknowledgement)
class ArticleAcknowledgementAdmin(PatientRecordsAdminMixin, admin.ModelAdmin):
    list_display = ("article", "patient", "version", "acknowledged_at")
    list_filter = ("article",)
    list_select_related = ("article", "patient__user")
    search_fields = ("patient__legal_last_name", "patient__user__email", "article__title")
    readonly_fields = ("patient", "article", "version", "acknowledged_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
