"""Reading nginx's and gunicorn's access logs into DailyTraffic, idempotently and without raw IPs.

Formats read (one file may mix them):

* nginx ``cms_access`` (docker/nginx/cluster.conf): the combined format plus the ``"$host"``; a
  combined line without the host is skipped, since the site cannot be told;
* gunicorn's JSON lines (cms/gunicorn_logging.py): ``time``, ``host``, ``method``, ``path``,
  ``status``, ``ip``, ``agent``.

Feed the log of the server that faces readers (nginx in docker/compose.yaml; gunicorn's only where
gunicorn faces them): behind nginx, gunicorn logs the same page requests again.

What counts as a page view: GET, status 200 or 304, a host of a site (sites.Domain, not an admin
host), not a bot (user agent), not a static asset, upload, attachment, admin, API or health path.
The column is the path's first segment when it is a first-level page of the site ("" otherwise:
the homepage, search, feeds). The day is the one written in the log line (the server's local time).

Unique visitors: a BLAKE2 hash of (day's salt, address, user agent). The salt is random per day and
is deleted, with the day's hashes, once the day is over (a day's grace for a log rotated after
midnight); no address is ever written. A line for a day already closed adds its views, and its own
distinct visitors (it cannot be compared with the discarded hashes).
"""

import gzip
import hashlib
import json
import re
import secrets
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import unquote

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django_tenants.utils import tenant_context
from wagtail.models import Page
from wagtail.models import Site as WagtailSite

from sites.models import Domain

from .models import DailySalt, DailyTotal, DailyTraffic, DailyVisitor, IngestedLog

