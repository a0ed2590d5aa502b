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
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from clinic.lib.admin import PatientRecordsAdminMixin
from clinic.lib.markdown import render_markdown
from education import selectors, services
from education.forms import ArticleAdminForm, ArticleImportForm
from education.imports import import_file
from education.models import Article, ArticleAcknowledgement, Source, Topic

NOT_CLINICIAN = (
    "Only a clinician can mark an article reviewed: the review records who checked the medical content. "
    "Nothing was changed."
)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "order")
    list_editable = ("order",)
    search_fields = ("name", "description")
    prepopulated_fields: ClassVar = {"slug": ("name",)}


class SourceInline(admin.StackedInline):
    model = Source
    formfield_overrides: ClassVar = {models.URLField: {"assume_scheme": "https"}}
    extra = 1
    fields = (
        ("authors", "year"),
        "title",
        "publisher",
        ("doi", "pmid"),
        "url",
        ("byline", "published_on"),
        "imported_from",
        "order",
    )


class ReviewDueFilter(admin.SimpleListFilter):
    title = "clinical review"
    parameter_name = "review"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("due", "Due or overdue"), ("current", "Up to date")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> QuerySet[Article]:
        if self.value() == "due":
            return queryset.filter(selectors.review_due_condition())
        if self.value() == "current":
            return queryset.exclude(selectors.review_due_condition())
        return queryset


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    form = ArticleAdminForm
    list_display = ("title", "status", "required_before_treatment", "next_review", "reviewed_by", "last_reviewed_on")
    list_filter = (ReviewDueFilter, "status", "topics", "required_before_treatment", "reviewed_by")
    search_fields = ("title", "summary", "body")
    prepopulated_fields: ClassVar = {"slug": ("title",)}
    filter_horizontal = ("topics",)
    inlines: ClassVar = [SourceInline]
    actions: ClassVar = ["mark_reviewed", "publish", "unpublish"]
    change_form_template = "admin/education/article/change_form.html"
    # The review is recorded only by "Mark reviewed", so it always names the clinician who did it.
    readonly_fields = (
        "status",
        "published_at",
        "updated_at",
        "origin",
        "rendered_preview",
        "reviewed_by",
        "last_reviewed_on",
        "next_review_due",
    )
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "body", "topics")}),
        (
            "Clinical review",
            {"fields": ("required_before_treatment", "reviewed_by", "last_reviewed_on", "next_review_due")},
        ),
        ("Publishing", {"fields": ("status", "published_at", "updated_at", "origin")}),
        ("Preview of the saved text", {"fields": ("rendered_preview",)}),
    )

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        if change:  # a history "revert" loads a whole past version, status and review included: keep today's
            services.article_keep_service_fields(article=obj)
        super().save_model(request, obj, form, change)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return selectors.articles_with_review_state(super().get_queryset(request).select_related("reviewed_by"))

    @admin.display(description="Next review", ordering="next_review_due")
    def next_review(self, obj: Article) -> SafeString | str:
        when = f"{obj.next_review_due:%d %b %Y}" if obj.next_review_due else "never reviewed"
        if getattr(obj, "review_due", False):
            return format_html("<strong>Due</strong> ({})", when)
        return when

    @admin.action(description="Mark the selected articles reviewed by me (clinicians)", permissions=["change"])
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        try:
            for article in queryset:
                services.article_mark_reviewed(article=article, reviewer=request.user)
        except services.ReviewerNotClinician:
            self.message_user(request, NOT_CLINICIAN, messages.ERROR)
            return
        due = services.add_months(timezone.localdate(), services.REVIEW_INTERVAL_MONTHS)
        self.message_user(request, f"Marked {queryset.count()} article(s) reviewed by you; next review {due:%d %b %Y}.")

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
        done, already, waiting = 0, 0, []
        for article in queryset:
            try:
                if services.article_publish(article=article):
                    done += 1
                else:
                    already += 1
            except services.ArticleHasReviewMarks as exc:
                waiting.append(f"{article.title} ({len(exc.marks)} [[check: ...]] marks)")
        if done:
            self.message_user(request, f"Published {done} article(s).")
        if already:
            self.message_user(request, f"{already} article(s) were already published; nothing changed for them.")
        if waiting:
            self.message_user(
                request,
                "Not published until a reviewer resolves the importer's marks: " + "; ".join(waiting),
                level=messages.WARNING,
            )

    @admin.action(description="Unpublish the selected articles (back to draft)", permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        done = sum(services.article_unpublish(article=article) for article in queryset)
        self.message_user(request, f"Unpublished {done} article(s).")

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="education_article_import"),
            path("<int:pk>/preview/", wrap(self.preview_view), name="education_article_preview"),
            path("<int:pk>/mark-reviewed/", wrap(self.mark_reviewed_view), name="education_article_mark_reviewed"),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        article = get_object_or_404(Article.objects.prefetch_related("sources", "topics"), pk=pk)
        context = {**self.admin_site.each_context(request), "article": article, "title": "Preview"}
        return TemplateResponse(request, "admin/education/article/preview.html", context)

    @method_decorator(require_POST)
    def mark_reviewed_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        article = get_object_or_404(Article, pk=pk)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        try:
            services.article_mark_reviewed(article=article, reviewer=request.user)
        except services.ReviewerNotClinician:
            messages.error(request, NOT_CLINICIAN)
        else:
            messages.success(request, f"Marked reviewed by you; next review {article.next_review_due:%d %b %Y}.")
        return redirect("admin:education_article_change", article.pk)

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
                stripped, marks = len(result.parsed.stripped), len(result.parsed.marks)
                note = f" ({result.result.reason})" if result.result.reason else ""
                marked = f" {marks} places are marked [[check: ...]] for you to resolve." if marks else ""
                messages.success(
                    request,
                    f"{result.result.action.capitalize()}{note}: {result.parsed.title}. {stripped} lines of site "
                    f"chrome were removed; review the draft before publishing.{marked}",
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
