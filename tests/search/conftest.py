"""Fixtures of the search tests: publishing the corpus through Wagtail, synonyms, backends."""

import datetime
import importlib
import os

import pytest
from django.db import connection

from publishing.catalogue.models import CatalogueEntry
from search.models import SynonymGroup
from tests.cms import content

from . import corpus


def publish_doc(doc):
    """Publish one corpus document on its site (the connection must be on that site's schema)."""
    from cms.models import ArticlePage, DisclosureDocumentPage, Genre

    if doc.kind == "disclosure":
        page = DisclosureDocumentPage(
            title=doc.title,
            summary=doc.summary,
            body=f"<p>{doc.body}</p>",
            document_number=doc.document_number,
            topic_category=doc.topic or "general",
            keywords=doc.keywords,
            genre=Genre.NOTICE,
            written_date=datetime.date(2026, 3, 1),
        )
        return content.publish(content.column(doc.column or "fdzdgk"), page)
    default_column = "yw" if doc.site == "portal" else "gzdt"
    page = ArticlePage(title=doc.title, summary=doc.summary, body=f"<p>{doc.body}</p>", source="办公室")
    return content.publish(content.column(doc.column or default_column), page)


def publish_docs(cluster, docs):
    """Publish ``docs`` site by site; returns {key: CatalogueEntry} (connection back on public)."""
    pages = {}
    for doc in docs:
        connection.set_tenant(cluster.sites[doc.site])
        pages[doc.key] = (cluster.sites[doc.site], publish_doc(doc).pk)
    connection.set_schema_to_public()
    return {
        key: CatalogueEntry.objects.select_related("tenant").get(tenant=tenant, page_id=page_id)
        for key, (tenant, page_id) in pages.items()
    }


STARTER = importlib.import_module("search.migrations.0004_starter_synonyms")


@pytest.fixture(autouse=True)
def _fresh_synonym_list(request):
    """Each test reads the synonym list afresh (a rolled-back test leaves no signal behind).

    The list starts empty (inside the test's transaction, so rolled back) unless the test asks for
    the ``starter_synonyms`` the migration seeds: each test says which synonyms it relies on.
    """
    from search.query import forget_synonyms

    if "starter_synonyms" not in request.fixturenames and (
        "db" in request.fixturenames or request.node.get_closest_marker("django_db")
    ):
        request.getfixturevalue("db")
        SynonymGroup.objects.all().delete()
    forget_synonyms()
    yield
    forget_synonyms()


@pytest.fixture
def starter_synonyms(db):
    """The starter list exactly as the migration left it in the test database."""
    groups = list(SynonymGroup.objects.filter(note=STARTER.STARTER_NOTE))
    assert sorted(group.terms for group in groups) == sorted(STARTER.STARTER_SYNONYMS)
    return groups


@pytest.fixture
def synonyms(db):
    return [SynonymGroup.objects.create(terms=terms) for terms in corpus.SYNONYMS]


@pytest.fixture
def published_corpus(cluster, synonyms):
    return publish_docs(cluster, corpus.DOCUMENTS)


BACKENDS = [
    "postgres",
    pytest.param(
        "elasticsearch",
        marks=[
            pytest.mark.elasticsearch,
            pytest.mark.skipif(
                not os.environ.get("ELASTICSEARCH_URL"),
                reason="Elasticsearch 契约测试需要 ELASTICSEARCH_URL（指向一个 Elasticsearch 8 服务器）",
            ),
        ],
    ),
]


@pytest.fixture(params=BACKENDS)
def backend(request, settings, cluster):
    """Each backend of the contract, answering readers; Elasticsearch on an index of its own."""
    from search import backends

    name = request.param
    if name == "elasticsearch":
        settings.CMS_SEARCH_BACKENDS = {
            **backends.configured_backends(),
            "elasticsearch": {
                "BACKEND": "search.backends.elasticsearch.ElasticsearchBackend",
                "URL": os.environ["ELASTICSEARCH_URL"],
                "INDEX": f"cms-search-test-{os.getpid()}",
                "ANALYZER": os.environ.get("CMS_SEARCH_ES_ANALYZER", "cjk"),
            },
        }
        settings.CMS_OUTBOX_ENGINES = {"elasticsearch": "search.backends.elasticsearch.ElasticsearchOutboxEngine"}
    settings.CMS_SEARCH_BACKEND = name
    engine = backends.get_backend(name)
    if name == "elasticsearch":
        engine.reindex()  # a fresh versioned index behind the alias, empty catalogue
    yield engine
    if name == "elasticsearch":
        engine.drop()


def sync(backend):
    """Let the backend catch up with the catalogue: drain the outbox, refresh the index."""
    from publishing.catalogue.engines import drain

    connection.set_schema_to_public()
    if backend.name != "postgres":
        drain()
    backend.refresh()
