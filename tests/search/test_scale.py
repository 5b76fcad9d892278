"""Search when more documents match than are counted (the 1M-row path): exact counts below the cap,
an estimate labelled as one above it, the right rows on deep pages, exact filters, no hidden rows."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from publishing.catalogue.models import CatalogueEntry
from search.backends import get_backend
from search.backends.postgres import round_estimate
from search.models import SearchDocument
from search.query import SearchParams, SearchResults

from . import corpus
from .conftest import publish_docs

pytestmark = pytest.mark.django_db

SOURCE = corpus.Doc(
    "scale-source",
    "jtj",
    "article",
    "交通运输局开展Smart Road安全检查",
    "全市道路运输安全生产检查。",
    "交通运输局组织开展道路运输安全生产检查，Smart Road 项目同步推进。",
)
OTHER = corpus.Doc(
    "scale-other",
    "jyj",
    "disclosure",
    "教育局关于道路运输安全的通知",
    "校车道路运输安全。",
    "教育局要求各校加强校车道路运输安全管理。",
    topic="general",
)
COPIES = 150  # of each of the two documents: 302 matches of 道路运输, against caps of 10


def copy_documents(entry, count, first_page_id, tenant=None, start=None):
    """``count`` copies of ``entry``'s catalogue row and search row, one minute apart from ``start``
    (real rows in the real tables, as a bulk reindex would leave them), then ANALYZE for the planner."""
    tenant_id = (tenant or entry.tenant).id
    start = start or entry.published_at
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH s AS (SELECT g, %(start)s::timestamptz + make_interval(mins => g) AS at
                       FROM generate_series(1, %(count)s) g),
            e AS (
                INSERT INTO catalogue_catalogueentry (page_id, content_type, content_type_label, column_class,
                    column_title, url, title, summary, body_text, published_at, last_published_at, thumbnail_url,
                    index_number, document_number, publisher, written_date, topic_category, genre, keywords,
                    validity, updated_at, tenant_id)
                SELECT %(first)s + g, c.content_type, c.content_type_label, c.column_class, c.column_title,
                       c.url || 'copy-' || g || '/', c.title, c.summary, c.body_text, s.at, s.at, c.thumbnail_url,
                       '', '', c.publisher, c.written_date, c.topic_category, c.genre, c.keywords, c.validity,
                       s.at, %(tenant)s
                FROM s, catalogue_catalogueentry c WHERE c.id = %(entry)s
                RETURNING id, published_at
            )
            INSERT INTO search_searchdocument (entry_id, content_type, column_class, topic_category, validity,
                published_at, document_number_key, index_number_key, vector, tenant_id)
            SELECT e.id, d.content_type, d.column_class, d.topic_category, d.validity, e.published_at, '', '',
                   d.vector, %(tenant)s
            FROM e, search_searchdocument d WHERE d.entry_id = %(entry)s
            """,
            {"start": start, "count": count, "first": first_page_id, "tenant": tenant_id, "entry": entry.pk},
        )
        cursor.execute("ANALYZE search_searchdocument")


@pytest.fixture
def many(cluster, settings):
    """302 documents with 道路运输 on two sites (jtj articles, jyj disclosures); counting stops at 10."""
    settings.CMS_SEARCH_COUNT_CAP = 10
    settings.CMS_SEARCH_RECENT_WINDOW = 40
    entries = publish_docs(cluster, [SOURCE, OTHER])
    copy_documents(entries["scale-source"], COPIES, 100_000)
    copy_documents(entries["scale-other"], COPIES, 200_000)
    return entries


def matching(**filters):
    """Ids of the live catalogue rows with 道路运输 (every copy has it), newest first, by the ORM."""
    rows = CatalogueEntry.objects.live().filter(search_document__isnull=False, **filters)
    return list(rows.order_by("-published_at", "-id").values_list("id", flat=True))


def test_the_total_is_exact_up_to_the_cap(cluster, settings):
    publish_docs(cluster, [SOURCE, OTHER])
    backend = get_backend("postgres")
    settings.CMS_SEARCH_COUNT_CAP = 2
    results = backend.search(SearchParams(q="道路运输"))
    assert (results.total, results.total_exact, results.total_display) == (2, True, "2")
    settings.CMS_SEARCH_COUNT_CAP = 1
    capped = backend.search(SearchParams(q="道路运输"))
    # The planner's guess for two rows is no better than what was counted: "1+", not an estimate.
    assert (capped.total, capped.total_exact, capped.total_estimated, capped.total_display) == (1, False, False, "1+")
    assert len(capped.hits) == 2