NGINX_LINE = re.compile(
    rb'^(\S+) \S+ \S+ \[(\d{2})/(\w{3})/(\d{4}):[^\]]*\] "(\S+) (\S+)[^"]*" (\d{3}) \S+ "[^"]*" "([^"]*)" "([^"]*)"'
)
MONTHS = {name: number for number, name in enumerate(
    [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"], start=1
)}  # fmt: skip
BOTS = re.compile(
    r"bot|spider|crawl|slurp|curl|wget|python|httpclient|http-client|java/|okhttp|libwww|scrapy|monitor|probe"
    r"|linkcheck|headless|phantom|lighthouse|pingdom|uptime|feedfetcher|^-?$",
    re.IGNORECASE,
)
SKIPPED_PREFIXES = (
    "/static/", "/media/", "/documents/", "/_documents/", "/admin", "/api/", "/sso", "/healthz", "/readyz",
    "/favicon", "/robots.txt", "/sitemap",
)  # fmt: skip
ASSET_SUFFIXES = (
    ".css", ".js", ".map", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico", ".woff", ".woff2", ".ttf",
    ".xml", ".json", ".txt", ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".zip",
)  # fmt: skip
SKIPPED_BYTES = tuple(prefix.encode() for prefix in SKIPPED_PREFIXES)
SITE_COLUMN = "*"  # DailyVisitor's column for the whole site
GRACE_DAYS = 1  # a day's salt lives until the end of the next day


def file_identity(first_line):
    return "v1:" + hashlib.sha256(first_line).hexdigest()


def _open(path):
    path = Path(path)
    with path.open("rb") as probe:
        compressed = probe.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if compressed else path.open("rb")


class _Hosts:
    """Host → tenant, and each tenant's first-level slugs, read once per ingestion."""

    def __init__(self):
        self.tenants = {}
        for domain in Domain.objects.select_related("tenant").filter(is_admin_host=False):
            self.tenants[domain.domain] = domain.tenant
        self._slugs = {}

    def slugs(self, tenant):
        if tenant.pk not in self._slugs:
            with tenant_context(tenant):
                site = WagtailSite.objects.filter(is_default_site=True).select_related("root_page").first()
                self._slugs[tenant.pk] = (
                    set(Page.objects.child_of(site.root_page).values_list("slug", flat=True)) if site else set()
                )
            connection.set_schema_to_public()
        return self._slugs[tenant.pk]


class _Batch:
    """Counts of one ingestion, kept in memory and written in one transaction."""

    def __init__(self, hosts):
        self.hosts = hosts
        self.views = defaultdict(int)  # (tenant_id, day, column) → views
        self.visitors = defaultdict(set)  # (tenant_id, day, column) → hashes; column "*" = the site
        self.salts = {}
        self._days = {}
        self._hashes = {}
        self._bots = {}
        self.lines = 0
        self.counted = 0

    def salt(self, day):
        if day not in self.salts:
            row, _created = DailySalt.objects.get_or_create(day=day, defaults={"salt": secrets.token_hex(32)})
            self.salts[day] = row.salt.encode()
        return self.salts[day]

    def visitor(self, day, address, agent):
        key = (day, address, agent)
        digest = self._hashes.get(key)
        if digest is None:
            digest = hashlib.blake2b(address + b"\0" + agent, key=self.salt(day)[:64], digest_size=16).hexdigest()
            self._hashes[key] = digest
        return digest

    def add(self, day, host, method, path, status, address, agent):
        if method != "GET" or status not in ("200", "304"):
            return
        tenant = self.hosts.tenants.get(host.split(":", 1)[0].lower())
        if tenant is None:
            return
        path = path.split("?", 1)[0]
        if path.startswith(SKIPPED_PREFIXES) or path.lower().endswith(ASSET_SUFFIXES):
            return
        bot = self._bots.get(agent)
        if bot is None:
            # A few hundred distinct agents in a day's log: the search (~20 µs) runs once for each.
            bot = self._bots[agent] = BOTS.search(agent) is not None
        if bot:
            return
        segment = path.strip("/").split("/", 1)[0]
        if "%" in segment:
            segment = unquote(segment)
        column = segment if segment and segment in self.hosts.slugs(tenant) else ""
        visitor = self.visitor(day, address.encode(), agent.encode("utf-8", "replace"))
        self.views[(tenant.pk, day, column)] += 1
        self.visitors[(tenant.pk, day, column)].add(visitor)
        self.visitors[(tenant.pk, day, SITE_COLUMN)].add(visitor)
        self.counted += 1

    def day(self, dd, mon, yyyy):
        key = (dd, mon, yyyy)
        day = self._days.get(key)
        if day is None:
            day = self._days[key] = date(int(yyyy), MONTHS[mon], int(dd))
        return day

    def feed(self, line):
        self.lines += 1
        if line.startswith(b"{"):
            try:
                record = json.loads(line)
                day = date.fromisoformat(record["time"][:10])
                self.add(
                    day,
                    record.get("host", ""),
                    record.get("method", ""),
                    record.get("path", ""),
                    str(record.get("status", "")),
                    record.get("ip", ""),
                    record.get("agent", ""),
                )
            except (ValueError, KeyError, TypeError):
                return
            return
        match = NGINX_LINE.match(line)
        if match is None:
            return
        address, dd, mon, yyyy, method, path, status, agent, host = match.groups()
        # Most lines are dropped here, before anything is decoded (bench: the decode is the cost).
        if method != b"GET" or status not in (b"200", b"304") or path.startswith(SKIPPED_BYTES):
            return
        try:
            day = self.day(dd, mon, yyyy)
        except (KeyError, ValueError):
            return
        self.add(
            day,
            host.decode("ascii", "replace"),
            method.decode("ascii", "replace"),
            path.decode("utf-8", "replace"),
            status.decode(),
            address.decode("ascii", "replace"),
            agent.decode("utf-8", "replace"),
        )

    def _store_visitors(self, open_days):
        """COPY the hashes into a temporary table, then add the new ones: ~10× bulk_create's speed
        (bench: 200k hashes, the bulk of an ingestion's time with bulk_create)."""
        table = connection.ops.quote_name(DailyVisitor._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE supervision_visitor_batch "
                "(tenant_id bigint, day date, column_slug varchar(255), visitor varchar(32)) ON COMMIT DROP"
            )
            with cursor.copy("COPY supervision_visitor_batch FROM STDIN") as copy:
                for (tenant_id, day, column), hashes in self.visitors.items():
                    if day in open_days:
                        for visitor in hashes:
                            copy.write_row((tenant_id, day, column, visitor))
            cursor.execute(
                f"INSERT INTO {table} (tenant_id, day, column_slug, visitor) "  # noqa: S608 - our model's table
                "SELECT DISTINCT tenant_id, day, column_slug, visitor FROM supervision_visitor_batch "
                "ON CONFLICT DO NOTHING"
            )
            cursor.execute("DROP TABLE supervision_visitor_batch")

    def write(self):
        """Add the views, store the new hashes, and recount the visitors of the days touched."""
        open_days = {day for day in {key[1] for key in self.visitors} if DailySalt.objects.filter(day=day).exists()}
        self._store_visitors(open_days)
        counted = {
            (row["tenant_id"], row["day"], row["column_slug"]): row["n"]
            for row in DailyVisitor.objects.filter(day__in=open_days)
            .values("tenant_id", "day", "column_slug")
            .annotate(n=Count("id"))
        }
        days = {key[1] for key in self.visitors}
        existing = {(row.tenant_id, row.day, row.column_slug): row for row in DailyTraffic.objects.filter(day__in=days)}
        totals = {(row.tenant_id, row.day): row for row in DailyTotal.objects.filter(day__in=days)}
        site_views = defaultdict(int)
        for (tenant_id, day, _column), views in self.views.items():
            site_views[(tenant_id, day)] += views
        rows, total_rows = [], {}
        for key, hashes in self.visitors.items():
            tenant_id, day, column = key
            old = existing.get(key) if column != SITE_COLUMN else totals.get((tenant_id, day))
            new_views = site_views[(tenant_id, day)] if column == SITE_COLUMN else self.views.get(key, 0)
            views = (old.views if old else 0) + new_views
            # An open day's hashes count exactly; a closed day's can only be added to.
            visitors = counted.get(key, 0) if day in open_days else (old.visitors if old else 0) + len(hashes)
            if column == SITE_COLUMN:
                total_rows[(tenant_id, day)] = DailyTotal(tenant_id=tenant_id, day=day, views=views, visitors=visitors)
            else:
                rows.append(
                    DailyTraffic(tenant_id=tenant_id, day=day, column_slug=column, views=views, visitors=visitors)
                )
        DailyTraffic.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["tenant", "day", "column_slug"],
            update_fields=["views", "visitors"],
            batch_size=2000,
        )
        DailyTotal.objects.bulk_create(
            list(total_rows.values()),
            update_conflicts=True,
            unique_fields=["tenant", "day"],
            update_fields=["views", "visitors"],
            batch_size=2000,
        )


