"""Search speed: indexing docs/s and query p50/p95 over 20 query shapes, at 10k, 100k and 1M documents.

Generated Chinese government documents (titles, summaries and ~300-character bodies from
templates with the site's name, topics, places and numbers) for 100 sites are written straight
into the catalogue and the search index, on a database of its own: every core generates,
tokenises (the backend's own ``document_for``) and COPYs its share of rows; documents past
``--generate`` (200k) are SQL copies of earlier ones on another site and at another time of day, so
a million rows take minutes. Each step also times the product path, ``PostgresSearchBackend.reindex``
of one site in one process. Every shape runs on the current statements and on the previous ones
(``BaselineBackend`` below), interleaved in the same run, side by side. Wagtail's database search
backend needs real pages, so it gets one site with the first ``--wagtail-pages`` documents
published as pages (200 by default, under a minute), and the same shapes are timed there and on
our backend restricted to that site's same documents.

    .venv/bin/python bench/search.py                        # 10k documents, ~2 minutes (make bench)
    .venv/bin/python bench/search.py --sizes 10000,100000   # the full run, ~5 minutes more
    .venv/bin/python bench/search.py --sizes 1000000 --keep-db --wagtail-pages 0   # 1M; kept for the next run
    .venv/bin/python bench/search.py --sizes 1000000 --keep-db --wagtail-pages 0   # again: reuses the rows

The default measures 10k only so ``make bench`` (every bench/*.py) stays under 10 minutes; 1M is
the province-size target (p95 <= 50 ms). ``CMS_BENCH_SEARCH_DB`` names the database (default
bench_search) so runs of several people on one server do not collide. Documents are a pure function
of their serial number, so a run with ``--sizes 100000`` holds the same first 10k documents as one with 10k.
"""

import argparse
import multiprocessing
import os
import random
import statistics
import time

import _django

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--sizes", default="10000", help="catalogue sizes to measure, ascending (full run: 10000,100000)")
parser.add_argument("--repeat", type=int, default=5, help="runs of each query shape per size")
parser.add_argument("--wagtail-pages", type=int, default=200, help="pages for Wagtail's baseline (0: skip)")
parser.add_argument("--sites", type=int, default=100)
parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count(), help="processes generating rows")
parser.add_argument(
    "--keep-db",
    action="store_true",
    help="leave the database (bench_search, or $CMS_BENCH_SEARCH_DB) for EXPLAIN ANALYZE and for the next run: "
    "a run whose first size is the kept database's size reuses its rows instead of generating them again",
)
parser.add_argument(
    "--generate",
    type=int,
    default=200_000,
    help="documents generated and tokenised one by one; the rest are SQL copies of them (another site, "
    "another time of day), so 1M rows take minutes, not an hour",
)
parser.add_argument("--no-baseline", action="store_true", help="time only the current query path")
args = parser.parse_args()
SIZES = sorted(int(size) for size in args.sizes.split(","))
DB_NAME = os.environ.get("CMS_BENCH_SEARCH_DB", "bench_search")


def open_database():
    """Django on DB_NAME: kept rows are reused when they are the first size's, else a fresh database."""
    import django

    os.environ["CMS_TEST_DB"] = DB_NAME
    django.setup()
    from django.db import connection

    old_database = connection.settings_dict["NAME"]
    if args.keep_db:
        # A kept database is used as it is, not migrated (its bench sites have rows, not schemas):
        # after a change to search/'s migrations run once without the kept one.
        from django.conf import settings as django_settings
        from django.db.utils import OperationalError, ProgrammingError

        name = connection.creation._get_test_db_name()
        connection.close()
        connection.settings_dict["NAME"] = django_settings.DATABASES["default"]["NAME"] = name
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT (SELECT count(*) FROM catalogue_catalogueentry), (SELECT count(*) FROM search_searchdocument)"
                )
                entries, documents = cursor.fetchone()
        except (OperationalError, ProgrammingError):
            entries = documents = None
        connection.close()
        if entries == documents == SIZES[0]:
            return connection, old_database, entries
        connection.settings_dict["NAME"] = django_settings.DATABASES["default"]["NAME"] = old_database
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    return connection, old_database, 0


connection, old_name, reused = open_database()

import datetime  # noqa: E402