def test_beyond_the_cap_the_total_is_an_estimate_and_says_so(many, client, settings):
    settings.CMS_SEARCH_RATE_LIMIT = 1000
    results = get_backend("postgres").search(SearchParams(q="道路运输"))
    assert not results.total_exact and results.total_estimated
    assert 150 <= results.total <= 600, results.total  # 302 really: the planner is close, not exact
    assert results.total_display == f"约 {results.total}"
    api = client.get("/api/search/", {"q": "道路运输"}, HTTP_HOST="jtj.localhost").json()
    assert (api["total_exact"], api["total_estimated"], api["total_display"]) == (False, True, f"约 {api['total']}")
    html = client.get("/search/", {"q": "道路运输"}, HTTP_HOST="jtj.localhost").content.decode()
    assert f"<strong>约 {api['total']}</strong>" in html
    assert "约数" in html  # the page says the total and the facet counts are not exact


def test_deep_pages_by_date_are_the_right_rows(many):
    newest_first = matching()
    backend = get_backend("postgres")
    for page in (1, 3, 12):
        results = backend.search(SearchParams(q="道路运输", sort="date", page=page, page_size=10))
        assert [hit.entry.pk for hit in results.hits] == newest_first[(page - 1) * 10 : page * 10], page


def test_pages_by_relevance_beyond_the_cap_are_matches_without_repeats(many):
    backend = get_backend("postgres")
    seen = []
    for page in (1, 2, 3, 5):
        results = backend.search(SearchParams(q="道路运输", page=page, page_size=10))
        assert len(results.hits) == 10
        seen += [hit.entry.pk for hit in results.hits]
    assert len(seen) == len(set(seen))
    assert set(seen) <= set(matching())
    # Candidates include the newest documents: the newest match is on the first page.
    first = backend.search(SearchParams(q="道路运输"))
    assert matching()[0] in [hit.entry.pk for hit in first.hits]


def test_filters_stay_exact_beyond_the_cap(many, cluster):
    backend = get_backend("postgres")
    for params, check in (
        (SearchParams(q="道路运输", sites=["jyj"]), lambda e: e.tenant.code == "jyj"),
        (SearchParams(q="道路运输", types=["disclosure"]), lambda e: e.content_type == "disclosure"),
        (SearchParams(q="道路运输", types=["article"], sort="date"), lambda e: e.content_type == "article"),
        (SearchParams(q="道路运输", topic_categories=["general"]), lambda e: e.topic_category == "general"),
    ):
        results = backend.search(params)
        assert not results.total_exact and results.hits, params
        assert all(check(hit.entry) for hit in results.hits), params
    day = timezone.localtime(many["scale-source"].published_at).date() + datetime.timedelta(days=5)
    dated = backend.search(SearchParams(q="道路运输", date_from=day))
    assert dated.total == 0 and not dated.hits  # every copy is within three hours of its source


def test_chinese_and_english_words_beyond_the_cap(many):
    backend = get_backend("postgres")
    english = backend.search(SearchParams(q="smart road", page_size=50))
    assert not english.total_exact and english.total_display in ("10+", f"约 {english.total}")
    assert english.hits and all("Smart Road" in hit.entry.title for hit in english.hits)
    chinese = backend.search(SearchParams(q='"安全检查"', page_size=50))
    assert chinese.hits and all(hit.entry.tenant.code == "jtj" for hit in chinese.hits)


def test_hidden_sites_stay_hidden_beyond_the_cap(many, cluster):
    """Copies on a suspended site, newer than everything (so inside the recent window), never show."""
    from sites.models import Tenant

    hidden = cluster.sites["portal"]
    later = many["scale-source"].published_at + datetime.timedelta(days=1)
    copy_documents(many["scale-source"], 60, 300_000, tenant=hidden, start=later)
    Tenant.objects.filter(pk=hidden.pk).update(status="suspended")
    hidden_ids = set(CatalogueEntry.objects.filter(tenant=hidden).values_list("id", flat=True))
    backend = get_backend("postgres")
    for params in (
        SearchParams(q="道路运输"),
        SearchParams(q="道路运输", sort="date"),
        SearchParams(q="道路运输", page=2, page_size=5),
        SearchParams(q="smart road", sort="date", page=2),
    ):
        results = backend.search(params)
        assert results.hits and not {hit.entry.pk for hit in results.hits} & hidden_ids, params
        assert all(facet["value"] != hidden.code for facet in results.facets["sites"])


def test_search_rows_without_a_live_catalogue_row_never_show(many):
    """The page is read from the catalogue: a search row whose entry is unpublished does not appear."""
    newest = matching()[:5]
    CatalogueEntry.objects.filter(id__in=newest).delete()  # cascades to the search rows
    assert not SearchDocument.objects.filter(entry_id__in=newest).exists()
    results = get_backend("postgres").search(SearchParams(q="道路运输", sort="date"))
    assert [hit.entry.pk for hit in results.hits] == matching()[:10]


