"""The Elasticsearch backend: the official client's DSL, one alias over versioned indices.

* **Zero-downtime rebuilds.** Readers and the outbox use the alias (``cms-search``); ``reindex``
  builds ``cms-search-<timestamp>``, swaps the alias in one atomic ``_aliases`` call, re-applies
  the items that changed while it was building, then drops the old indices.
* **Analyzers.** Text fields use the built-in ``cjk`` analyzer (overlapping bigrams) unless the
  backend is configured with ``ANALYZER = "ik"`` (``ik_max_word`` at index time, ``ik_smart`` at
  search time; the analysis-ik plugin must be on every node). Next to them, ``*_words`` fields
  hold our own jieba parts (search.text) under a whitespace analyzer: a query word must match
  there as a phrase to score high, so 民政 does not rank 人民政府 pages first, while the bigram
  fields still find what segmentation missed, lower down. Both backends thus rank alike.
* **Fed from the outbox** (``ElasticsearchOutboxEngine``): publishing never waits for or fails
  because of the cluster; events stay pending and are retried until it is back.
* Hits are read back from the catalogue, so an item unpublished a second ago never shows even
  before its outbox event is applied.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone
from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import ApiError, Elasticsearch, NotFoundError, helpers
from elasticsearch.dsl import A, Date, Index, Keyword, Mapping, Search, Text, analyzer
from elasticsearch.dsl import Q as EQ

from publishing.catalogue.engines import OutboxEngine
from publishing.catalogue.models import CatalogueEntry, OutboxEvent
from sites.models import Tenant

from .. import text
from ..query import SearchResults
from .base import BackendUnavailable, SearchBackend, SearchError, type_labels

# Elasticsearch counts to 10,000 cheaply (the engine's own default for track_total_hits); PostgreSQL
# stops at 1,000 (search.backends.postgres.COUNT_CAP). CMS_SEARCH_COUNT_CAP sets both.
COUNT_CAP = 10_000

logger = logging.getLogger(__name__)

ANALYZERS = {
    "cjk": {"analyzer": "cjk", "search_analyzer": "cjk"},
    "ik": {"analyzer": "ik_max_word", "search_analyzer": "ik_smart"},
}
# Our jieba parts, already split: whitespace only, lower-cased like search.text does.
WORDS_ANALYZER = analyzer("cms_words", tokenizer="whitespace", filter=["lowercase"])
TEXT_FIELDS = ("title", "summary", "body")
WORD_BOOSTS = {"title_words": 4.0, "summary_words": 2.0, "body_words": 1.0, "meta_words": 0.5}
CHAR_BOOSTS = {"title": 0.4, "summary": 0.2, "body": 0.1}
UNAVAILABLE = (TransportConnectionError, ConnectionTimeout)


def build_mapping(analyzer_name="cjk"):
    """The index mapping for the configured analyzer ("cjk" or "ik")."""
    if analyzer_name not in ANALYZERS:
        raise ValueError(f"unknown analyzer {analyzer_name!r}; choose one of {sorted(ANALYZERS)}")
    mapping = Mapping()
    for name in TEXT_FIELDS:
        mapping.field(name, Text(**ANALYZERS[analyzer_name]))
    for name in WORD_BOOSTS:
        mapping.field(name, Text(analyzer=WORDS_ANALYZER))
    for name in (
        "site",
        "site_kind",
        "type",
        "column_class",
        "topic_category",
        "validity",
        "document_number_key",
        "index_number_key",
    ):
        mapping.field(name, Keyword())
    mapping.field("entry_id", Keyword())
    mapping.field("published_at", Date())
    return mapping


def build_index(name, analyzer_name="cjk"):
    index = Index(name)
    index.settings(number_of_shards=1, max_result_window=10_000)
    index.mapping(build_mapping(analyzer_name))
    return index


def document_id(tenant_code, page_id):
    return f"{tenant_code}:{page_id}"


def document_body(entry):
    """The indexed document of a catalogue row (with its tenant)."""
    meta = " ".join([entry.document_number, entry.index_number, entry.publisher, entry.column_title, entry.tenant.name])
    return {
        "entry_id": str(entry.pk),
        "site": entry.tenant.code,
        "site_kind": entry.tenant.kind,
        "type": entry.content_type,
        "column_class": entry.column_class,
        "topic_category": entry.topic_category,
        "validity": entry.validity,
        "published_at": entry.published_at.isoformat(),
        "title": entry.title,
        "summary": entry.summary,
        "body": entry.body_text[: text.MAX_TEXT_CHARS],
        "title_words": " ".join(text.tokens(entry.title)),
        "summary_words": " ".join(text.tokens(f"{entry.summary} {entry.keywords}")),
        "body_words": " ".join(text.tokens(entry.body_text)),
        "meta_words": " ".join(text.tokens(meta)),
        "document_number_key": text.document_number_key(entry.document_number),
        "index_number_key": text.index_number_key(entry.index_number),
    }


def unit_query(unit):
    """Any alternative of the unit: as a phrase of our parts (high) or of the analyzer's tokens (low)."""
    shoulds = []
    for tokens in unit.alternatives:
        shoulds.append(
            EQ(
                "multi_match",
                query=" ".join(tokens),
                type="phrase",
                fields=[f"{f}^{b}" for f, b in WORD_BOOSTS.items()],
            )
        )
        shoulds.append(
            EQ("multi_match", query="".join(tokens), type="phrase", fields=[f"{f}^{b}" for f, b in CHAR_BOOSTS.items()])
        )
    return EQ("bool", should=shoulds, minimum_should_match=1)


