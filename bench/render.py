"""Uncached render throughput of an article page against a minimal Django view, in one process.

Both requests go through the full middleware stack (site lookup by host, sessions, auth, SSO,
messages, the page cache, …) on the same site host; the article is rendered with the page cache
bypassed, so the figure is Wagtail + the theme + the database, per request. Prints requests/s of
each, the ratio, and a page-cache hit for reference. Uses a database of its own.
    .venv/bin/python bench/render.py [--seconds 5]
"""

import argparse
import sys
import time
import types

import _django

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--seconds", type=float, default=5.0, help="measuring time per case")
parser.add_argument("--warmup", type=int, default=30, help="requests before measuring")
parser.add_argument(
    "--profile", type=int, default=0, metavar="N", help="also print the N costliest calls of the article"
)
args = parser.parse_args()

connection = _django.setup("bench_render")
old_name = connection.settings_dict["NAME"]

import datetime  # noqa: E402
import io  # noqa: E402

from django.conf import settings  # noqa: E402
from django.core.files.images import ImageFile  # noqa: E402
from django.core.signals import request_started  # noqa: E402
from django.db import reset_queries  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import clear_url_caches, path  # noqa: E402
from PIL import Image as PILImage  # noqa: E402

from cms.models import ArticlePage, ColumnPage  # noqa: E402
from serving.pagecache import bypass  # noqa: E402
from sites.bootstrap import bootstrap  # noqa: E402
from sites.provisioning import SiteSpec, create_site  # noqa: E402

HOST = "jtj.bench.localhost"
PARAGRAPH = (
    "为深入贯彻落实党中央、国务院关于交通强国建设的决策部署，进一步提升城市公共交通服务水平，"
    "市交通运输局会同有关部门对全市公交线网开展了系统评估，形成线网优化调整方案。方案坚持以人民为中心，"
    "统筹考虑客流分布、道路条件和换乘需求，优化调整线路走向和站点布局，缩短发车间隔，提高准点率。"
)


def minimal(request):
    return HttpResponse("<!DOCTYPE html><html lang='zh-CN'><title>ok</title><p>ok</p></html>")


# The site's own URLs plus the minimal view, so both requests pass the same middleware.
bench_urls = types.ModuleType("bench_render_urls")
bench_urls.urlpatterns = [path("bench/minimal/", minimal)]
sys.modules["bench_render_urls"] = bench_urls


def publish_article():
    from wagtail.images import get_image_model

    buffer = io.BytesIO()
    PILImage.new("RGB", (960, 420), (11, 79, 156)).save(buffer, "JPEG")
    cover = get_image_model().objects.create(title="题图", file=ImageFile(buffer, name="cover.jpg"))
    body = "".join(f"<p>{i + 1}. {PARAGRAPH}</p>" for i in range(60))  # about 27 KB of Chinese text
    page = ArticlePage(
        title="市交通运输局关于城市公交线网优化调整的情况通报",
        source="运输服务科",
        summary="通报全市公交线网优化调整情况。",
        cover_image=cover,
        body=body,
        live=False,
    )
    ColumnPage.objects.get(slug="gzdt").add_child(instance=page)
    page.save_revision().publish()
    return page.url


def count_queries(client, url):
    """SQL statements of one request (Django resets its query log when a request starts)."""
    request_started.disconnect(reset_queries)
    try:
        with CaptureQueriesContext(connection) as queries:
            client.get(url, HTTP_HOST=HOST)
    finally:
        request_started.connect(reset_queries)
    return len(queries)


def profile(client, url, top):
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(20):
        client.get(url, HTTP_HOST=HOST)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


def measure(client, url, seconds, warmup):
    for _ in range(warmup):
        response = client.get(url, HTTP_HOST=HOST)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}; nothing to measure")
    queries = count_queries(client, url)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        client.get(url, HTTP_HOST=HOST)
        count += 1
    elapsed = time.perf_counter() - start
    return count / elapsed, queries, len(response.content)


try:
    print("setting up: public schema, template, one department site and an article …", flush=True)
    bootstrap(step=lambda text: None)
    create_site(SiteSpec(code="portal", name="江城市人民政府", kind="portal", domain="portal.bench.localhost"))
    tenant = create_site(
        SiteSpec(code="jtj", name="江城市交通运输局", parent="portal", domain=HOST, details={"org_code": "014207301"})
    )
    connection.set_tenant(tenant)
    article_url = publish_article()
    connection.set_schema_to_public()

    bench_urls.urlpatterns += __import__(settings.ROOT_URLCONF, fromlist=["urlpatterns"]).urlpatterns
    with override_settings(ROOT_URLCONF="bench_render_urls", ALLOWED_HOSTS=[".localhost"]):
        clear_url_caches()
        client = Client()
        with bypass():
            article_rps, article_queries, article_size = measure(client, article_url, args.seconds, args.warmup)
            minimal_rps, minimal_queries, _ = measure(client, "/bench/minimal/", args.seconds, args.warmup)
            if args.profile:
                profile(client, article_url, args.profile)
        cached_rps, cached_queries, _ = measure(client, article_url, args.seconds, args.warmup)

    print(
        f"measured {datetime.date.today()}, {args.seconds:g} s per case, one process, one thread (Django test client)"
    )
    print(
        f"article page, uncached (full middleware, page cache bypassed): {article_rps:8.1f} req/s"
        f"  {1000 / article_rps:6.2f} ms/req  {article_size / 1024:.1f} KB  {article_queries} SQL queries"
    )
    print(
        f"minimal Django view (same middleware, same host):             {minimal_rps:8.1f} req/s"
        f"  {1000 / minimal_rps:6.2f} ms/req  {minimal_queries} SQL queries"
    )
    print(f"ratio minimal view / uncached article: {minimal_rps / article_rps:.1f}x")
    print(
        f"for reference, the article from the page cache:                {cached_rps:8.1f} req/s"
        f"  {1000 / cached_rps:6.2f} ms/req  {cached_queries} SQL queries"
    )
finally:
    connection.set_schema_to_public()
    _django.teardown(connection, old_name)