from _corpus import DEPARTMENTS  # noqa: E402
from django.db import connection as db  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from publishing.catalogue.models import CatalogueEntry  # noqa: E402
from search import text  # noqa: E402
from search.backends.base import SearchError  # noqa: E402
from search.backends.postgres import (  # noqa: E402
    RANK_NORMALIZATION,
    RANK_WEIGHTS,
    PostgresSearchBackend,
    compile_tsquery,
)
from search.models import SearchDocument  # noqa: E402
from search.query import SearchParams, SearchResults  # noqa: E402
from sites.bootstrap import bootstrap  # noqa: E402
from sites.models import Tenant  # noqa: E402

SEED = 20260301
COUNTIES = ["东城区", "西城区", "南山县", "北川县", "青阳县", "白水县", "临江市", "安平县"]
TOPICS = [
    "安全生产",
    "招生入学",
    "医疗保障",
    "养老服务",
    "营商环境",
    "乡村振兴",
    "防汛抗旱",
    "生态环境保护",
    "就业创业",
    "住房保障",
    "食品安全",
    "道路运输",
    "政务公开",
    "公共文化服务",
    "森林防火",
    "社会救助",
    "义务教育",
    "城市更新",
    "河长制",
    "消费维权",
]
TITLES = [
    "关于做好{y}年{t}工作的通知",
    "{s}召开{t}工作推进会",
    "{s}关于印发《{t}实施方案》的通知",
    "{c}扎实推进{t}工作",
    "{y}年{t}专项行动方案",
    "{s}开展{t}督查检查",
    "关于{t}有关事项的公告",
    "{s}{t}工作情况报告",
]
SENTENCES = [
    "为深入贯彻落实上级决策部署，切实做好{t}工作，结合我市实际，制定本方案。",
    "{s}高度重视{t}工作，成立工作专班，明确责任分工，细化工作措施。",
    "各县（市、区）人民政府、市直各单位要提高思想认识，加强组织领导，确保各项任务落到实处。",
    "截至{m}月底，全市共完成{t}项目{n}个，完成投资{n}亿元。",
    "{c}在{t}方面积极探索，形成了一批可复制可推广的经验做法。",
    "下一步，将持续加大{t}工作力度，不断提升人民群众的获得感、幸福感、安全感。",
    "会议要求，要压实属地责任、部门责任和主体责任，加强督促检查，对工作不力的严肃问责。",
    "请各单位于{m}月{d}日前将工作开展情况报送{s}办公室。",
    "联系人：{s}办公室，联系电话：0771-{n}{n}。",
]
QUERY_SHAPES = [
    ("keyword", {"q": "安全生产"}),
    ("keyword", {"q": "招生"}),
    ("keyword", {"q": "民政"}),
    ("keyword", {"q": "医保"}),
    ("two keywords", {"q": "养老服务 社区"}),
    ("long query", {"q": "关于做好乡村振兴工作的通知"}),
    ("phrase", {"q": '"防汛抗旱"'}),
    ("phrase", {"q": '"安全生产工作推进会"'}),
    ("exclude", {"q": "政务公开 -通知"}),
    ("document number", {"q": "通交发〔2024〕15号"}),
    ("site filter", {"q": "安全生产", "sites": ["s001"]}),
    ("several sites", {"q": "就业创业", "sites": ["s001", "s002", "s003", "s004"]}),
    ("site kind", {"q": "营商环境", "kinds": ["county"]}),
    ("type filter", {"q": "住房保障", "types": ["disclosure"]}),
    ("date range", {"q": "食品安全", "date_from": datetime.date(2024, 1, 1), "date_to": datetime.date(2024, 12, 31)}),
    ("topic filter", {"q": "道路运输", "topic_categories": ["industry"]}),
    ("date sort", {"q": "社会救助", "sort": "date"}),
    ("date sort common", {"q": "工作", "sort": "date"}),
    ("common word", {"q": "工作"}),
    ("page 5", {"q": "生态环境保护", "page": 5}),
]


TENANTS = []  # filled before the workers fork


