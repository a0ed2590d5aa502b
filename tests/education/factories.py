from __future__ import annotations

import factory
from django.utils import timezone

from education.models import Article, ArticleAcknowledgement, Source, Topic


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")
    order = factory.Sequence(lambda n: n)


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Article {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    summary = "A short summary."
    body = "## Heading\n\nSome plain text about the treatment.\n"
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def topics(self, create: bool, extracted: list[Topic] | None, **kwargs: object) -> None:
        if create and extracted:
            self.topics.set(extracted)


class DraftArticleFactory(ArticleFactory):
    status = Article.Status.DRAFT
    published_at = None


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    article = factory.SubFactory(ArticleFactory)
    title = factory.Sequence(lambda n: f"Source {n}")
    publisher = "Example Publisher"


class AcknowledgementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArticleAcknowledgement

    article = factory.SubFactory(ArticleFactory, required_before_treatment=True)
    version = factory.LazyAttribute(lambda o: o.article.version)
    acknowledged_at = factory.LazyFunction(timezone.now)
