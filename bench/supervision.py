"""监管 at cluster scale: the link crawler, the incremental check, log ingestion, ``supervise``.

1. Link check: ``--sites`` sites × ``--pages`` articles, each article carrying ``--links`` external
   links (spread over two loopback servers, i.e. two hosts, with per-host politeness on) plus
   internal links and an attachment; every page rendered in-process, the whole site's public
   pages read (homepage and columns too). Printed: pages/s and links/s of a first full run
   (external links fetched), of a second full run (external answers from the 24 h cache, the
   nightly case), and the projection to 300 sites × 50 pages. Baseline in the same run: rendering
   the same pages through the same test client with no link handling.
2. Incremental check: two changed pages per site; the time per site and projected to 300 sites.
3. Log ingestion: a generated nginx log (``cms_access`` format) of ``--lines`` lines, mixed sites,
   columns, bots and assets, from ``--visitors`` addresses (one per ten lines by default). Baseline: reading and splitting the same file's lines, nothing else.
   The re-ingestion of the same file (which must add nothing) is timed too.
4. ``supervise`` over the sites, when supervision.checks provides the command.

    .venv/bin/python bench/supervision.py                   # ~2 minutes (make bench)
    .venv/bin/python bench/supervision.py --sites 10 --lines 1000000

Targets (issue 13): full check 300 × 50 pages <= 10 min; incremental <= 30 s; ingestion >= 50,000 lines/s.
"""

import argparse
import logging
import random
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import _django

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--sites", type=int, default=3)
parser.add_argument("--pages", type=int, default=50, help="articles per site")
parser.add_argument("--links", type=int, default=5, help="external links per article")
parser.add_argument("--lines", type=int, default=300_000, help="access-log lines for the ingestion step")
parser.add_argument(
    "--supervise-sites", type=int, default=0, help="extra bare sites (standard columns only) for the supervise step"
)
parser.add_argument("--visitors", type=int, default=0, help="distinct addresses in the log (default: lines / 10)")
args = parser.parse_args()

connection = _django.setup("bench_supervision")
old_name = connection.settings_dict["NAME"]

from _corpus import DEPARTMENTS  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command, get_commands  # noqa: E402
from django.db import connection as db  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402
from wagtail.documents import get_document_model  # noqa: E402

from cms.models import ArticlePage, ColumnPage  # noqa: E402
from sites.bootstrap import bootstrap  # noqa: E402
from sites.provisioning import SiteSpec, create_site  # noqa: E402
from supervision.crawler.external import ExternalChecker, Verdict  # noqa: E402
from supervision.crawler.links import public_pages, run_link_check  # noqa: E402
from supervision.crawler.models import LinkStatus  # noqa: E402
from supervision.crawler.state import ClusterState, read_fingerprints  # noqa: E402
from supervision.traffic.ingest import ingest  # noqa: E402

SEED = 20261202
AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


