"""The Elasticsearch backend without a server: mappings, analyzers, queries, and outages."""

import socket

import pytest
from django.db import connection

from publishing.catalogue.engines import drain
from publishing.catalogue.models import CatalogueEntry, OutboxEvent
from search.backends.base import BackendUnavailable
from search.backends.elasticsearch import ElasticsearchBackend, build_index, build_search
from search.query import SearchParams, parse

from . import corpus
from .conftest import publish_docs


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the socket is


def test_mapping_uses_cjk_by_default_and_ik_when_configured():
    cjk = build_index("cms-search-v1").to_dict()
    assert cjk["mappings"]["properties"]["title"] == {"type": "text", "analyzer": "cjk", "search_analyzer": "cjk"}
    assert cjk["mappings"]["properties"]["title_words"]["analyzer"] == "cms_words"
    assert cjk["settings"]["analysis"]["analyzer"]["cms_words"]["tokenizer"] == "whitespace"
    assert cjk["mappings"]["properties"]["published_at"] == {"type": "date"}
    assert cjk["mappings"]["properties"]["site"] == {"type": "keyword"}
    ik = build_index("cms-search-v2", "ik").to_dict()["mappings"]["properties"]["body"]
    assert ik == {"type": "text", "analyzer": "ik_max_word", "search_analyzer": "ik_smart"}
    with pytest.raises(ValueError):
        build_index("x", "smartcn")


def test_generated_query_has_phrases_exclusions_filters_and_exact_lookup():
    params = SearchParams(q="民政 -招聘 通政办发[2012]216号", types=["disclosure"], sort="date", page=2, page_size=5)
    params.parsed = parse(params.q, synonyms={})
    body = build_search(params, keep_codes=["portal"], hidden_codes=["old"]).to_dict()
    outer = body["query"]["bool"]
    assert {"terms": {"site": ["portal"]}} in outer["filter"] and {"terms": {"type": ["disclosure"]}} in outer["filter"]
    assert outer["must_not"] == [{"terms": {"site": ["old"]}}]
    inner = outer["must"][0]["bool"]
    assert {"term": {"document_number_key": {"value": "通政办发〔2012〕216号", "boost": 1000}}} in inner["should"]
    words = inner["should"][1]["bool"]["must"][0]["bool"]["should"]
    assert words[0]["multi_match"] == {
        "query": "民政",
        "type": "phrase",
        "fields": ["title_words^4.0", "summary_words^2.0", "body_words^1.0", "meta_words^0.5"],
    }
    assert inner["must_not"][0]["bool"]["should"][0]["multi_match"]["query"] == "招聘"
    assert body["sort"][0] == {"published_at": {"order": "desc"}}
    assert body["from"] == 5 and body["size"] == 5 and body["track_total_hits"] == 10_000
    assert body["aggs"]["years"]["date_histogram"]["time_zone"] == "Asia/Shanghai"


def test_a_phrase_of_several_parts_is_one_phrase_query():
    params = SearchParams(q='"人民政府办公室"', sort="relevance", facets=False)
    params.parsed = parse(params.q, synonyms={})
    body = build_search(params).to_dict()
    clause = body["query"]["bool"]["must"][0]["bool"]["must"][0]["bool"]["should"]
    assert clause[0]["multi_match"]["query"] == "人民 政府 办公 室"
    assert clause[1]["multi_match"]["query"] == "人民政府办公室"
    assert body["sort"][0] == "_score" and "aggs" not in body


@pytest.mark.django_db
def test_outage_loses_nothing_publishing_succeeds_and_the_event_waits(cluster, settings):
    url = f"http://127.0.0.1:{closed_port()}"
    settings.CMS_SEARCH_BACKENDS = {
        "postgres": {"BACKEND": "search.backends.postgres.PostgresSearchBackend"},
        "elasticsearch": {
            "BACKEND": "search.backends.elasticsearch.ElasticsearchBackend",
            "URL": url,
            "INDEX": "cms-search-outage",
            "TIMEOUT": 1,
        },
    }
    settings.CMS_OUTBOX_ENGINES = {"elasticsearch": "search.backends.elasticsearch.ElasticsearchOutboxEngine"}
    entries = publish_docs(cluster, [corpus.DOCUMENTS[0]])
    entry = next(iter(entries.values()))
    assert CatalogueEntry.objects.filter(pk=entry.pk).exists()  # published, and in the PostgreSQL index
    connection.set_schema_to_public()
    assert drain() == (0, 1)
    event = OutboxEvent.objects.get(engine="elasticsearch", page_id=entry.page_id)
    assert event.done_at is None and event.attempts == 1
    assert "ConnectionError" in event.last_error or "无法连接" in event.last_error

    from search.backends import get_backend

    backend = get_backend("elasticsearch")
    assert isinstance(backend, ElasticsearchBackend) and backend.url == url
    with pytest.raises(BackendUnavailable):
        backend.run(SearchParams(q="民政"))


@pytest.mark.django_db
def test_api_answers_503_when_elasticsearch_is_down(client, cluster, settings):
    settings.CMS_SEARCH_BACKENDS = {
        "elasticsearch": {
            "BACKEND": "search.backends.elasticsearch.ElasticsearchBackend",
            "URL": f"http://127.0.0.1:{closed_port()}",
            "TIMEOUT": 1,
        }
    }
    settings.CMS_SEARCH_BACKEND = "elasticsearch"
    response = client.get("/api/search/", {"q": "招生"}, HTTP_HOST="jtj.localhost")
    assert response.status_code == 503 and "暂时不可用" in response.json()["error"]
