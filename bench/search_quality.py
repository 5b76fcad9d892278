"""Search quality on the test corpus: precision@5 and recall@10 per backend, on a database of its own.

The corpus (tests/search/corpus.py: 33 documents on three sites, 28 queries with their answers) is
published through Wagtail, so Wagtail's own database search backend indexes the same pages. Rows:

* ours (jieba parts)   — the PostgreSQL backend as shipped (search.text.tokens);
* ours (bigrams)       — the same backend with character bigrams instead, the measured alternative;
* wagtail database     — ``wagtail.search.backends.database`` in each site's schema, merged by score.

    .venv/bin/python bench/search_quality.py [--verbose]
"""

import argparse
import time

import _django

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--verbose", action="store_true", help="print each query's first results")
args = parser.parse_args()

connection = _django.setup("bench_search_quality")
old_name = connection.settings_dict["NAME"]

from django.db import connection as db  # noqa: E402
from wagtail.models import Page  # noqa: E402
from wagtail.search.backends import get_search_backend  # noqa: E402

from publishing.catalogue.models import CatalogueEntry  # noqa: E402
from search import text  # noqa: E402
from search.backends.postgres import PostgresSearchBackend  # noqa: E402
from search.models import SynonymGroup  # noqa: E402
from search.query import SearchParams  # noqa: E402
from sites.bootstrap import bootstrap  # noqa: E402
from sites.models import Tenant  # noqa: E402
from sites.provisioning import SiteSpec, create_site  # noqa: E402
from tests.search import corpus  # noqa: E402
from tests.search.conftest import publish_doc  # noqa: E402


def bigram_tokens(value, keep_stop_words=False):
    return text.bigrams(value)


class BigramBackend(PostgresSearchBackend):
    tokenize = staticmethod(bigram_tokens)


def score(found, query):
    relevant = set(query.relevant)
    top5 = found[:5]
    precision = len(relevant & set(top5)) / (len(top5) or 1) if top5 else 0.0
    recall = len(relevant & set(found[:10])) / len(relevant)
    first_ok = not query.first or found[:1] == [query.first]
    return precision, recall, first_ok


def report(name, rows, seconds):
    n = len(rows)
    p5 = sum(r[0] for r in rows) / n
    r10 = sum(r[1] for r in rows) / n
    firsts = sum(1 for r in rows if r[2])
    print(
        f"{name:<22} precision@5 {p5:5.2f}   recall@10 {r10:5.2f}   right first {firsts}/{n}   {seconds * 1000 / n:6.1f} ms/query"
    )


try:
    print("setting up: schemas, three sites, the corpus published through Wagtail …", flush=True)
    bootstrap(step=lambda text: None)
    create_site(
        SiteSpec(
            code="portal",
            name="测试市人民政府",
            kind="portal",
            domain="portal.quality.localhost",
            details={"org_code": "014207264"},
        )
    )
    create_site(
        SiteSpec(
            code="jtj",
            name="测试市交通运输局",
            parent="portal",
            domain="jtj.quality.localhost",
            details={"org_code": "014207265"},
        )
    )
    create_site(
        SiteSpec(
            code="jyj",
            name="测试市教育局",
            parent="portal",
            domain="jyj.quality.localhost",
            details={"org_code": "014207266"},
        )
    )
    for terms in corpus.SYNONYMS:
        SynonymGroup.objects.create(terms=terms)
    keys = {}
    for doc in corpus.DOCUMENTS:
        tenant = Tenant.objects.get(code=doc.site)
        db.set_tenant(tenant)
        page = publish_doc(doc)
        keys[(doc.site, page.pk)] = doc.key
    db.set_schema_to_public()
    entry_keys = {
        entry.pk: keys[(entry.tenant.code, entry.page_id)] for entry in CatalogueEntry.objects.select_related("tenant")
    }
    print(f"{len(corpus.DOCUMENTS)} documents on 3 sites, {len(corpus.QUERIES)} queries\n")

    for name, backend in (("ours (jieba parts)", PostgresSearchBackend()), ("ours (bigrams)", BigramBackend())):
        backend.reindex()
        rows, start = [], time.perf_counter()
        for query in corpus.QUERIES:
            results = backend.search(SearchParams(q=query.q, page_size=10, facets=False))
            found = [entry_keys[hit.entry.pk] for hit in results.hits]
            rows.append(score(found, query))
            if args.verbose:
                print(f"  {query.q}: {found[:5]}")
        report(name, rows, time.perf_counter() - start)
    PostgresSearchBackend().reindex()

    rows, start = [], time.perf_counter()
    for query in corpus.QUERIES:
        scored = []
        for tenant in Tenant.objects.filter(code__in=["portal", "jtj", "jyj"]):
            db.set_tenant(tenant)
            wagtail = get_search_backend()
            for page in wagtail.search(query.q, Page.objects.live()).annotate_score("_score")[:10]:
                scored.append((page._score or 0, keys.get((tenant.code, page.pk))))
        db.set_schema_to_public()
        found = [key for _, key in sorted(scored, key=lambda item: -item[0]) if key]
        rows.append(score(found, query))
        if args.verbose:
            print(f"  wagtail {query.q}: {found[:5]}")
    report("wagtail database", rows, time.perf_counter() - start)
finally:
    db.set_schema_to_public()
    _django.teardown(connection, old_name)
