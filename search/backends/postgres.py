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

import datetime
import json
from math import floor, log10
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.db import connection, transaction
from django.utils import timezone

from publishing.catalogue.models import CatalogueEntry
from sites.models import SiteStatus

from .. import text
from ..models import SearchDocument
from ..query import SearchResults
from .base import SearchBackend, SearchError, type_labels

# ts_rank_cd weights for D, C, B, A.
RANK_WEIGHTS = [0.05, 0.2, 0.4, 1.0]
# 1: divide by 1 + log(length), so a long report does not win by sheer size.
RANK_NORMALIZATION = 1
# Counted exactly up to here; beyond it the total is the planner's estimate, shown as "约 N"
# (``total_exact`` false, ``total_estimated`` true), or "N+" when the estimate is not above the cap.
# Each match counted is a visit to its row (a tsvector of ~1 kB, rarely in shared buffers at 1M
# rows: ~10 µs each on a busy machine), so this bounds a search's work. Settings: CMS_SEARCH_COUNT_CAP.
COUNT_CAP = 1_000
# At most this many matches are ranked with ts_rank_cd (each reads the whole tsvector); below it,
# every match is ranked. Settings: CMS_SEARCH_RANK_CANDIDATES.
RANK_CANDIDATES = 500
# By date beyond the count cap, pages go this many rows deep (each is an index walk past the
# rows before it). Settings: CMS_SEARCH_DATE_DEPTH.
DATE_DEPTH = 1_000
# No "约 N" below this many (a guess about a handful of rows is no better than "N+").
ESTIMATE_MIN = 100
# Beyond the count cap fewer are ranked: the candidates are a sample of the matches anyway.
RANK_CANDIDATES_BEYOND_CAP = 200
# Beyond the cap, the newest this many documents (by the ``published_at`` index, whatever they
# contain) are tested too, so recent matches are among the candidates ranked. Settings:
# CMS_SEARCH_RECENT_WINDOW.
RECENT_WINDOW = 1_000
# The GIN index is also split into partial indexes by ``published_year % YEAR_BUCKETS``
# (search/migrations/0005): the match set is read year by year, newest first, each year off its
# bucket's index, and reading stops at the count cap, so a common word builds the bitmap of one
# or two years instead of all of them. Years older than the last YEAR_BUCKETS (or in the future)
# come last, from the whole index, and only when there are such rows at all.
YEAR_BUCKETS = 8
CHINA = ZoneInfo("Asia/Shanghai")


def year_start(year):
    """The first moment of ``year`` in China Standard Time (``published_year`` is counted there)."""
    return datetime.datetime(year, 1, 1, tzinfo=CHINA)


def year_branches(start, end, newest, bounded=False):
    """(conditions on ``d``, args): the match set split by publication year, newest first, every row
    in exactly one part, within the date filter [start, end): each of the YEAR_BUCKETS years up to
    ``newest`` that the filter touches, then the rest (older or newer), skipped in the statement
    when the table has no such rows. The date filter goes here, not in the common condition: a year
    wholly inside it needs no date condition (its bucket index is the year already; a published_at
    range would make the planner AND in a bitmap of the whole year). ``bounded`` adds the year's
    bounds anyway, for the (site, date) and (主题分类, date) indexes to narrow the bitmap with."""
    oldest = newest - YEAR_BUCKETS + 1
    low = oldest if start is None else max(oldest, start.astimezone(CHINA).year)
    high = newest if end is None else min(newest, (end - datetime.timedelta(microseconds=1)).astimezone(CHINA).year)
    branches, args = [], {}
    for year in range(high, low - 1, -1):
        branch = [f"d.published_year %% {YEAR_BUCKETS} = {year % YEAR_BUCKETS}", f"d.published_year = {year}"]
        first, after = year_start(year), year_start(year + 1)
        if (start and start > first) or bounded:
            args[f"from_{year}"] = max(start, first) if start else first
            branch.append(f"d.published_at >= %(from_{year})s")
        if (end and end < after) or bounded:
            args[f"to_{year}"] = min(end, after) if end else after
            branch.append(f"d.published_at < %(to_{year})s")
        branches.append(" AND ".join(branch))
    if start is None or start < year_start(oldest) or end is None or end > year_start(newest + 1) or not branches:
        args["years_from"], args["years_to"] = year_start(oldest), year_start(newest + 1)
        rest = [
            "(d.published_at < %(years_from)s OR d.published_at >= %(years_to)s)",
            "((SELECT min(published_at) FROM search_searchdocument) < %(years_from)s"
            " OR (SELECT max(published_at) FROM search_searchdocument) >= %(years_to)s)",
        ]
        if start:
            args["rest_from"] = start
            rest.append("d.published_at >= %(rest_from)s")
        if end:
            args["rest_to"] = end
            rest.append("d.published_at < %(rest_to)s")
        branches.append(" AND ".join(rest))
    return branches, args


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


