"""访问量 from access logs: idempotent across rotation and gzip, visitors hashed, no raw IP kept."""

import gzip
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from supervision.traffic.ingest import ingest
from supervision.traffic.models import DailySalt, DailyTotal, DailyTraffic, DailyVisitor, IngestedLog
from supervision.traffic.stats import annual_totals, columns_of_year

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


def nginx(day, ip, path, host="jtj.localhost", status=200, agent=BROWSER, method="GET"):
    stamp = day.strftime("%d/%b/%Y") + ":10:00:00 +0800"
    return f'{ip} - - [{stamp}] "{method} {path} HTTP/1.1" {status} 512 "-" "{agent}" "{host}"\n'


def gunicorn(day, ip, path, host="jtj.localhost", status=200, agent=BROWSER):
    record = {"time": f"{day.isoformat()}T10:00:00+0800", "host": host, "method": "GET", "path": path}
    record.update({"query": "", "status": str(status), "bytes": 10, "duration_ms": 1.0, "ip": ip, "agent": agent})
    return json.dumps(record) + "\n"


@pytest.fixture
def today():
    return timezone.localdate()


def traffic(tenant, day):
    return {row.column_slug: (row.views, row.visitors) for row in DailyTraffic.objects.filter(tenant=tenant, day=day)}


def total(tenant, day):
    row = DailyTotal.objects.filter(tenant=tenant, day=day).first()
    return (row.views, row.visitors) if row else (0, 0)


def test_counts_page_views_per_site_column_and_day_and_skips_the_rest(cluster, tmp_path, today):
    jtj, jyj = cluster.sites["jtj"], cluster.sites["jyj"]
    log = tmp_path / "access.log"
    log.write_text(
        "".join(
            [
                nginx(today, "203.0.113.7", "/"),
                nginx(today, "203.0.113.7", "/zwdt/gzdt/t1/"),
                nginx(today, "203.0.113.8", "/zwdt/"),
                nginx(today, "203.0.113.8", "/zwdt/?page=2", status=304),
                nginx(today, "203.0.113.9", "/nosuch/"),  # a page outside any column: counted under ""
                gunicorn(today, "198.51.100.1", "/", host="jyj.localhost"),
                # Not page views:
                nginx(today, "203.0.113.7", "/static/css/site.css"),
                nginx(today, "203.0.113.7", "/media/images/a.png"),
                nginx(today, "203.0.113.7", "/admin/"),
                nginx(today, "203.0.113.7", "/documents/1/a.pdf"),
                nginx(today, "203.0.113.7", "/missing/", status=404),
                nginx(today, "203.0.113.7", "/zwdt/", method="POST"),
                nginx(today, "66.249.66.1", "/zwdt/", agent="Mozilla/5.0 (compatible; Baiduspider/2.0)"),
                nginx(today, "203.0.113.7", "/", host="unknown.example"),
                "garbage that is no log line\n",
            ]
        ),
        encoding="utf-8",
    )
    lines, views = ingest([log], today=today)
    assert (lines, views) == (15, 6)
    assert traffic(jtj, today) == {"": (2, 2), "zwdt": (3, 2)}
    assert total(jtj, today) == (5, 3)  # 203.0.113.7 read two columns: one visitor of the site
    assert total(jyj, today) == (1, 1)
    assert annual_totals(today.year)[jtj.pk] == {"views": 5, "visitors": 3}
    assert columns_of_year(jtj, today.year)[0] == ("zwdt", 3, 2)


def test_reingesting_and_rotation_add_nothing_twice(cluster, tmp_path, today):
    jtj = cluster.sites["jtj"]
    live = tmp_path / "access.log"
    live.write_text(nginx(today, "203.0.113.1", "/") + nginx(today, "203.0.113.2", "/"), encoding="utf-8")
    ingest([live], today=today)
    ingest([live], today=today)  # the same file again: nothing new
    assert total(jtj, today) == (2, 2)
    # nginx writes on, with a last line half written when we read.
    with live.open("a", encoding="utf-8") as stream:
        stream.write(nginx(today, "203.0.113.3", "/"))
        stream.write(nginx(today, "203.0.113.4", "/").rstrip("\n"))
    ingest([live], today=today)
    assert total(jtj, today) == (3, 3)
    # logrotate: rename, nginx finishes the line and writes one more before reopening, then gzip.
    rotated = tmp_path / "access.log.1"
    live.rename(rotated)
    with rotated.open("a", encoding="utf-8") as stream:
        stream.write("\n" + nginx(today, "203.0.113.1", "/zwdt/"))
    new_live = tmp_path / "access.log"
    new_live.write_text(nginx(today, "203.0.113.5", "/"), encoding="utf-8")
    ingest([rotated, new_live], today=today)
    assert total(jtj, today) == (6, 5)  # .4's line, .1 again (same visitor), .5
    compressed = tmp_path / "access.log.1.gz"
    with gzip.open(compressed, "wb") as stream:
        stream.write(rotated.read_bytes())
    rotated.unlink()
    ingest([compressed, new_live], today=today)
    ingest([compressed, new_live], today=today)
    assert total(jtj, today) == (6, 5)
    assert IngestedLog.objects.count() == 2


def test_visitors_are_salted_hashes_and_no_address_is_stored(cluster, tmp_path, today):
    log = tmp_path / "access.log"
    log.write_text(nginx(today, "203.0.113.77", "/") + gunicorn(today, "2001:db8::77", "/"), encoding="utf-8")
    ingest([log], today=today)
    assert total(cluster.sites["jtj"], today) == (2, 2)
    tables = [model._meta.db_table for model in (DailySalt, DailyTotal, DailyTraffic, DailyVisitor, IngestedLog)]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608 - our own model tables
            for (text,) in cursor.fetchall():
                assert "203.0.113.77" not in text and "2001:db8::77" not in text
    assert DailyVisitor.objects.filter(day=today).count() == 4  # one column row and one site row each
    # The day is closed after its grace: salt and hashes go, the counts stay.
    ingest([log], today=today + timedelta(days=2))
    assert not DailySalt.objects.filter(day=today).exists()
    assert not DailyVisitor.objects.filter(day=today).exists()
    assert total(cluster.sites["jtj"], today) == (2, 2)


def test_the_command(cluster, tmp_path, today, capsys):
    log = tmp_path / "access.log"
    log.write_text(nginx(today, "203.0.113.10", "/"), encoding="utf-8")
    call_command("ingest_access_log", str(log))
    assert "1 行" in capsys.readouterr().out
