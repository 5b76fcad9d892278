"""The embedded backend: a tsvector per catalogue entry in the public schema, GIN-indexed.

* Tokens come from :mod:`search.text` (jieba words split into parts), written as a tsvector literal
  in the ``simple`` configuration with weights title A > summary and 主题词 B > body C > metadata D
  (文号, 索引号, 发布机构, column and site names), so ranking prefers title matches.
* A query word is a phrase of its parts (``<->``) and ranking is ``ts_rank_cd`` (cover density),
  which rewards query words that occur close together; an exact 文号/索引号 hit is put first.
* Rows are written by the ``catalogue_changed`` receiver, inside the publishing transaction, and
  removed with the catalogue row by cascade: an unpublished item is gone when the transaction commits.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import transaction
from django.db.models import Case, Count, F, Q, Value, When
from django.db.models.functions import ExtractYear

from .. import text
from ..models import SearchDocument
from ..query import SearchResults
from .base import SearchBackend, SearchError

# ts_rank_cd weights for D, C, B, A.
RANK_WEIGHTS = [0.05, 0.2, 0.4, 1.0]
# 1: divide by 1 + log(length), so a long report does not win by sheer size.
RANK_NORMALIZATION = 1


def _phrase(tokens, suffix=""):
    return " <-> ".join(text.quote_lexeme(token) + suffix for token in tokens)


def _unit(unit, suffix=""):
    alternatives = [_phrase(tokens, suffix) for tokens in unit.alternatives]
    return "(" + " | ".join(alternatives) + ")"


def compile_tsquery(parsed):
    """The tsquery text of a parsed query, or "" when it has no required word."""
    if not parsed.required:
        return ""
    parts = [_unit(unit) for unit in parsed.required]
    parts += ["!" + _unit(unit) for unit in parsed.excluded]
    return " & ".join(parts)


def compile_prefix_tsquery(prefix, tokenize=text.tokens):
    """Title words typed so far, the last one possibly unfinished: ``'交通':A <-> '运':*A``."""
    tokens = tokenize(prefix, keep_stop_words=True)
    if not tokens:
        return ""
    head = [text.quote_lexeme(token) + ":A" for token in tokens[:-1]]
    return " <-> ".join([*head, text.quote_lexeme(tokens[-1]) + ":*A"])


def raw_query(tsquery):
    return SearchQuery(tsquery, search_type="raw", config="simple")


class PostgresSearchBackend(SearchBackend):
    def __init__(self, name="postgres", **options):
        super().__init__(name, **options)

    # --- writing ------------------------------------------------------------------------------

    def document_for(self, entry):
        tenant = entry.tenant
        fields = [
            ("A", entry.title),
            ("B", entry.summary),
            ("B", entry.keywords),
            ("C", entry.body_text),
            (
                "D",
                " ".join([entry.document_number, entry.index_number, entry.publisher, entry.column_title, tenant.name]),
            ),
        ]
        return SearchDocument(
            entry=entry,
            tenant_id=entry.tenant_id,
            content_type=entry.content_type,
            column_class=entry.column_class,
            topic_category=entry.topic_category,
            validity=entry.validity,
            published_at=entry.published_at,
            document_number_key=text.document_number_key(entry.document_number),
            index_number_key=text.index_number_key(entry.index_number),
            vector=text.tsvector_literal(fields, tokenize=self.tokenize),
        )

    def index_entries(self, entries):
        documents = [self.document_for(entry) for entry in entries]
        if documents:
            SearchDocument.objects.bulk_create(
                documents,
                update_conflicts=True,
                unique_fields=["entry"],
                update_fields=[
                    "tenant",
                    "content_type",
                    "column_class",
                    "topic_category",
                    "validity",
                    "published_at",
                    "document_number_key",
                    "index_number_key",
                    "vector",
                ],
            )
        return len(documents)

    def remove(self, tenant_code, page_id):
        SearchDocument.objects.filter(entry__tenant__code=tenant_code, entry__page_id=page_id).delete()

    def reindex(self, site=None, progress=None, batch_size=500):
        """Rebuild the rows of every catalogue entry (or one site's) in batches; returns the count."""
        from publishing.catalogue.models import CatalogueEntry

        entries = CatalogueEntry.objects.select_related("tenant").order_by("id")
        if site:
            entries = entries.filter(tenant__code=site)
        done = 0
        batch = []
        for entry in entries.iterator(chunk_size=batch_size):
            batch.append(entry)
            if len(batch) >= batch_size:
                done += self._write_batch(batch, progress)
                batch = []
        done += self._write_batch(batch, progress)
        return done

    def _write_batch(self, batch, progress):
        if not batch:
            return 0
        with transaction.atomic():
            count = self.index_entries(batch)
        if progress:
            progress(count)
        return count

    # --- reading ------------------------------------------------------------------------------

    def filtered(self, params):
        """Documents of serving sites passing every filter except the text."""
        keep, hidden = self.site_scope(params)
        documents = SearchDocument.objects.all()
        if keep is not None:
            documents = documents.filter(tenant_id__in=keep)
        elif hidden:
            documents = documents.exclude(tenant_id__in=hidden)
        if params.types:
            documents = documents.filter(content_type__in=params.types)
        if params.column_classes:
            documents = documents.filter(column_class__in=params.column_classes)
        if params.topic_categories:
            documents = documents.filter(topic_category__in=params.topic_categories)
        if params.validities:
            documents = documents.filter(validity__in=params.validities)
        start, end = self.date_bounds(params)
        if start:
            documents = documents.filter(published_at__gte=start)
        if end:
            documents = documents.filter(published_at__lt=end)
        return documents

    def search(self, params):
        parsed = params.parse(tokenize=self.tokenize)
        tsquery = compile_tsquery(parsed)
        exact = Q()
        if parsed.document_number:
            exact |= Q(document_number_key=parsed.document_number)
        if parsed.index_number:
            exact |= Q(index_number_key=parsed.index_number)
        if not tsquery and not exact:
            raise SearchError("请输入要查找的词（不能只有排除词）")
        documents = self.filtered(params)
        match = Q(vector=raw_query(tsquery)) if tsquery else None
        if exact:
            exact_match = exact
            if parsed.excluded:
                exact_match &= ~Q(vector=raw_query(" | ".join(_unit(unit) for unit in parsed.excluded)))
            match = exact_match | match if match is not None else exact_match
        documents = documents.filter(match)

        results = SearchResults(params=params)
        counts = self._counts(documents)
        results.total = sum(counts.values())
        if params.facets:
            results.facets = self.build_facets(counts)
        if results.total == 0:
            return results

        if params.sort == "date":
            ordered = documents.annotate(score=Value(0.0)).order_by("-published_at", "-entry_id")
        else:
            rank = Value(0.0)
            if tsquery:
                rank = SearchRank(
                    F("vector"),
                    raw_query(tsquery),
                    weights=RANK_WEIGHTS,
                    normalization=Value(RANK_NORMALIZATION),
                    cover_density=True,
                )
            boost = Case(When(exact, then=Value(1)), default=Value(0)) if exact else Value(0)
            ordered = documents.annotate(score=rank, boost=boost).order_by(
                "-boost", "-score", "-published_at", "-entry_id"
            )
        page = ordered.values_list("entry_id", "score")[params.offset : params.offset + params.page_size]
        results.hits = self.load_hits(list(page), parsed)
        return results

    @staticmethod
    def _counts(documents):
        """{(tenant_id, content_type, year): count} of the match set, in one grouped query."""
        tz = ZoneInfo(settings.TIME_ZONE)
        rows = (
            documents.annotate(year=ExtractYear("published_at", tzinfo=tz))
            .values_list("tenant_id", "content_type", "year")
            .annotate(n=Count("*"))
            .order_by()
        )
        return {(tenant_id, content_type, year): n for tenant_id, content_type, year, n in rows}

    def suggest(self, prefix, sites=None, limit=8):
        tsquery = compile_prefix_tsquery(prefix, tokenize=self.tokenize)
        if not tsquery:
            return []
        from sites.models import Tenant

        serving = Tenant.objects.serving()
        if sites:
            serving = serving.filter(code__in=sites)
        query = raw_query(tsquery)
        rows = (
            SearchDocument.objects.filter(tenant_id__in=serving.values("id"), vector=query)
            .annotate(score=SearchRank(F("vector"), query, weights=[0.0, 0.0, 0.0, 1.0], normalization=Value(1)))
            .order_by("-score", "-published_at")
            .values_list("entry__title", "entry__url", "entry__tenant__code")[: limit * 3]
        )
        seen, out = set(), []
        for title, url, code in rows:
            if title not in seen:
                seen.add(title)
                out.append({"title": title, "url": url, "site": code})
            if len(out) >= limit:
                break
        return out