def round_estimate(rows):
    """An estimate to two significant figures (61_234 → 61_000): no more precise than it is."""
    if rows < 100:
        return rows
    step = 10 ** (floor(log10(rows)) - 1)
    return int(round(rows / step) * step)


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
        """Documents of serving sites passing every filter except the text (ORM form, for other callers)."""
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

    def _where(self, params, parsed, tsquery):
        """(SQL condition on ``d`` for the match set, boost expression, title expression, args).

        ``args["estimate_where"]`` is the same condition with the serving-sites subquery, whose
        selectivity the planner can only guess (it halves every estimate), written as a list of the
        hidden sites' ids instead (``%(hidden_sites)s``, read by ``_estimate``): the estimate's form.
        """
        args = {"tsquery": tsquery}
        where = []
        if params.sites or params.kinds:
            where.append("d.tenant_id = ANY(%(sites)s)")
            args["sites"] = self._chosen_sites(params)
        else:
            # Serving sites only, decided in the same statement: a suspension applies at once. NOT IN
            # (a hashed filter), not IN: a join to the site table let the planner walk the tenant
            # index and test every document's tsvector (measured: 10 ms for a word found nowhere).
            where.append(
                "d.tenant_id NOT IN (SELECT t.id FROM sites_tenant t "
                "WHERE t.status <> %(active)s OR t.schema_name = ANY(%(not_sites)s))"
            )
            args["active"] = SiteStatus.ACTIVE
            args["not_sites"] = [settings.PUBLIC_SCHEMA_NAME, settings.CMS_TEMPLATE_SCHEMA]
        for column, values in (
            ("content_type", params.types),
            ("column_class", params.column_classes),
            ("topic_category", params.topic_categories),
            ("validity", params.validities),
        ):
            if values:
                where.append(f"d.{column} = ANY(%({column})s)")
                args[column] = list(values)
        undated = len(where)
        start, end = self.date_bounds(params)
        if start:
            where.append("d.published_at >= %(date_from)s")
            args["date_from"] = start
        if end:
            where.append("d.published_at < %(date_to)s")
            args["date_to"] = end

        exact = []
        if parsed.document_number:
            exact.append("d.document_number_key = %(document_number)s")
            args["document_number"] = parsed.document_number
        if parsed.index_number:
            exact.append("d.index_number_key = %(index_number)s")
            args["index_number"] = parsed.index_number
        match = []
        if tsquery:
            match.append(f"d.vector @@ {TSQUERY}")
        boost = "0::int"
        if exact:
            exact_sql = "(" + " OR ".join(exact) + ")"
            boost = f"{exact_sql}::int"
            if parsed.excluded:
                args["excluded"] = " | ".join(_unit(unit) for unit in parsed.excluded)
                exact_sql = f"({exact_sql} AND NOT d.vector @@ to_tsquery('simple', %(excluded)s))"
            match.append(exact_sql)
        where.insert(0, "(" + " OR ".join(match) + ")")
        args["undated_where"] = " AND ".join(where[: undated + 1])
        in_title = f"d.title_vector @@ {TSQUERY}" if tsquery else "false"
        args["estimate_where"] = " AND ".join(
            "d.tenant_id <> ALL(%(hidden_sites)s)" if "sites_tenant" in part else part for part in where
        )
        return " AND ".join(where), boost, in_title, args

    @staticmethod
    def _chosen_sites(params):
        """Ids of the serving sites chosen by code and/or kind, in one query (SearchError for unknown codes)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, code, kind FROM sites_tenant WHERE status = %s AND schema_name <> ALL(%s)"
                " AND (code = ANY(%s) OR kind = ANY(%s))",
                [
                    SiteStatus.ACTIVE,
                    [settings.PUBLIC_SCHEMA_NAME, settings.CMS_TEMPLATE_SCHEMA],
                    list(params.sites),
                    list(params.kinds),
                ],
            )
            rows = cursor.fetchall()
        found = {code for _, code, _ in rows}
        unknown = [code for code in params.sites if code not in found]
        if unknown:
            raise SearchError(f"没有代码为“{'、'.join(unknown)}”的网站")
        return [
            tenant_id
            for tenant_id, code, kind in rows
            if (not params.sites or code in params.sites) and (not params.kinds or kind in params.kinds)
        ]

    def search(self, params):
        parsed = params.parse(tokenize=self.tokenize)
        tsquery = compile_tsquery(parsed)
        if not tsquery and not (parsed.document_number or parsed.index_number):
            raise SearchError("请输入要查找的词（不能只有排除词）")
        where, boost, in_title, args = self._where(params, parsed, tsquery)
        estimate_where = args.pop("estimate_where")
        undated_where = args.pop("undated_where")
        count_cap = getattr(settings, "CMS_SEARCH_COUNT_CAP", COUNT_CAP)
        rank_cap = getattr(settings, "CMS_SEARCH_RANK_CANDIDATES", RANK_CANDIDATES)
        score = SCORE_SQL if tsquery else "0::real"
        args.update(
            scan=count_cap + 1,
            count_cap=count_cap,
            rank_cap=rank_cap,
            beyond_rank_cap=min(rank_cap, RANK_CANDIDATES_BEYOND_CAP),
            window=getattr(settings, "CMS_SEARCH_RECENT_WINDOW", RECENT_WINDOW),
            offset=params.offset,
            limit=params.page_size,
            weights=RANK_WEIGHTS,
            normalization=RANK_NORMALIZATION,
        )
        if params.sort == "date":
            page = DATE_PAGE_SQL
        else:
            exact = ""
            if boost != "0::int":
                exact = EXACT_CANDIDATES_SQL.format(where=where, boost=boost, in_title=in_title)
            page = RANK_PAGE_SQL.format(score=score, where=where, boost=boost, in_title=in_title, exact=exact)
        counts = FACET_COUNTS_SQL if params.facets else TOTAL_ONLY_SQL
        bounded = bool(params.sites or params.kinds or params.topic_categories)
        branches, year_args = year_branches(*self.date_bounds(params), timezone.localdate().year, bounded)
        args.update(year_args)
        scan = "\n        UNION ALL\n".join(
            MATCH_SQL.format(where=undated_where, boost=boost, in_title=in_title, branch=branch) for branch in branches
        )
        sql = MAIN_SQL.format(scan=scan, page=page, counts=counts)
        with connection.cursor() as cursor:
            cursor.execute(sql, args)
            rows = cursor.fetchall()

        results = SearchResults(params=params)
        facets = {"sites": [], "types": [], "years": []}
        scored = []
        for part, group, key, label, number, score_value in rows:
            if part == 1:
                scored.append((int(key), score_value))
            elif group == "total":
                results.total = number
            else:
                facets[group].append((key, label, number))
        if results.total > count_cap:
            results.total, results.total_exact = count_cap, False
            # The planner is right within a factor of about two: "约 N" only when that is clearly
            # more than was counted, else "1000+".
            estimate = self._estimate(estimate_where, args)
            if estimate >= max(2 * count_cap, ESTIMATE_MIN):
                results.total, results.total_estimated = estimate, True
            if params.sort == "date":
                # Straight off the index, DATE_DEPTH rows deep; by relevance, as far as the candidates go.
                depth = getattr(settings, "CMS_SEARCH_DATE_DEPTH", DATE_DEPTH)
                results.max_pages = -(-depth // params.page_size)
                if params.offset < depth:
                    scored = self._newest_beyond_cap(where, args)
            else:
                results.max_pages = -(-args["beyond_rank_cap"] // params.page_size)
        if params.facets:
            results.facets = self.facets_from(facets)
        if scored:
            results.hits = self.load_hits(scored, parsed)
        return results

    def _estimate(self, where, args):
        """The planner's estimate of the matches (text and column filters, serving sites), rounded to 2 figures."""
        with connection.cursor() as cursor:
            if "%(hidden_sites)s" in where:
                cursor.execute(
                    "SELECT id FROM sites_tenant WHERE status <> %s OR schema_name = ANY(%s)",
                    [args["active"], args["not_sites"]],
                )
                args = {**args, "hidden_sites": [row[0] for row in cursor.fetchall()]}
            cursor.execute(
                f"EXPLAIN (FORMAT JSON) SELECT 1 FROM search_searchdocument d WHERE {where}",  # noqa: S608 - placeholders only
                args,
            )
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        rows = int(plan[0]["Plan"]["Plan Rows"])
        return round_estimate(rows)

    def _newest_beyond_cap(self, where, args):
        """By date when more documents match than are counted: the page straight off the ``published_at`` index."""
        with connection.cursor() as cursor:
            cursor.execute(DATE_BEYOND_CAP_SQL.format(where=where), args)
            return [(entry_id, value) for entry_id, value in cursor.fetchall()]

    @staticmethod
    def facets_from(groups):
        """Facets from the grouped rows: sites (code, name), types (label) and years, largest first."""
        labels = type_labels()
        sites = sorted(groups["sites"], key=lambda row: (-row[2], row[0]))
        types = sorted(groups["types"], key=lambda row: (-row[2], row[0]))
        years = sorted(groups["years"], key=lambda row: -int(row[0]))
        return {
            "sites": [{"value": code, "label": name, "count": n} for code, name, n in sites],
            "types": [{"value": name, "label": labels.get(name, name), "count": n} for name, _, n in types],
            "years": [{"value": year, "label": f"{year}年", "count": n} for year, _, n in years],
        }

    def suggest(self, prefix, sites=None, limit=8):
        """Titles whose words start with what was typed, from the small title-only GIN index."""
        tsquery = compile_prefix_tsquery(prefix, tokenize=self.tokenize)
        if not tsquery:
            return []
        args = {
            "tsquery": tsquery,
            "active": SiteStatus.ACTIVE,
            "not_sites": [settings.PUBLIC_SCHEMA_NAME, settings.CMS_TEMPLATE_SCHEMA],
            "codes": list(sites or []),
            "limit": limit * 3,
        }
        site_filter = "AND t.code = ANY(%(codes)s)" if sites else ""
        with connection.cursor() as cursor:
            cursor.execute(SUGGEST_SQL.format(site_filter=site_filter), args)
            rows = cursor.fetchall()
        seen, out = set(), []
        for title, url, code in rows:
            if title not in seen:
                seen.add(title)
                out.append({"title": title, "url": url, "site": code})
            if len(out) >= limit:
                break
        return out