def ingest_file(path, hosts=None):
    """Read what is new in one log file (plain or gzip); returns (lines read, page views counted).

    The file's identity is its first line, so the same content under another name (access.log
    renamed to access.log.1, later access.log.2.gz) is continued, not counted again. Only complete
    lines are read: a last line still being written is left for the next run.
    """
    hosts = hosts or _Hosts()
    with _open(path) as stream:
        first = stream.readline()
        if not first.endswith(b"\n"):
            return 0, 0  # empty, or one line still being written
        identity = file_identity(first)
        with transaction.atomic():
            record, _created = IngestedLog.objects.select_for_update().get_or_create(
                identity=identity, defaults={"path": str(path)[:1000]}
            )
            batch = _Batch(hosts)
            offset = record.offset
            if offset == 0:
                batch.feed(first)
                offset = len(first)
            else:
                stream.seek(offset)
            for line in stream:
                if not line.endswith(b"\n"):
                    break
                batch.feed(line)
                offset += len(line)
            batch.write()
            record.offset, record.lines, record.path = offset, record.lines + batch.lines, str(path)[:1000]
            record.save()
    return batch.lines, batch.counted


def close_days(today=None):
    """Forget the salts and visitor hashes of days that are over (after a day's grace)."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=GRACE_DAYS)
    DailyVisitor.objects.filter(day__lt=cutoff).delete()
    DailySalt.objects.filter(day__lt=cutoff).delete()


def ingest(paths, today=None):
    """Ingest several files in order (oldest rotation first is best); returns (lines, views)."""
    hosts = _Hosts()
    lines = views = 0
    for path in paths:
        read, counted = ingest_file(path, hosts)
        lines += read
        views += counted
    close_days(today)
    return lines, views
