"""What every search backend does, and the parts they share (site filters, facets, hits, snippets)."""

from __future__ import annotations

import datetime
import time
from functools import lru_cache

from django.apps import apps
from django.utils import timezone

from publishing.catalogue.models import CatalogueEntry
from publishing.catalogue.services import catalogue_types
from sites.models import Tenant

from .. import snippets, text
from ..query import Hit, SearchParams, SearchResults


@lru_cache(maxsize=1)
def type_labels():
    """{content type name: its label} (article → 文章); fixed by the code, so read once per process."""
    return {name: str(apps.get_model(label)._meta.verbose_name) for label, name in catalogue_types().items()}


class SearchError(ValueError):
    """A request that cannot be answered as asked; the message is shown to the reader (Chinese)."""


class BackendUnavailable(RuntimeError):
    """The engine cannot be reached; callers may fall back or report it."""


class SearchBackend:
    """Interface of a search backend.

    ``search(params)`` answers a validated :class:`~search.query.SearchParams`; ``suggest`` lists
    titles while typing; ``index_entries`` and ``remove`` make the index match catalogue rows (they
    are idempotent: the outbox may retry); ``reindex`` rebuilds everything (or one site) from the
    catalogue; ``refresh`` makes writes visible to searches (a no-op where writes are immediate).
    """

    tokenize = staticmethod(text.tokens)

    def __init__(self, name="", **options):
        self.name = name
        self.options = options

    def search(self, params: SearchParams) -> SearchResults:
        raise NotImplementedError

    def suggest(self, prefix, sites=None, limit=8):
        raise NotImplementedError

    def index_entries(self, entries):
        raise NotImplementedError

    def remove(self, tenant_code, page_id):
        raise NotImplementedError

    def reindex(self, site=None, progress=None):
        raise NotImplementedError

    def refresh(self):
        return None

    # --- shared helpers ---------------------------------------------------------------------------

    def run(self, params):
        """``search`` with the time it took."""
        start = time.perf_counter()
        results = self.search(params)
        results.took_ms = (time.perf_counter() - start) * 1000
        return results

    @staticmethod
    def site_scope(params):
        """(tenant ids to keep or None for all, tenant ids to leave out) from the site filters.

        Only serving sites are searchable: a suspended or archived site's items stay in the
        catalogue but never appear in results.
        """
        serving = Tenant.objects.serving()
        if params.sites or params.kinds:
            chosen = serving
            if params.sites:
                chosen = chosen.filter(code__in=params.sites)
                found = set(chosen.values_list("code", flat=True))
                unknown = [code for code in params.sites if code not in found]
                if unknown:
                    raise SearchError(f"没有代码为“{'、'.join(unknown)}”的网站")
            if params.kinds:
                chosen = chosen.filter(kind__in=params.kinds)
            return list(chosen.values_list("id", flat=True)), []
        hidden = Tenant.objects.exclude(id__in=serving.values("id")).values_list("id", flat=True)
        return None, list(hidden)

    @staticmethod
    def date_bounds(params):
        """Aware datetimes [start, end) in Asia/Shanghai for the inclusive date range."""
        start = end = None
        if params.date_from:
            start = timezone.make_aware(datetime.datetime.combine(params.date_from, datetime.time.min))
        if params.date_to:
            end = timezone.make_aware(
                datetime.datetime.combine(params.date_to + datetime.timedelta(days=1), datetime.time.min)
            )
        return start, end

    @staticmethod
    def build_facets(counts):
        """Facets from {(tenant_id, content_type, year): count}: sites, types and years, largest first."""
        by_site, by_type, by_year = {}, {}, {}
        for (tenant_id, content_type, year), count in counts.items():
            by_site[tenant_id] = by_site.get(tenant_id, 0) + count
            by_type[content_type] = by_type.get(content_type, 0) + count
            by_year[year] = by_year.get(year, 0) + count
        tenants = {t.id: t for t in Tenant.objects.filter(id__in=by_site)}
        labels = type_labels()
        return {
            "sites": [
                {"value": tenants[tid].code, "label": tenants[tid].name, "count": count}
                for tid, count in sorted(by_site.items(), key=lambda item: (-item[1], item[0]))
                if tid in tenants
            ],
            "types": [
                {"value": name, "label": labels.get(name, name), "count": count}
                for name, count in sorted(by_type.items(), key=lambda item: (-item[1], item[0]))
            ],
            "years": [
                {"value": str(year), "label": f"{year}年", "count": count}
                for year, count in sorted(by_year.items(), key=lambda item: -int(item[0]))
            ],
        }

    @staticmethod
    def load_hits(scored, parsed):
        """Hits for [(entry id, score)] in that order, from the catalogue, with snippets.

        Rows are read from the catalogue, not from the engine's copy: an item unpublished a moment
        ago (its row is gone) never shows, even if an engine has not caught up yet.
        """
        ids = [entry_id for entry_id, _ in scored]
        rows = CatalogueEntry.objects.live().select_related("tenant").in_bulk(ids)
        terms = parsed.highlight_terms() if parsed else []
        hits = []
        for entry_id, score in scored:
            entry = rows.get(entry_id)
            if entry is None:
                continue
            hits.append(
                Hit(
                    entry=entry,
                    score=float(score or 0),
                    snippet=snippets.snippet([entry.summary, entry.body_text], terms),
                    title_html=snippets.highlight(entry.title, terms),
                )
            )
        return hits