def text_query(parsed):
    """The query part of a search: required units, excluded units, exact 文号/索引号 first."""
    exact = []
    if parsed.document_number:
        exact.append(EQ("term", document_number_key={"value": parsed.document_number, "boost": 1000}))
    if parsed.index_number:
        exact.append(EQ("term", index_number_key={"value": parsed.index_number, "boost": 1000}))
    must_not = [unit_query(unit) for unit in parsed.excluded]
    if not parsed.required and not exact:
        raise SearchError("请输入要查找的词（不能只有排除词）")
    words = EQ("bool", must=[unit_query(unit) for unit in parsed.required]) if parsed.required else None
    if exact:
        alternatives = [*exact, words] if words is not None else exact
        return EQ("bool", should=alternatives, minimum_should_match=1, must_not=must_not)
    return EQ("bool", must=[words], must_not=must_not)


def filters(params, keep_codes, hidden_codes):
    out = []
    if keep_codes is not None:
        out.append(EQ("terms", site=keep_codes))
    for field, values in (
        ("type", params.types),
        ("column_class", params.column_classes),
        ("topic_category", params.topic_categories),
        ("validity", params.validities),
    ):
        if values:
            out.append(EQ("terms", **{field: values}))
    if params.date_from or params.date_to:
        bounds = {"time_zone": settings.TIME_ZONE}
        if params.date_from:
            bounds["gte"] = params.date_from.isoformat()
        if params.date_to:
            bounds["lte"] = params.date_to.isoformat()
        out.append(EQ("range", published_at=bounds))
    negative = [EQ("terms", site=hidden_codes)] if hidden_codes else []
    return out, negative


def build_search(params, keep_codes=None, hidden_codes=(), index="cms-search"):
    """The elasticsearch.dsl Search of a request (no client: inspect it with ``to_dict()``)."""
    parsed = params.parsed or params.parse()
    positive, negative = filters(params, keep_codes, list(hidden_codes))
    query = text_query(parsed)
    search = Search(index=index).query(
        EQ("bool", must=[query], filter=positive, must_not=negative) if positive or negative else query
    )
    if params.sort == "date":
        search = search.sort({"published_at": {"order": "desc"}}, {"entry_id": {"order": "desc"}})
    else:
        search = search.sort("_score", {"published_at": {"order": "desc"}})
    # Counted exactly up to the cap; beyond it the total's relation is "gte" ("10000+").
    count_cap = getattr(settings, "CMS_SEARCH_COUNT_CAP", COUNT_CAP)
    search = search.extra(track_total_hits=count_cap, from_=params.offset, size=params.page_size)
    search = search.source(["entry_id"])
    if params.facets:
        search.aggs.bucket("sites", A("terms", field="site", size=500))
        search.aggs.bucket("types", A("terms", field="type", size=50))
        search.aggs.bucket(
            "years",
            A(
                "date_histogram",
                field="published_at",
                calendar_interval="year",
                time_zone=settings.TIME_ZONE,
                min_doc_count=1,
            ),
        )
    return search