def test_estimates_are_rounded_and_labelled():
    assert [round_estimate(n) for n in (7, 99, 123, 61_234, 995_000)] == [7, 99, 120, 61_000, 1_000_000]
    params = SearchParams(q="x")
    assert SearchResults(params, total=1000, total_exact=False).total_display == "1000+"
    estimated = SearchResults(params, total=61_000, total_exact=False, total_estimated=True)
    assert estimated.total_display == "约 61000" and estimated.as_json()["total_estimated"] is True


def test_the_estimate_leaves_out_suspended_sites(many, cluster):
    """ "约 N" counts what a reader could find: 1500 copies on a suspended site are not in it."""
    from sites.models import Tenant

    hidden = cluster.sites["portal"]
    copy_documents(many["scale-source"], 1500, 400_000, tenant=hidden)
    Tenant.objects.filter(pk=hidden.pk).update(status="suspended")
    results = get_backend("postgres").search(SearchParams(q="道路运输"))
    assert results.total_estimated
    # 302 visible matches (the planner is within a factor of about two); with the suspended
    # site's rows counted it would be about 1800.
    assert 150 <= results.total <= 700, results.total


def years_fixture_copies(entry):
    """Copies of ``entry`` across the years a search reads one by one: this year, three years ago on
    both sides of New Year's midnight (China time), ten years ago (before the last eight) and next year."""
    from search.backends.postgres import CHINA

    year = timezone.localdate().year
    starts = [
        (datetime.datetime(year - 3, 12, 31, 23, 57, tzinfo=CHINA), 3),  # 23:58, 23:59, 00:00 of Jan 1st
        (datetime.datetime(year - 10, 1, 5, 9, 0, tzinfo=CHINA), 3),
        (datetime.datetime(year + 1, 2, 1, 9, 0, tzinfo=CHINA), 2),
        (datetime.datetime(year, 1, 1, 0, 0, tzinfo=CHINA), 2),
    ]
    for number, (start, count) in enumerate(starts):
        copy_documents(entry, count, 500_000 + 1000 * number, start=start)
    return year


def test_every_year_is_read_once_whatever_the_date_filter(cluster):
    """The match set is read year by year (partial indexes per year bucket): old, future and
    midnight-of-New-Year rows are each counted once, with and without date filters."""
    entries = publish_docs(cluster, [SOURCE])
    year = years_fixture_copies(entries["scale-source"])
    backend = get_backend("postgres")
    everything = backend.search(SearchParams(q="道路运输", page_size=50, sort="date"))
    assert everything.total_exact and everything.total == len(matching()) == 11
    assert [hit.entry.pk for hit in everything.hits] == matching()
    years = {facet["value"]: facet["count"] for facet in everything.facets["years"]}
    assert years[str(year - 10)] == 3 and years[str(year + 1)] == 2 and years[str(year - 2)] == 1
    for date_from, date_to in (
        (datetime.date(year - 3, 12, 31), datetime.date(year - 3, 12, 31)),
        (datetime.date(year - 2, 1, 1), None),
        (None, datetime.date(year - 3, 12, 31)),
        (datetime.date(year - 12, 1, 1), datetime.date(year - 9, 1, 1)),
        (datetime.date(year + 1, 1, 1), None),
        (datetime.date(year - 3, 6, 1), datetime.date(year + 5, 1, 1)),
    ):
        params = SearchParams(q="道路运输", page_size=50, sort="date", date_from=date_from, date_to=date_to)
        start, end = backend.date_bounds(params)
        bounds = {}
        if start:
            bounds["published_at__gte"] = start
        if end:
            bounds["published_at__lt"] = end
        results = backend.search(params)
        assert results.total_exact and [hit.entry.pk for hit in results.hits] == matching(**bounds), (
            date_from,
            date_to,
        )
    assert (
        len(
            matching(
                published_at__lt=backend.date_bounds(SearchParams(q="x", date_to=datetime.date(year - 3, 12, 31)))[1]
            )
        )
        == 5
    )


def test_site_and_topic_filters_across_years(cluster):
    """With a site or 主题分类 filter each year is also bounded by its dates (for the btree indexes):
    the same rows as without those bounds."""
    entries = publish_docs(cluster, [SOURCE, OTHER])
    years_fixture_copies(entries["scale-source"])
    years_fixture_copies(entries["scale-other"])
    backend = get_backend("postgres")
    for chosen, filters in (
        ({"sites": ["jtj"]}, {"tenant__code": "jtj"}),
        ({"topic_categories": ["general"]}, {"topic_category": "general"}),
        ({"kinds": ["department"], "types": ["article"]}, {"content_type": "article"}),
    ):
        params = SearchParams(q="道路运输", page_size=50, sort="date", **chosen)
        results = backend.search(params)
        assert results.total_exact and [hit.entry.pk for hit in results.hits] == matching(**filters), params