def make_tenants(count):
    kinds = ["portal"] + ["county"] * 9 + ["department"] * (count - 10)
    tenants = [
        Tenant(
            schema_name=f"bench_s{i:03d}",
            code=f"s{i:03d}",
            name=f"测试市{DEPARTMENTS[i % len(DEPARTMENTS)]}"
            if kinds[i] == "department"
            else ("测试市人民政府" if i == 0 else f"测试市{COUNTIES[i % len(COUNTIES)]}人民政府"),
            kind=kinds[i],
            org_code=f"0142{i:05d}",
        )
        for i in range(count)
    ]
    return Tenant.objects.bulk_create(tenants)


def make_entry(serial, tenant=None):
    """Document number ``serial``: the same text whatever else is generated, and in whichever process."""
    rng = random.Random(SEED * 1_000_003 + serial)
    tenant = tenant or TENANTS[serial % len(TENANTS)]
    topic = rng.choice(TOPICS)
    fill = {
        "t": topic,
        "s": tenant.name,
        "c": rng.choice(COUNTIES),
        "y": rng.choice([2022, 2023, 2024, 2025, 2026]),
        "m": rng.randint(1, 12),
        "d": rng.randint(1, 28),
        "n": rng.randint(10, 9999),
    }
    disclosure = serial % 3 == 0
    body = "".join(rng.choice(SENTENCES).format(**fill) for _ in range(5))
    year = fill["y"]
    published = timezone.make_aware(
        datetime.datetime(year, fill["m"], fill["d"], rng.randint(8, 18), rng.randint(0, 59))
    )
    return CatalogueEntry(
        id=serial + 1,
        tenant=tenant,
        page_id=serial,
        content_type="disclosure" if disclosure else "article",
        content_type_label="政府信息公开文件" if disclosure else "文章",
        column_class="disclosure" if disclosure else "news",
        url=f"http://{tenant.code}.bench.localhost/p/{serial}/",
        title=rng.choice(TITLES).format(**fill),
        summary=body[:60],
        body_text=body,
        published_at=published,
        updated_at=published,
        index_number=f"{tenant.org_code}/{year}-{serial:05d}" if disclosure else "",
        document_number=f"通交发〔{year}〕{serial % 97}号" if disclosure else "",
        topic_category=rng.choice(["industry", "general", "science", "health"]) if disclosure else "",
        validity="valid" if disclosure else "",
        publisher=tenant.name if disclosure else "",
    )


def copy_rows(cursor, model, objects):
    """COPY ``objects`` into ``model``'s table, every concrete column as Django would save it."""
    fields = [field for field in model._meta.concrete_fields if not field.generated]
    columns = ", ".join(db.ops.quote_name(field.column) for field in fields)
    with cursor.copy(f"COPY {db.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
        for obj in objects:
            copy.write_row([field.get_db_prep_save(getattr(obj, field.attname), db) for field in fields])


def build(chunk):
    """In a worker: generate, tokenise and COPY documents ``range(*chunk)``; returns its timings."""
    start = time.perf_counter()
    entries = [make_entry(serial) for serial in range(*chunk)]
    generated = time.perf_counter()
    backend = PostgresSearchBackend()
    documents = [backend.document_for(entry) for entry in entries]
    tokenised = time.perf_counter()
    with transaction.atomic(), db.cursor() as cursor:
        copy_rows(cursor, CatalogueEntry, entries)
        copy_rows(cursor, SearchDocument, documents)
    return len(entries), generated - start, tokenised - generated, time.perf_counter() - tokenised


def load(first, last, pool):
    """Documents ``first`` … ``last - 1`` on every worker; returns (seconds, [per-chunk timings])."""
    start = time.perf_counter()
    # Bulk load as reindexing a big catalogue should: without the search table's secondary
    # indexes, which are built once afterwards (GIN inserts row by row are several times slower).
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'search_searchdocument' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    generated = min(last, max(first, args.generate))
    chunks = [(low, min(low + 1000, generated)) for low in range(first, generated, 1000)]
    timings = pool.map(build, chunks, chunksize=1)
    if last > generated:
        copy_generated(max(first, generated), last, generated)
    with db.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('catalogue_catalogueentry', 'id'), "
            "(SELECT max(id) FROM catalogue_catalogueentry))"
        )
        cursor.execute("VACUUM ANALYZE search_searchdocument")  # what autovacuum does after a bulk load
        cursor.execute("VACUUM ANALYZE catalogue_catalogueentry")
    return time.perf_counter() - start, timings