class Answer(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _answer(self, body):
        status = 404 if "missing" in self.path else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        if body:
            self.wfile.write(b"ok")

    def do_HEAD(self):
        self._answer(False)

    def do_GET(self):
        self._answer(True)


def loopback():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def fill_site(index, ports):
    code = f"s{index:03d}"
    tenant = create_site(
        SiteSpec(code=code, name=f"测试市{DEPARTMENTS[index % len(DEPARTMENTS)]}", domain=f"{code}.bench.localhost")
    )
    rng = random.Random(SEED + index)
    with tenant_context(tenant):
        column = ColumnPage.objects.get(slug="gzdt")
        document = get_document_model().objects.create(
            title="附件", file=SimpleUploadedFile("附件.pdf", b"%PDF-1.4\n%bench\n")
        )
        previous = None
        for n in range(args.pages):
            hosts = [f"http://127.0.0.1:{ports[0]}", f"http://localhost:{ports[1]}"]
            links = "".join(
                f'<p><a href="{rng.choice(hosts)}/{"missing" if k == 0 and n % 10 == 0 else "page"}/{code}/{n}/{k}">'
                f"外部链接{k}</a></p>"
                for k in range(args.links)
            )
            internal = f'<p><a href="{previous}">上一篇</a></p>' if previous else ""
            attachment = f'<p><a href="http://{code}.bench.localhost{document.url}">附件</a></p>'
            page = ArticlePage(
                title=f"工作动态第{n}期",
                source="办公室",
                summary="摘要。",
                body=links + internal + attachment,
                live=False,
            )
            column.add_child(instance=page)
            page.save_revision().publish()
            previous = page.get_full_url()
    db.set_schema_to_public()
    return tenant


class LoopbackChecker(ExternalChecker):
    """Only the two loopback servers are fetched: the theme's own external links (the national
    我为政府网站找错 entry) are answered without a request, so no figure depends on the internet."""

    def check(self, url):
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost"):
            return Verdict(LinkStatus.CAUTION, None, "基准测试中不访问外部网站")
        return super().check(url)


def link_check(tenants):
    checker = LoopbackChecker(delay=0.0, per_host=8, workers=16, timeout=5)
    client = Client(raise_request_exception=False)
    # Baseline: the same renders, no link handling.
    pages = [page for tenant in tenants for page in public_pages(tenant)]
    started = time.perf_counter()
    for page in pages:
        host = page.url.split("/")[2]
        client.get("/" + page.url.split("/", 3)[3], HTTP_HOST=host)
    db.set_schema_to_public()
    render_rate = len(pages) / (time.perf_counter() - started)

    for label in ("first full run (external links fetched)", "second full run (external answers cached)"):
        started = time.perf_counter()
        summaries = [run_link_check(tenant, checker=checker, client=client) for tenant in tenants]
        seconds = time.perf_counter() - started
        page_count = sum(s["pages"] for s in summaries)
        link_count = sum(s["links"] for s in summaries)
        print(
            f"link check, {label}: {len(tenants)} sites, {page_count} pages, {link_count} links in {seconds:.1f} s"
            f" = {page_count / seconds:.1f} pages/s, {link_count / seconds:.0f} links/s"
            f" (broken {sum(s['broken'] for s in summaries)}, caution {sum(s['caution'] for s in summaries)})"
        )
    print(f"  baseline: rendering the same pages only: {render_rate:.1f} pages/s")
    per_page = seconds / page_count
    projected = per_page * 300 * (page_count / len(tenants))
    print(
        f"  projected 300 sites x {page_count // len(tenants)} pages (cached externals, one process): "
        f"{projected / 60:.1f} min; target <= 10 min: {'met' if projected <= 600 else 'NOT met'}"
    )

    for tenant in tenants:
        with tenant_context(tenant):
            for page in ArticlePage.objects.live().order_by("-id")[:2]:
                page.title += "（修订）"
                page.save_revision().publish()
        db.set_schema_to_public()
    # Queries are counted too: unlike seconds, they do not move with the machine's load.
    with CaptureQueriesContext(db) as changed_queries:
        started = time.perf_counter()
        state = ClusterState()  # one reading of every site's fingerprint per pass, as check_links does
        summaries = [
            run_link_check(tenant, incremental=True, checker=checker, client=client, state=state) for tenant in tenants
        ]
        seconds = time.perf_counter() - started
    changed = seconds / len(tenants)
    with CaptureQueriesContext(db) as unchanged_queries:
        started = time.perf_counter()
        state = ClusterState()
        for tenant in tenants:
            run_link_check(tenant, incremental=True, checker=checker, client=client, state=state)
        unchanged = (time.perf_counter() - started) / len(tenants)
    print(
        f"incremental check, two pages changed on every site: {len(tenants)} sites,"
        f" {sum(s['pages'] for s in summaries)} pages re-read in {seconds:.2f} s ({changed * 1000:.0f} ms per site)"
    )
    print(
        f"  a site with nothing changed since, nor anything its links point to: {unchanged * 1000:.0f} ms;"
        f" queries per site: {len(changed_queries) / len(tenants):.0f} changed, "
        f"{len(unchanged_queries) / len(tenants):.0f} unchanged"
    )
    # The one reading of every site's fingerprint per pass grows with the number of schemas.
    schemas = [tenant.schema_name for tenant in tenants]
    started = time.perf_counter()
    for _ in range(5):
        read_fingerprints(schemas)
    per_schema = (time.perf_counter() - started) / 5 / len(schemas)
    print(f"  fingerprints of the cluster (one statement per pass): {per_schema * 1000:.2f} ms per schema")
    for share in (1.0, 0.1):
        projected = 300 * (share * changed + (1 - share) * unchanged + per_schema)
        print(
            f"  projected 300 sites, {share:.0%} of them changed: {projected:.1f} s;"
            f" target <= 30 s: {'met' if projected <= 30 else 'NOT met'}"
        )


def log_ingestion(tenants, directory):
    rng = random.Random(SEED)
    hosts = [f"{tenant.code}.bench.localhost" for tenant in tenants] + ["unknown.example"]
    paths = ["/", "/zwdt/", "/zwdt/gzdt/", "/xxgk/", "/hdjl/", "/static/css/site.css", "/media/a.png", "/admin/"]
    agents = [AGENT] * 8 + ["Mozilla/5.0 (compatible; Baiduspider/2.0)", "curl/8.0"]
    stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0800")
    log = Path(directory) / "access.log"
    # A reader opens several pages a day: one address per ten lines by default.
    addresses = [
        f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}"
        for _ in range(args.visitors or max(1, args.lines // 10))
    ]
    with log.open("w", encoding="utf-8") as stream:
        for n in range(args.lines):
            status = 200 if n % 20 else 404
            stream.write(
                f"{rng.choice(addresses)} - - [{stamp}] "
                f'"GET {rng.choice(paths)} HTTP/1.1" {status} 1024 "-" "{rng.choice(agents)}" "{rng.choice(hosts)}"\n'
            )
    started = time.perf_counter()
    with log.open("rb") as stream:
        for line in stream:
            line.split(b'"')
    baseline = args.lines / (time.perf_counter() - started)
    started = time.perf_counter()
    lines, views = ingest([log])
    rate = lines / (time.perf_counter() - started)
    started = time.perf_counter()
    again, _views = ingest([log])
    repeat = time.perf_counter() - started
    print(f"log ingestion: {lines:,} lines ({views:,} page views, {len(addresses):,} addresses) at {rate:,.0f} lines/s")
    print(f"  baseline: reading and splitting the same lines: {baseline:,.0f} lines/s")
    print(f"  re-ingesting the same file: {again} new lines in {repeat:.2f} s")
    print(f"  target >= 50,000 lines/s: {'met' if rate >= 50_000 else 'NOT met'}")


def supervise(tenants):
    if "supervise" not in get_commands():
        print("supervise: not measured (supervision.checks provides no supervise command yet)")
        return
    if args.supervise_sites:
        started = time.perf_counter()
        for i in range(args.supervise_sites):
            tenants.append(
                create_site(SiteSpec(code=f"bare{i:03d}", name=f"测试市第{i}局", domain=f"bare{i:03d}.bench.localhost"))
            )
        db.set_schema_to_public()
        print(f"({args.supervise_sites} bare sites provisioned in {time.perf_counter() - started:.1f} s)")
    # --no-alarms: a measurement must not raise alarms or send digests.
    started = time.perf_counter()
    call_command("supervise", "--json", "--no-alarms", stdout=StringIO())
    seconds = time.perf_counter() - started
    print(f"supervise over {len(tenants)} sites: {seconds:.2f} s ({seconds / len(tenants) * 1000:.0f} ms per site)")
    print(f"  projected to 300 sites: {seconds / len(tenants) * 300:.1f} s (target <= 10 s)")


# A page that fails to render is a finding of the crawler; its traceback is not a figure.
logging.getLogger("django.request").setLevel(logging.CRITICAL)
servers = [loopback(), loopback()]
try:
    bootstrap(step=lambda text: None)
    cache.clear()
    started = time.perf_counter()
    tenants = [fill_site(i, [server.server_address[1] for server in servers]) for i in range(args.sites)]
    print(f"({args.sites} sites x {args.pages} articles made in {time.perf_counter() - started:.1f} s)")
    link_check(tenants)
    with tempfile.TemporaryDirectory() as directory:
        log_ingestion(tenants, directory)
    supervise(tenants)
finally:
    for server in servers:
        server.shutdown()
    db.set_schema_to_public()
    _django.teardown(connection, old_name)