# --- SQL ----------------------------------------------------------------------------------------------
#
# One statement answers a search: the match set is read once, up to COUNT_CAP + 1 rows (``m``),
# and gives the total, the facet counts (one GROUPING SETS pass) and the page. By relevance the
# page is ranked with ts_rank_cd over at most RANK_CANDIDATES candidates: every match when there
# are no more than COUNT_CAP; beyond it, the rows of ``m`` plus the matches among the
# RECENT_WINDOW newest documents plus exact 文号/索引号 hits, taking exact hits, then matches with
# every word in the title, newest first. So a search visits about COUNT_CAP + RECENT_WINDOW rows
# however many documents match. By date beyond the cap a second statement takes the page from the
# ``published_at`` index (``_newest_beyond_cap``), and the total is the planner's estimate
# (``_estimate``: an EXPLAIN, no rows read).

TSQUERY = "to_tsquery('simple', %(tsquery)s)"
SCORE_SQL = f"ts_rank_cd(%(weights)s::real[], d.vector, {TSQUERY}, %(normalization)s)"

# The match set year by year (``year_branches``): the Limit stops the Append, so the years after
# the one that fills the count cap are never read.
MATCH_SQL = """
        (SELECT d.entry_id, d.tenant_id, d.content_type, d.published_at, d.published_year AS year,
                {boost} AS boost, {in_title} AS in_title
         FROM search_searchdocument d
         WHERE {where} AND {branch})"""