COPY_ENTRIES_SQL = """
WITH t AS (SELECT (row_number() OVER (ORDER BY schema_name) - 1)::int AS k, id, code
           FROM sites_tenant WHERE schema_name LIKE 'bench\\_s%%')
INSERT INTO catalogue_catalogueentry ({columns})
SELECT {values} FROM generate_series(%(low)s::int, %(high)s::int - 1) s
JOIN catalogue_catalogueentry e ON e.id = s %% %(generated)s + 1 JOIN t ON t.k = s %% %(sites)s
"""
COPY_DOCUMENTS_SQL = """
WITH t AS (SELECT (row_number() OVER (ORDER BY schema_name) - 1)::int AS k, id
           FROM sites_tenant WHERE schema_name LIKE 'bench\\_s%%')
INSERT INTO search_searchdocument ({columns})
SELECT {values} FROM generate_series(%(low)s::int, %(high)s::int - 1) s
JOIN search_searchdocument e ON e.entry_id = s %% %(generated)s + 1 JOIN t ON t.k = s %% %(sites)s
"""
# Copied rows: new id, page and site (as make_entry would give serial s), the time moved by s % 1440 minutes.
OVERRIDES = {
    "id": "s + 1",
    "entry_id": "s + 1",
    "page_id": "s",
    "tenant_id": "t.id",
    "url": "'http://' || t.code || '.bench.localhost/p/' || s || '/'",
    "published_at": "e.published_at + make_interval(mins => s %% 1440)",
    "updated_at": "e.updated_at + make_interval(mins => s %% 1440)",
}


def copy_generated(first, last, generated):
    """Documents ``first`` … ``last - 1`` as SQL copies of document ``serial % generated``, in steps of 100k."""
    from tqdm import tqdm

    statements = []
    for model, sql in ((CatalogueEntry, COPY_ENTRIES_SQL), (SearchDocument, COPY_DOCUMENTS_SQL)):
        columns = [field.column for field in model._meta.concrete_fields if not field.generated]
        values = [OVERRIDES.get(column, f"e.{column}") for column in columns]
        statements.append(sql.format(columns=", ".join(columns), values=", ".join(values)))
    with tqdm(total=last - first, desc="copies", unit=" docs") as bar:
        for low in range(first, last, 100_000):
            high = min(low + 100_000, last)
            with transaction.atomic(), db.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql, {"low": low, "high": high, "generated": generated, "sites": len(TENANTS)})
            bar.update(high - low)


class SqlTimer:
    """Seconds spent in the database (execute and fetch) and statements run, for the Python/SQL split."""

    def __init__(self):
        self.seconds, self.statements = 0.0, 0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.statements += 1


def schedstat_ms(path):
    """(ms on a core, ms waiting for one) of a process or thread so far, from ``/proc/…/schedstat``."""
    try:
        with open(path) as stat:
            on_cpu, waiting = stat.read().split()[:2]
    except OSError:
        return None
    return int(on_cpu) / 1e6, int(waiting) / 1e6


def server_times():
    """``schedstat_ms`` of this connection's server process, or None when it is not local.

    The machine may be shared: wall time then includes waiting for a core, CPU time does not, so
    both are printed (CPU = this process's thread + its PostgreSQL backend), and the time both
    spent runnable but waiting for a core.
    """
    with db.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return schedstat_ms(f"/proc/{pid}/schedstat")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def time_one(run, shape):
    """(ms, hits, sql ms, statements, cpu ms, ms waiting for a core) of one search."""
    timer = SqlTimer()
    server_before, client_before = server_times(), schedstat_ms("/proc/thread-self/schedstat")
    thread_before = time.thread_time()
    with db.execute_wrapper(timer):
        start = time.perf_counter()
        total = run(shape)
        elapsed = (time.perf_counter() - start) * 1000
    cpu, waiting = (time.thread_time() - thread_before) * 1000, 0.0
    client_after, server_after = schedstat_ms("/proc/thread-self/schedstat"), server_times()
    for before, after in ((server_before, server_after), (client_before, client_after)):
        if before is not None and after is not None:
            waiting += after[1] - before[1]
            if before is server_before:
                cpu += after[0] - before[0]
    return elapsed, total, timer.seconds * 1000, timer.statements, cpu, waiting


