"""Relevance on the realistic corpus: every query finds what a reader expects, in the right order."""

import pytest

from search.backends import get_backend
from search.query import SearchParams

from . import corpus

pytestmark = pytest.mark.django_db


def test_every_corpus_query_finds_its_documents(published_corpus):
    backend = get_backend("postgres")
    key_of = {entry.pk: key for key, entry in published_corpus.items()}
    failures, precision, recall = [], [], []
    for query in corpus.QUERIES:
        found = [key_of[hit.entry.pk] for hit in backend.run(SearchParams(q=query.q, page_size=10)).hits]
        relevant = set(query.relevant)
        precision.append(len(relevant & set(found[:5])) / min(5, len(found) or 1))
        recall.append(len(relevant & set(found[:10])) / len(relevant))
        if not relevant <= set(found):
            failures.append(f"{query.q}: missing {sorted(relevant - set(found))}")
        if query.first and found[:1] != [query.first]:
            failures.append(f"{query.q}: first is {found[:1]}, expected {query.first}")
    assert failures == []
    assert sum(recall) / len(recall) == 1.0
    assert sum(precision) / len(precision) >= 0.9


def test_corpus_is_big_enough_to_mean_something():
    assert len(corpus.DOCUMENTS) >= 30
    assert len({doc.site for doc in corpus.DOCUMENTS}) >= 3
    assert len(corpus.QUERIES) >= 20
    keys = {doc.key for doc in corpus.DOCUMENTS}
    assert all(set(query.relevant) <= keys for query in corpus.QUERIES)
