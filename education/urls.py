from __future__ import annotations

from django.urls import path

from education import views

app_name = "education"

urlpatterns = [
    path("", views.article_list, name="article-list"),
    path("search/", views.search, name="search"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
    path("required-reading/", views.required_reading, name="required-reading"),
    path("required-reading/<slug:slug>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<slug:slug>/", views.article_detail, name="article-detail"),
]
