"""The PostgreSQL backend's statements: GIN indexes usable, few round trips, capped work (no timings)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from search.backends import get_backend
from search.backends.postgres import PostgresSearchBackend
from search.query import SearchParams

from . import corpus
from .conftest import publish_docs

pytestmark = pytest.mark.django_db

DOCS = {doc.key: doc for doc in corpus.DOCUMENTS}


PRICED_OUT = ("enable_seqscan", "enable_indexscan", "enable_nestloop")


def explain(sql, params):
    """The plan with the alternatives to a bitmap scan priced out (a test table is tiny, so the
    planner would rightly read it whole): shows that the index *can* answer the generated SQL."""
    with connection.cursor() as cursor:
        for setting in PRICED_OUT:
            cursor.execute(f"SET {setting} = off")
        try:
            cursor.execute("EXPLAIN " + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            for setting in PRICED_OUT:
                cursor.execute(f"RESET {setting}")


def statements_of(run):
    with CaptureQueriesContext(connection) as captured:
        result = run()
    return result, [query["sql"] for query in captured.captured_queries]


@pytest.fixture
def few_documents(cluster):
    return publish_docs(cluster, [DOCS[key] for key in ("jyj-enrolment-primary", "jyj-gaokao", "jtj-winter-safety")])


def test_a_search_is_one_statement_using_the_gin_index(few_documents):
    backend = get_backend("postgres")
    backend.run(SearchParams(q="热身"))  # the synonym list is read once per process, not per search
    results, statements = statements_of(lambda: backend.search(SearchParams(q="招生", sort="relevance")))
    assert results.total == 2 and results.total_exact
    searches = [sql for sql in statements if "search_searchdocument" in sql]
    assert len(searches) == 1, statements  # total, facets and the ranked page together
    assert len(statements) <= 3, statements  # + the hits from the catalogue (+ a synonym check at most)

    captured = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        backend.search(SearchParams(q="招生 -民办"))
    sql, params = next((sql, params) for sql, params in captured if "search_searchdocument" in sql)
    plan = explain(sql, params)
    assert "search_doc_vector" in plan, plan
    # Year by year, newest first, each year off its bucket's partial GIN index (this year's first).
    year = timezone.localdate().year
    assert f"search_doc_vector_y{year % 8}" in plan, plan
    assert plan.index(f"search_doc_vector_y{year % 8}") < plan.index(f"search_doc_vector_y{(year - 1) % 8}"), plan
    assert "GROUPING SETS" in sql.upper() or "MixedAggregate" in plan or "GroupAggregate" in plan


def test_suggestions_use_the_title_index(few_documents):
    captured = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        titles = [s["title"] for s in PostgresSearchBackend().suggest("高考报")]
    assert titles == [DOCS["jyj-gaokao"].title]
    sql, params = captured[-1]
    assert "title_vector" in sql
    assert "search_doc_title" in explain(sql, params)


def test_many_matches_rank_a_capped_candidate_set(few_documents, settings):
    """Below the candidate cap every match is ranked; above it the page still holds the best title match."""
    backend = get_backend("postgres")
    everything = [hit.entry.pk for hit in backend.search(SearchParams(q="工作", page_size=50)).hits]
    settings.CMS_SEARCH_RANK_CANDIDATES = 1
    capped = backend.search(SearchParams(q="工作", page_size=50))
    assert capped.total == len(everything) and capped.total_exact
    assert len(capped.hits) == 1 and capped.hits[0].entry.pk in everything


def test_title_vector_and_year_are_derived_by_the_database(few_documents):
    from search.models import SearchDocument

    document = SearchDocument.objects.get(entry=few_documents["jyj-gaokao"])
    assert document.title_vector and "'高考'" in str(document.title_vector)
    assert all(":" in part and part.split(":")[1][-1] == "A" for part in str(document.title_vector).split())
    from django.utils import timezone

    assert document.published_year == timezone.localtime(document.published_at).year
