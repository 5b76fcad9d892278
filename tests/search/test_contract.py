"""What every search backend must do, run against each: PostgreSQL always, Elasticsearch when configured."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from publishing.catalogue.models import CatalogueEntry
from search.models import SearchDocument
from search.query import SearchParams

from . import corpus
from .conftest import publish_docs, sync

pytestmark = pytest.mark.django_db

DOCS = {doc.key: doc for doc in corpus.DOCUMENTS}


def publish(cluster, backend, *keys):
    entries = publish_docs(cluster, [DOCS[key] for key in keys])
    sync(backend)
    return entries


def keys_of(results, entries):
    by_id = {entry.pk: key for key, entry in entries.items()}
    return [by_id.get(hit.entry.pk, hit.entry.title) for hit in results.hits]


def search(backend, q, **filters):
    return backend.run(SearchParams(q=q, **filters))


def test_chinese_keywords_are_segmented(cluster, backend):
    entries = publish(cluster, backend, "jyj-enrolment-primary", "jyj-gaokao", "jtj-bus-routes")
    results = search(backend, "招生")
    assert set(keys_of(results, entries)) == {"jyj-enrolment-primary", "jyj-gaokao"}
    assert results.total == 2


def test_min_zheng_does_not_rank_ren_min_zheng_fu_first(cluster, backend):
    entries = publish(
        cluster,
        backend,
        "portal-government-work-report",
        "portal-government-inspection",
        "portal-civil-affairs-visit",
        "jtj-civil-servant",
    )
    found = keys_of(search(backend, "民政"), entries)
    assert found[0] == "portal-civil-affairs-visit"


def test_quoted_phrase_needs_the_words_adjacent(cluster, backend):
    entries = publish(cluster, backend, "jtj-safety-responsibility", "jtj-winter-safety", "jyj-school-safety")
    assert keys_of(search(backend, '"安全生产责任清单"'), entries) == ["jtj-safety-responsibility"]
    # 校园安全 ... 主体责任: both words, not adjacent; the phrase 安全责任 is not in it.
    assert "jyj-school-safety" not in keys_of(search(backend, "“安全责任”"), entries)
    assert "jyj-school-safety" in keys_of(search(backend, "安全 责任"), entries)


def test_excluded_words_leave_pages_out(cluster, backend):
    entries = publish(cluster, backend, "jyj-enrolment-primary", "jyj-enrolment-private", "jyj-gaokao")
    assert set(keys_of(search(backend, "招生 -民办"), entries)) == {"jyj-enrolment-primary", "jyj-gaokao"}
    assert keys_of(search(backend, '招生 -"电脑随机" -高考'), entries) == ["jyj-enrolment-primary"]


def test_filters_sites_kind_type_column_topic_validity_and_dates(cluster, backend):
    entries = publish(
        cluster,
        backend,
        "jtj-safety-responsibility",
        "jtj-winter-safety",
        "portal-government-inspection",
        "jyj-school-safety",
    )
    every = {"jtj-safety-responsibility", "jtj-winter-safety", "portal-government-inspection", "jyj-school-safety"}
    assert set(keys_of(search(backend, "安全"), entries)) == every
    assert set(keys_of(search(backend, "安全", sites=["jtj"]), entries)) == {
        "jtj-safety-responsibility",
        "jtj-winter-safety",
    }
    assert set(keys_of(search(backend, "安全", sites=["jtj", "portal"]), entries)) == every - {"jyj-school-safety"}
    assert keys_of(search(backend, "安全", kinds=["portal"]), entries) == ["portal-government-inspection"]
    assert keys_of(search(backend, "安全", types=["disclosure"]), entries) == ["jtj-safety-responsibility"]
    assert "jtj-safety-responsibility" not in keys_of(search(backend, "安全", column_classes=["news"]), entries)
    assert keys_of(search(backend, "安全", topic_categories=["industry"]), entries) == ["jtj-safety-responsibility"]
    assert keys_of(search(backend, "安全", validities=["valid"]), entries) == ["jtj-safety-responsibility"]

    # An older item (as if published last year): dates are Asia/Shanghai days, both ends inclusive.
    old = entries["jyj-school-safety"]
    when = timezone.make_aware(datetime.datetime(2025, 6, 30, 23, 30))
    CatalogueEntry.objects.filter(pk=old.pk).update(published_at=when)
    SearchDocument.objects.filter(entry=old).update(published_at=when)
    if backend.name != "postgres":
        backend.index_entries([CatalogueEntry.objects.select_related("tenant").get(pk=old.pk)])
        backend.refresh()
    june = search(backend, "安全", date_from=datetime.date(2025, 6, 30), date_to=datetime.date(2025, 6, 30))
    assert keys_of(june, entries) == ["jyj-school-safety"]
    assert "jyj-school-safety" not in keys_of(search(backend, "安全", date_from=datetime.date(2025, 7, 1)), entries)
    newest_first = keys_of(search(backend, "安全", sort="date"), entries)
    assert newest_first[-1] == "jyj-school-safety"
    years = {facet["value"]: facet["count"] for facet in search(backend, "安全").facets["years"]}
    assert years == {str(timezone.localtime().year): 3, "2025": 1}


def test_sort_by_date_is_newest_first(cluster, backend):
    entries = publish(cluster, backend, "jtj-winter-safety", "jtj-safety-responsibility", "jyj-school-safety")
    found = keys_of(search(backend, "安全", sort="date"), entries)
    assert found == ["jyj-school-safety", "jtj-safety-responsibility", "jtj-winter-safety"]


def test_facets_count_sites_types_and_years(cluster, backend):
    publish(cluster, backend, "jtj-winter-safety", "jtj-safety-responsibility", "jyj-school-safety", "portal-216")
    facets = search(backend, "安全").facets
    assert {f["value"]: f["count"] for f in facets["sites"]} == {"jtj": 2, "jyj": 1}
    assert {f["value"]: f["count"] for f in facets["types"]} == {"article": 2, "disclosure": 1}
    assert [f["label"] for f in facets["sites"]] == ["测试市交通运输局", "测试市教育局"]
    assert sum(f["count"] for f in facets["years"]) == 3


def test_snippets_mark_matches_and_escape_the_rest(cluster, backend):
    from dataclasses import replace

    doc = replace(
        DOCS["jtj-bus-routes"],
        key="escaped",
        summary="新线路 <b>覆盖</b> 高铁站 & 小区。",
        title="城区新开通三条公交线路<script>",
    )
    entries = publish_docs(cluster, [doc])
    sync(backend)
    results = search(backend, "公交线路 高铁站")
    hit = results.hits[0]
    assert hit.entry.pk == entries["escaped"].pk
    assert "<mark>高铁站</mark>" in hit.snippet
    assert "&lt;b&gt;覆盖&lt;/b&gt;" in hit.snippet and "&amp;" in hit.snippet
    assert "<b>" not in hit.snippet
    assert "<mark>公交线路</mark>&lt;script&gt;" in hit.title_html


def test_pagination(cluster, backend):
    keys = [doc.key for doc in corpus.DOCUMENTS if doc.site == "jtj"]
    entries = publish(cluster, backend, *keys)
    first = search(backend, "交通", page_size=3)
    second = search(backend, "交通", page_size=3, page=2)
    assert first.total == second.total >= 6
    assert first.num_pages == -(-first.total // 3)
    ids = keys_of(first, entries) + keys_of(second, entries)
    assert len(ids) == 6 and len(set(ids)) == 6


def test_document_number_and_index_number_come_first(cluster, backend):
    entries = publish(cluster, backend, "portal-216", "portal-cites-216", "portal-flood-control")
    for typed in ("通政办发〔2012〕216号", "通政办发[2012]216号", "通政办发（2012）216号"):
        found = keys_of(search(backend, typed), entries)
        assert found[0] == "portal-216", typed
    index_number = entries["portal-cites-216"].index_number
    assert index_number.startswith("014207264/")
    assert keys_of(search(backend, index_number), entries)[0] == "portal-cites-216"


def test_title_suggestions_while_typing(cluster, backend):
    publish(cluster, backend, "jtj-winter-safety", "jtj-road-maintenance", "jyj-gaokao")
    titles = [s["title"] for s in backend.suggest("市交通运")]
    assert titles == ["市交通运输局召开冬季安全生产工作会议"]
    assert [s["title"] for s in backend.suggest("高考报")] == ["2026年普通高考报名工作即将开始"]
    assert backend.suggest("高考报", sites=["jtj"]) == []


def test_synonyms_from_the_web_office_list(cluster, backend, synonyms):
    entries = publish(cluster, backend, "portal-medical-insurance", "portal-social-insurance", "jtj-bus-routes")
    # 医疗保障 in one, 医疗保险 (also on the 医保 line) in the other; the bus routes never.
    assert set(keys_of(search(backend, "医保"), entries)) == {"portal-medical-insurance", "portal-social-insurance"}
    assert keys_of(search(backend, "社保"), entries) == ["portal-social-insurance"]
    synonyms[1].delete()
    assert search(backend, "社保").total == 0


def test_unpublished_items_disappear_at_once(cluster, backend):
    entries = publish(cluster, backend, "jyj-gaokao", "jyj-enrolment-primary")
    from wagtail.models import Page

    connection.set_tenant(cluster.sites["jyj"])
    Page.objects.get(pk=entries["jyj-gaokao"].page_id).specific.unpublish()
    connection.set_schema_to_public()
    # No outbox drain: whatever the engine still holds, readers never see the item again.
    assert keys_of(search(backend, "招生"), entries) == ["jyj-enrolment-primary"]
    assert not SearchDocument.objects.filter(entry_id=entries["jyj-gaokao"].pk).exists()


def test_sites_that_are_not_serving_are_not_searched(cluster, backend):
    from sites.models import Tenant

    entries = publish(cluster, backend, "jyj-gaokao", "jtj-driving-test")
    Tenant.objects.filter(code="jyj").update(status="suspended")
    assert keys_of(search(backend, "考试"), entries) == ["jtj-driving-test"]