def time_shapes(run, repeat, *others):
    """{(shape, q): [(ms, hits, sql ms, statements, cpu ms)]}, every ms and every CPU ms, for ``run``
    and each of ``others``: interleaved (a, b, b, a, a, b …) so a busy moment on the shared machine
    falls on both alike. Returns one (per_shape, every, every_cpu) per runner."""
    runners = [run, *others]
    out = [({}, [], []) for _ in runners]
    for name, shape in QUERY_SHAPES:
        for turn in range(repeat):
            order = list(range(len(runners)))
            if turn % 2:
                order.reverse()
            for index in order:
                per_shape, every, every_cpu = out[index]
                timing = time_one(runners[index], shape)
                per_shape.setdefault((name, shape.get("q")), []).append(timing)
                every.append(timing[0])
                every_cpu.append(timing[4])
    return out if others else out[0]


def ours(shape, facets=True, site=None, backend=PostgresSearchBackend):
    params = SearchParams(**{**shape, "facets": facets})
    if site:
        params.sites = [site]
    results = backend().search(params)
    return results.total_display


def baseline(shape):
    return ours(shape, backend=BaselineBackend)


# --- the query path before the 1M-row work, kept here as the baseline measured in the same run --------


BASELINE_COUNT_CAP = 10_000  # its count cap and ranked candidates then
BASELINE_RANK_CANDIDATES = 500


class BaselineBackend(PostgresSearchBackend):
    """The previous statements: the match set read up to the count cap, then the page beyond it."""

    def search(self, params):
        parsed = params.parse(tokenize=self.tokenize)
        tsquery = compile_tsquery(parsed)
        if not tsquery and not (parsed.document_number or parsed.index_number):
            raise SearchError("请输入要查找的词（不能只有排除词）")
        # The match condition is the current one (``_where`` has not changed); only the statements differ.
        where, boost, in_title, args = self._where(params, parsed, tsquery)
        args.pop("estimate_where")
        args.pop("undated_where")
        count_cap = BASELINE_COUNT_CAP
        rank_cap = BASELINE_RANK_CANDIDATES
        score = SCORE_SQL if tsquery else "0::real"
        args.update(
            scan=count_cap + 1,
            count_cap=count_cap,
            rank_cap=rank_cap,
            offset=params.offset,
            limit=params.page_size,
            weights=RANK_WEIGHTS,
            normalization=RANK_NORMALIZATION,
        )
        if params.sort == "date":
            page = DATE_PAGE_SQL
        else:
            page = RANK_PAGE_SQL.format(score=score)
        counts = FACET_COUNTS_SQL if params.facets else TOTAL_ONLY_SQL
        sql = MAIN_SQL.format(where=where, boost=boost, in_title=in_title, page=page, counts=counts)
        with db.cursor() as cursor:
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
            scored = self._page_beyond_cap(params, where, boost, in_title, score, args)
        if params.facets:
            results.facets = self.facets_from(facets)
        if scored:
            results.hits = self.load_hits(scored, parsed)
        return results

    def _page_beyond_cap(self, params, where, boost, in_title, score, args):
        """The page when more documents match than are counted: from index order, not the whole set.

        By date, the newest matches come straight off the ``published_at`` index. By relevance, the
        candidates ranked are the newest matches with every word in the title and the newest
        matches anywhere (``CMS_SEARCH_RANK_CANDIDATES`` of each) plus exact 文号/索引号 hits.
        """
        if params.sort == "date":
            sql = DATE_BEYOND_CAP_SQL.format(where=where)
        else:
            exact = ""
            if boost != "0::int":
                exact = (
                    f"UNION (SELECT d.entry_id FROM search_searchdocument d WHERE {where} AND {boost} = 1 LIMIT 100)"  # noqa: S608 - placeholders only
                )
            sql = RANK_BEYOND_CAP_SQL.format(where=where, in_title=in_title, score=score, boost=boost, exact=exact)
        with db.cursor() as cursor:
            cursor.execute(sql, args)
            return [(entry_id, value) for entry_id, value in cursor.fetchall()]


TSQUERY = "to_tsquery('simple', %(tsquery)s)"
SCORE_SQL = f"ts_rank_cd(%(weights)s::real[], d.vector, {TSQUERY}, %(normalization)s)"