MAIN_SQL = """
WITH m AS MATERIALIZED (
    SELECT * FROM ({scan}
    ) y
    LIMIT %(scan)s
), n AS (SELECT count(*) AS total FROM m)
SELECT 0, f.grp, COALESCE(t.code, f.key), t.name, f.n, NULL::real
FROM ({counts}) f LEFT JOIN sites_tenant t ON t.id = f.tenant_id
UNION ALL
SELECT 1, NULL, p.entry_id::text, NULL, p.pos::int, p.score FROM ({page}) p
"""

RANK_PAGE_SQL = """
    SELECT r.*, row_number() OVER (ORDER BY r.boost DESC, r.score DESC, r.published_at DESC, r.entry_id DESC) AS pos
    FROM (
        SELECT c.entry_id, c.boost, c.published_at, {score} AS score
        FROM (
            SELECT u.entry_id, max(u.boost) AS boost, bool_or(u.in_title) AS in_title, max(u.published_at) AS published_at
            FROM (
                SELECT m.entry_id, m.boost, m.in_title, m.published_at FROM m
                UNION ALL
                SELECT d.entry_id, {boost} AS boost, {in_title} AS in_title, d.published_at
                FROM (
                    SELECT * FROM search_searchdocument WHERE (SELECT total FROM n) > %(count_cap)s
                    ORDER BY published_at DESC LIMIT %(window)s
                ) d
                WHERE {where}
                {exact}
            ) u
            GROUP BY u.entry_id
            ORDER BY boost DESC, in_title DESC, published_at DESC, u.entry_id DESC
            LIMIT (CASE WHEN (SELECT total FROM n) > %(count_cap)s THEN %(beyond_rank_cap)s ELSE %(rank_cap)s END)
        ) c JOIN search_searchdocument d ON d.entry_id = c.entry_id
        ORDER BY c.boost DESC, score DESC, c.published_at DESC, c.entry_id DESC
        OFFSET %(offset)s LIMIT %(limit)s
    ) r
"""