class ElasticsearchBackend(SearchBackend):
    def __init__(
        self, name="elasticsearch", url="http://127.0.0.1:9200", index="cms-search", analyzer="cjk", **options
    ):
        super().__init__(name, **options)
        if analyzer not in ANALYZERS:
            raise ValueError(f"unknown analyzer {analyzer!r}; choose one of {sorted(ANALYZERS)}")
        self.url = url
        self.alias = index
        self.analyzer = analyzer
        self.timeout = options.get("timeout", 5)
        self._client = None

    @property
    def client(self):
        if self._client is None:
            self._client = Elasticsearch(self.url, request_timeout=self.timeout, max_retries=1, retry_on_timeout=False)
        return self._client

    def _call(self, action, *args, **kwargs):
        try:
            return action(*args, **kwargs)
        except UNAVAILABLE as error:
            raise BackendUnavailable(f"Elasticsearch 无法连接（{self.url}）：{error}") from error

    # --- writing ------------------------------------------------------------------------------

    def index_entries(self, entries):
        actions = [
            {
                "_op_type": "index",
                "_index": self.alias,
                "_id": document_id(entry.tenant.code, entry.page_id),
                "_source": document_body(entry),
            }
            for entry in entries
        ]
        if actions:
            self._call(helpers.bulk, self.client, actions, refresh=False)
        return len(actions)

    def remove(self, tenant_code, page_id):
        try:
            self._call(self.client.delete, index=self.alias, id=document_id(tenant_code, page_id))
        except NotFoundError:
            pass  # already gone: deletes are idempotent

    def versions(self):
        """Names of this alias's versioned indices, oldest first."""
        try:
            found = self._call(self.client.indices.get, index=f"{self.alias}-*", allow_no_indices=True)
        except NotFoundError:
            return []
        return sorted(found.body if hasattr(found, "body") else found)

    def reindex(self, site=None, progress=None, batch_size=500):
        """Build a new index behind the alias (all sites), or rewrite one site's documents in place."""
        entries = CatalogueEntry.objects.select_related("tenant").order_by("id")
        if site:
            self._call(
                self.client.delete_by_query, index=self.alias, query={"term": {"site": site}}, conflicts="proceed"
            )
            return self._bulk(entries.filter(tenant__code=site), self.alias, progress, batch_size)
        started = timezone.now()
        new = f"{self.alias}-{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"
        self._call(build_index(new, self.analyzer).create, using=self.client)
        count = self._bulk(entries, new, progress, batch_size)
        self._call(self.client.indices.refresh, index=new)
        old = [name for name in self.versions() if name != new]
        actions = [{"remove": {"index": name, "alias": self.alias}} for name in old if self._has_alias(name)]
        actions.append({"add": {"index": new, "alias": self.alias}})
        self._call(self.client.indices.update_aliases, actions=actions)
        # Items published or removed while the new index was being built: make them current.
        changed = (
            OutboxEvent.objects.filter(engine=self.name, created_at__gte=started)
            .values_list("tenant_code", "page_id")
            .distinct()
        )
        for code, page_id in changed:
            entry = CatalogueEntry.objects.select_related("tenant").filter(tenant__code=code, page_id=page_id).first()
            self.apply_entry(code, page_id, entry)
        for name in old:
            self._call(self.client.indices.delete, index=name, ignore_unavailable=True)
        return count

    def _has_alias(self, name):
        try:
            return bool(self._call(self.client.indices.get_alias, index=name, name=self.alias))
        except NotFoundError:
            return False

    def _bulk(self, entries, index, progress, batch_size):
        count = 0
        batch = []
        for entry in entries.iterator(chunk_size=batch_size):
            batch.append(entry)
            if len(batch) >= batch_size:
                count += self._write(batch, index, progress)
                batch = []
        return count + self._write(batch, index, progress)

    def _write(self, batch, index, progress):
        if not batch:
            return 0
        actions = [
            {"_index": index, "_id": document_id(e.tenant.code, e.page_id), "_source": document_body(e)} for e in batch
        ]
        self._call(helpers.bulk, self.client, actions)
        if progress:
            progress(len(batch))
        return len(batch)

    def apply_entry(self, tenant_code, page_id, entry):
        if entry is None:
            self.remove(tenant_code, page_id)
        else:
            self.index_entries([entry])

    def refresh(self):
        self._call(self.client.indices.refresh, index=self.alias)

    def drop(self):
        for name in self.versions():
            self._call(self.client.indices.delete, index=name, ignore_unavailable=True)

    # --- reading ------------------------------------------------------------------------------

    def search(self, params):
        params.parse()
        keep, hidden = self.site_scope(params)
        keep_codes = (
            list(Tenant.objects.filter(id__in=keep).values_list("code", flat=True)) if keep is not None else None
        )
        hidden_codes = list(Tenant.objects.filter(id__in=hidden).values_list("code", flat=True))
        search = build_search(params, keep_codes, hidden_codes, index=self.alias)
        try:
            response = self._call(search.using(self.client).execute)
        except ApiError as error:
            raise BackendUnavailable(f"Elasticsearch 出错：{error}") from error
        total = response.hits.total
        results = SearchResults(params=params, total=total.value, total_exact=total.relation == "eq")
        scored = [(int(hit.entry_id), hit.meta.score or 0.0) for hit in response]
        results.hits = self.load_hits(scored, params.parsed)
        if params.facets:
            results.facets = self._facets(response)
        return results

    def _facets(self, response):
        aggs = response.aggregations
        site_counts = {bucket.key: bucket.doc_count for bucket in aggs.sites.buckets}
        names = dict(Tenant.objects.filter(code__in=site_counts).values_list("code", "name"))
        labels = type_labels()
        return {
            "sites": [
                {"value": code, "label": names[code], "count": count}
                for code, count in sorted(site_counts.items(), key=lambda item: (-item[1], item[0]))
                if code in names
            ],
            "types": [
                {"value": b.key, "label": labels.get(b.key, b.key), "count": b.doc_count} for b in aggs.types.buckets
            ],
            "years": [
                {"value": b.key_as_string[:4], "label": f"{b.key_as_string[:4]}年", "count": b.doc_count}
                for b in sorted(aggs.years.buckets, key=lambda b: b.key, reverse=True)
            ],
        }

    def suggest(self, prefix, sites=None, limit=8):
        tokens = text.tokens(prefix, keep_stop_words=True)
        if not tokens:
            return []
        codes = list(Tenant.objects.serving().values_list("code", flat=True))
        if sites:
            codes = [code for code in codes if code in sites]
        search = (
            Search(index=self.alias)
            .query(EQ("match_phrase_prefix", title_words={"query": " ".join(tokens)}))
            .filter("terms", site=codes)
            .sort("_score", {"published_at": {"order": "desc"}})
            .source(["entry_id"])
            .extra(size=limit * 3)
        )
        response = self._call(search.using(self.client).execute)
        ids = [int(hit.entry_id) for hit in response]
        rows = CatalogueEntry.objects.select_related("tenant").in_bulk(ids)
        seen, out = set(), []
        for entry_id in ids:
            entry = rows.get(entry_id)
            if entry and entry.title not in seen:
                seen.add(entry.title)
                out.append({"title": entry.title, "url": entry.url, "site": entry.tenant.code})
        return out[:limit]


class ElasticsearchOutboxEngine(OutboxEngine):
    """Applies outbox events to the Elasticsearch backend of the same name; errors make them retry."""

    def apply(self, event, entry):
        from . import configured_backends, get_backend

        name = self.name if self.name in configured_backends() else "elasticsearch"
        get_backend(name).apply_entry(event.tenant_code, event.page_id, entry)