MAIN_SQL = """
WITH m AS MATERIALIZED (
    SELECT d.entry_id, d.tenant_id, d.content_type, d.published_at, d.published_year AS year,
           {boost} AS boost, {in_title} AS in_title
    FROM search_searchdocument d
    WHERE {where}
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
            SELECT m.entry_id, m.boost, m.published_at FROM m
            WHERE (SELECT total FROM n) <= %(count_cap)s
            ORDER BY m.boost DESC, m.in_title DESC, m.published_at DESC, m.entry_id DESC
            LIMIT %(rank_cap)s
        ) c JOIN search_searchdocument d ON d.entry_id = c.entry_id
        ORDER BY c.boost DESC, score DESC, c.published_at DESC, c.entry_id DESC
        OFFSET %(offset)s LIMIT %(limit)s
    ) r
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

RANK_BEYOND_CAP_SQL = """
WITH c AS (
    (SELECT d.entry_id FROM search_searchdocument d WHERE {where} AND {in_title} ORDER BY d.published_at DESC LIMIT %(rank_cap)s)
    UNION
    (SELECT d.entry_id FROM search_searchdocument d WHERE {where} ORDER BY d.published_at DESC LIMIT %(rank_cap)s)
    {exact}
)
SELECT d.entry_id, {score} AS score
FROM c JOIN search_searchdocument d ON d.entry_id = c.entry_id
ORDER BY {boost} DESC, score DESC, d.published_at DESC, d.entry_id DESC
OFFSET %(offset)s LIMIT %(limit)s
"""


def print_shapes(per_shape, before=None):
    """One line per shape (p95 of --repeat runs: with 5, the slowest); with ``before`` (the baseline's
    runs) its p50 and hits side by side."""
    for key, runs in per_shape.items():
        name, q = key
        times = [run[0] for run in runs]
        sql = statistics.median(run[2] for run in runs)
        cpu = statistics.median(run[4] for run in runs)
        waiting = statistics.median(run[5] for run in runs)
        line = (
            f"  {name:<17} {q!s:<26} hits {runs[0][1]:>7}  p50 {statistics.median(times):6.1f} ms"
            f"  p95 {percentile(times, 0.95):6.1f} ms  CPU {cpu:5.1f} ms  waiting for a core {waiting:5.1f} ms"
            f"  (SQL {sql:5.1f} ms in {runs[0][3]} statements)"
        )
        if before:
            old = before[key]
            line += f"   | baseline hits {old[0][1]:>7}  p50 {statistics.median(run[0] for run in old):6.1f} ms"
        print(line)


def summary(label, every, every_cpu, note="", per_shape=None):
    """The p50/p95 of every run; with ``per_shape``, also of each run's wall time less the time its
    two processes waited for a core (what a machine to itself would roughly give)."""
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    unqueued = ""
    if per_shape:
        less = [run[0] - run[5] for runs in per_shape.values() for run in runs]
        unqueued = (
            f"less waiting for a core p50 {statistics.median(less):.1f} ms   p95 {percentile(less, 0.95):.1f} ms   "
        )
    print(
        f"{label}: p50 {statistics.median(every):.1f} ms   p95 {percentile(every, 0.95):.1f} ms   "
        f"CPU p50 {statistics.median(every_cpu):.1f} ms   p95 {percentile(every_cpu, 0.95):.1f} ms   "
        f"{unqueued}(load average {load}){note}"
    )


try:
    if reused:
        print(f"reusing the kept database {DB_NAME}: {reused:,} documents", flush=True)
        TENANTS.extend(Tenant.objects.filter(schema_name__startswith="bench_s").order_by("schema_name"))
    else:
        print("setting up: public schema, 100 sites (rows only: search reads the public schema) …", flush=True)
        bootstrap(step=lambda text: None)
        TENANTS.extend(make_tenants(args.sites))
    text.tokens("预热分词词典")  # load jieba's dictionary once, before forking
    db.close()  # the workers fork with no open connection and open their own
    pool = multiprocessing.get_context("fork").Pool(args.workers)
    made = reused
    for size in SIZES:
        if size > made:
            seconds, timings = load(made, size, pool)
            added, made = size - made, size
            tokenise_seconds = sum(timing[2] for timing in timings)
            copy_seconds = sum(timing[3] for timing in timings)
            start = time.perf_counter()
            reindexed = PostgresSearchBackend().reindex(site="s001")
            reindex_rate = reindexed / (time.perf_counter() - start)
        with db.cursor() as cursor:
            cursor.execute(
                "SELECT pg_size_pretty(pg_relation_size('search_doc_vector')), "
                "pg_size_pretty(pg_total_relation_size('search_searchdocument'))"
            )
            gin, table = cursor.fetchone()
        print(f"\n== {size:,} documents on {len(TENANTS)} sites")
        if size > reused:
            print(
                f"indexing (+{added:,}): {added / seconds:,.0f} docs/s on {args.workers} processes, catalogue row + "
                f"search row (tokenising {added / tokenise_seconds:,.0f} docs/s per process, COPY "
                f"{added / copy_seconds:,.0f} rows/s); reindex of one site in one process {reindex_rate:,.0f} docs/s"
            )
        print(f"          GIN index {gin}, search table with indexes {table}")
        ours(QUERY_SHAPES[0][1])  # warm the process: dictionary, synonym list, site list
        if args.no_baseline:
            per_shape, every, every_cpu = time_shapes(ours, args.repeat)
            print_shapes(per_shape)
        else:
            baseline(QUERY_SHAPES[0][1])
            (per_shape, every, every_cpu), (old_shapes, old_every, old_cpu) = time_shapes(ours, args.repeat, baseline)
            print_shapes(per_shape, old_shapes)
            summary("baseline (previous statements)", old_every, old_cpu, per_shape=old_shapes)
        summary(
            "ours, with facets",
            every,
            every_cpu,
            "   target p95 <= 50 ms (100k, and 1M with --sizes 1000000)",
            per_shape=per_shape,
        )
    pool.close()

    if args.wagtail_pages:
        from wagtail.models import Page
        from wagtail.search.backends import get_search_backend

        from cms.models import ArticlePage
        from sites.provisioning import SiteSpec, create_site
        from tests.cms import content

        site = create_site(
            SiteSpec(code="wagtailbench", name="测试市交通运输局", parent="s000", domain="wagtailbench.bench.localhost")
        )
        samples = [make_entry(serial, tenant=site) for serial in range(args.wagtail_pages)]
        db.set_tenant(site)
        start = time.perf_counter()
        column = content.column("gzdt")
        for sample in samples:
            column.add_child(
                instance=ArticlePage(
                    title=sample.title, summary=sample.summary, body=f"<p>{sample.body_text}</p>", live=True
                )
            )
        wagtail_index_seconds = time.perf_counter() - start
        db.set_schema_to_public()
        # The same documents in our index, as their own site, so both answer over the same data.
        for offset, sample in enumerate(samples):
            sample.pk, sample.page_id = None, 10_000_000 + offset
        CatalogueEntry.objects.bulk_create(samples)
        PostgresSearchBackend().reindex(site="wagtailbench")

        def wagtail(shape):
            db.set_tenant(site)
            try:
                return len(get_search_backend().search(shape["q"].replace('"', ""), Page.objects.live())[:10])
            finally:
                db.set_schema_to_public()

        print(
            f"\n== Wagtail database backend: one site, {len(samples)} pages (publishing {len(samples) / wagtail_index_seconds:,.0f} pages/s incl. its indexing)"
        )
        print("   (it searches one schema, has no facets or filters on catalogue fields: only the text is timed)")
        wagtail_shapes, wagtail_every, wagtail_cpu = time_shapes(wagtail, args.repeat)
        ours_shapes, ours_every, ours_cpu = time_shapes(
            lambda shape: ours(shape, facets=False, site="wagtailbench"), args.repeat
        )
        found = sum(1 for runs in wagtail_shapes.values() if runs[0][1])
        found_ours = sum(1 for runs in ours_shapes.values() if runs[0][1] not in (0, "0"))
        summary("wagtail database", wagtail_every, wagtail_cpu, f"   shapes with any hit {found}/{len(QUERY_SHAPES)}")
        summary("ours, same pages", ours_every, ours_cpu, f"   shapes with any hit {found_ours}/{len(QUERY_SHAPES)}")
finally:
    db.set_schema_to_public()
    if args.keep_db:
        print(
            f"\nkept the database {connection.settings_dict['NAME']}: "
            f"--keep-db --sizes {SIZES[-1]} (or {SIZES[-1]},…) reuses it"
        )
    else:
        _django.teardown(connection, old_name)