EXACT_CANDIDATES_SQL = """
                UNION ALL
                (SELECT d.entry_id, {boost} AS boost, {in_title} AS in_title, d.published_at
                 FROM search_searchdocument d
                 WHERE (SELECT total FROM n) > %(count_cap)s AND {where} AND {boost} = 1 LIMIT 100)
"""

FACET_COUNTS_SQL = """
    SELECT CASE WHEN GROUPING(d.tenant_id) = 0 THEN 'sites' WHEN GROUPING(d.content_type) = 0 THEN 'types'
                WHEN GROUPING(d.year) = 0 THEN 'years' ELSE 'total' END AS grp,
           COALESCE(d.tenant_id::text, d.content_type, d.year::text) AS key, d.tenant_id, count(*)::int AS n
    FROM m d
    GROUP BY GROUPING SETS ((d.tenant_id), (d.content_type), (d.year), ())
"""

TOTAL_ONLY_SQL = """
    SELECT 'total' AS grp, NULL AS key, NULL::bigint AS tenant_id, count(*)::int AS n FROM m
"""

DATE_PAGE_SQL = """
    SELECT r.*, row_number() OVER (ORDER BY r.published_at DESC, r.entry_id DESC) AS pos
    FROM (
        SELECT m.entry_id, m.published_at, 0::real AS score FROM m
        WHERE (SELECT total FROM n) <= %(count_cap)s
        ORDER BY m.published_at DESC, m.entry_id DESC
        OFFSET %(offset)s LIMIT %(limit)s
    ) r
"""

DATE_BEYOND_CAP_SQL = """
SELECT d.entry_id, 0::real FROM search_searchdocument d
WHERE {where}
ORDER BY d.published_at DESC, d.entry_id DESC
OFFSET %(offset)s LIMIT %(limit)s
"""

SUGGEST_SQL = """
SELECT e.title, e.url, t.code
FROM search_searchdocument d
JOIN sites_tenant t ON t.id = d.tenant_id
JOIN catalogue_catalogueentry e ON e.id = d.entry_id
WHERE d.title_vector @@ to_tsquery('simple', %(tsquery)s)
  AND t.status = %(active)s AND t.schema_name <> ALL(%(not_sites)s) {site_filter}
ORDER BY ts_rank(d.title_vector, to_tsquery('simple', %(tsquery)s), 1) DESC, d.published_at DESC
LIMIT %(limit)s
"""
