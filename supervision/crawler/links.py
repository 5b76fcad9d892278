"""The crawler: every public page of a site, its links and attachments, and a verdict for each.

Pages are rendered in-process through Django's test client with the site's Host header, not
fetched over HTTP: the request takes the same middleware path as a reader's (host → site, page
cache, Wagtail's serve), needs no port, DNS or nginx to be up, and costs no socket per page
(300 sites × 50 pages is 15,000 renders a night). What a reader gets from nginx's static output
is the same HTML (the outbox writes it from the same render).

Links inside the cluster (a host in sites.Domain) are resolved against the cluster itself, never
over HTTP: a page must exist and be public (cms.visibility, the one rule), an attachment must be
one the public may download (cms.documents.may_download). Everything else goes to
``ExternalChecker`` in one batch per site.
"""

import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import resolve_url
from django.test import Client, RequestFactory
from django.test.client import RedirectCycleError
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from django_tenants.utils import tenant_context
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.documents import get_document_model
from wagtail.models import Page
from wagtail.models import Site as WagtailSite

from cms.documents import may_download
from cms.visibility import is_listed, listed
from publishing.catalogue.models import CatalogueEntry
from sites.models import Domain, SiteStatus

from .external import ExternalChecker
from .models import LinkCheckRun, LinkFinding, LinkKind, LinkStatus
from .state import ClusterState

DOCUMENT_PATH = re.compile(r"^/documents/(\d+)/")
ATTACHMENT_SUFFIXES = (
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".wps", ".et", ".ofd", ".zip", ".rar", ".7z",
    ".txt", ".csv",
)  # fmt: skip
SKIPPED_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "#")
# A column's ``?page=N`` always answers 200 when the column does (Paginator.get_page clamps N),
# so its verdict is the column's, read from the database instead of a render.
PAGINATION_QUERY = re.compile(r"^page=\d{1,6}$")
# Sub-routes that render from the page alone (a column's RSS); form endpoints (a questionnaire's
# submit/) answer a GET their own way, so a render decides for them.
READ_ONLY_ROUTES = ("feed",)


# -- extraction -------------------------------------------------------------------------------


class _LinkParser(HTMLParser):
    """<a href> with its text (an image's alt when the link holds only an image)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []
        self._open = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            self._open = [href, []] if href else None
        elif tag == "img" and self._open is not None:
            alt = dict(attrs).get("alt")
            if alt:
                self._open[1].append(alt)

    def handle_data(self, data):
        if self._open is not None:
            self._open[1].append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._open is not None:
            href, text = self._open
            self.links.append((href.strip(), " ".join("".join(text).split())))
            self._open = None


def extract_links(html):
    """[(href, text)] of a page's HTML, in order, including repeats (each occurrence is a finding)."""
    parser = _LinkParser()
    parser.feed(html)
    parser.close()
    return [(href, text) for href, text in parser.links if href and not href.lower().startswith(SKIPPED_SCHEMES)]


def _absolute(page_url, href):
    """The absolute URL without its fragment, or None for what is not an http(s) link."""
    url = urljoin(page_url, href).split("#", 1)[0]
    return url if url.startswith(("http://", "https://")) else None


def _kind(url, internal):
    path = urlsplit(url).path.lower()
    if internal:
        return LinkKind.ATTACHMENT if DOCUMENT_PATH.match(path) else LinkKind.LINK
    return LinkKind.ATTACHMENT if path.endswith(ATTACHMENT_SUFFIXES) else LinkKind.LINK


# -- the pages of a site ----------------------------------------------------------------------


@dataclass
class PublicPage:
    url: str
    title: str
    page_id: int
    is_home: bool = False
    changed_at: datetime | None = None


def public_pages(tenant):
    """Every page the public may read on the site: the catalogue's items, plus the homepage, the
    columns and the other listed pages the catalogue does not hold (read from the page tree)."""
    pages = {}
    for entry in CatalogueEntry.objects.filter(tenant=tenant).values(
        "page_id", "url", "title", "last_published_at", "published_at", "updated_at"
    ):
        changed = max(filter(None, [entry["last_published_at"], entry["published_at"], entry["updated_at"]]))
        pages[entry["page_id"]] = PublicPage(entry["url"], entry["title"], entry["page_id"], changed_at=changed)
    with tenant_context(tenant):
        site = WagtailSite.objects.select_related("root_page").filter(is_default_site=True).first()
        if site is None:
            return []
        root = site.root_page
        # What Page.get_full_url() gives (the Site's root URL and the path below the root), without
        # its per-page look-up of every Site's root path: ~25 columns a site, every incremental run.
        rows = listed(Page.objects.descendant_of(root, inclusive=True)).exclude(pk__in=list(pages))
        for page in rows.only("id", "title", "url_path", "last_published_at"):
            url = site.root_url + iri_to_uri("/" + page.url_path[len(root.url_path) :])
            pages[page.pk] = PublicPage(
                url, page.title, page.pk, is_home=page.pk == root.pk, changed_at=page.last_published_at
            )
    connection.set_schema_to_public()
    return sorted(pages.values(), key=lambda page: (not page.is_home, page.url))


# -- internal resolution ----------------------------------------------------------------------


class InternalResolver:
    """Verdicts for URLs of the cluster's own hosts, from the database; one look-up per URL and run."""

    def __init__(self, client):
        self.client = client
        self.hosts = {
            domain.domain: domain.tenant
            for domain in Domain.objects.select_related("tenant").filter(is_admin_host=False)
        }
        self.admin_hosts = set(Domain.objects.filter(is_admin_host=True).values_list("domain", flat=True))
        self.known = {}  # url → (status, http_status, reason)
        self._roots = {}

    def is_internal(self, url):
        host = (urlsplit(url).hostname or "").lower()
        return host in self.hosts or host in self.admin_hosts

    def remember(self, url, status_code):
        """A page the crawler rendered itself answers for its own URL."""
        if status_code == 200:
            self.known[url] = (LinkStatus.OK, 200, "")
        else:
            self.known[url] = (LinkStatus.BROKEN, status_code, f"页面打开出错（{status_code}）")

    def resolve(self, url):
        if url not in self.known:
            self.known[url] = self._resolve(url)
        return self.known[url]

    def _resolve(self, url):
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host in self.admin_hosts:
            return LinkStatus.BROKEN, None, "链接指向后台地址，公众无法访问"
        tenant = self.hosts[host]
        if tenant.status != SiteStatus.ACTIVE:
            return LinkStatus.BROKEN, None, "链接指向的网站已关闭"
        path = unquote(parts.path or "/")
        try:
            with tenant_context(tenant):
                document = DOCUMENT_PATH.match(path)
                if document:
                    return self._document(int(document.group(1)), host, path)
                if not parts.query or PAGINATION_QUERY.match(parts.query):
                    verdict = self._page(tenant, path)
                    if verdict:
                        return verdict
        finally:
            connection.set_schema_to_public()
        return self._served(url, parts)

    def resolve_stored(self, urls):
        """Verdicts for many URLs from the database alone, a few queries per target site; URLs that
        are neither a page of a tree nor a document (routes: search, forms, feeds) are left out,
        since answering them means a render. Used to re-check unchanged pages' links."""
        by_tenant = {}
        for url in set(urls) - set(self.known):
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
            if host in self.admin_hosts or (parts.query and not PAGINATION_QUERY.match(parts.query)):
                continue
            tenant = self.hosts[host]
            if tenant.status != SiteStatus.ACTIVE:
                self.known[url] = (LinkStatus.BROKEN, None, "链接指向的网站已关闭")
                continue
            by_tenant.setdefault(tenant, []).append((url, unquote(parts.path or "/"), host))
        for tenant, targets in by_tenant.items():
            try:
                with tenant_context(tenant):
                    self._resolve_batch(tenant, targets)
            finally:
                connection.set_schema_to_public()
        return {url: self.known[url] for url in urls if url in self.known}

    def _resolve_batch(self, tenant, targets):
        pages = {}
        for url, path, host in targets:
            document = DOCUMENT_PATH.match(path)
            if document:
                self.known[url] = self._document(int(document.group(1)), host, path)
            else:
                pages[url] = path
        if not pages:
            return
        if tenant.pk not in self._roots:
            site = WagtailSite.objects.select_related("root_page").filter(is_default_site=True).first()
            self._roots[tenant.pk] = site.root_page.url_path if site else None
        root_path = self._roots[tenant.pk]
        if root_path is None:
            return
        wanted = {url: _url_path(root_path, path) for url, path in pages.items()}
        # One query for the pages and every page above them (a route's owner), one for the rule.
        candidates = set(wanted.values())
        for path in pages.values():
            candidates.update(_prefixes(root_path, path))
        rows = Page.objects.filter(url_path__in=candidates)
        found = {row.url_path: row for row in rows.only("id", "url_path", "live", "depth", "content_type_id")}
        public = set(listed(rows).values_list("url_path", flat=True))
        for url, url_path in wanted.items():
            page = found.get(url_path)
            rest = None
            if page is None:
                owners = [
                    (found[prefix], rest)
                    for prefix, rest in _prefixes(root_path, pages[url]).items()
                    if prefix in found
                ]
                if not owners:
                    continue
                page, rest = max(owners, key=lambda owner: owner[0].depth)
                if not _read_only_route(page, rest):
                    continue  # a route of another kind, or no page: a render decides
            if not page.live:
                self.known[url] = (LinkStatus.BROKEN, 404, "页面未发布或已撤下")
            elif page.url_path not in public:
                self.known[url] = (LinkStatus.CAUTION, 403, "页面需要登录或密码才能阅读")
            else:
                self.known[url] = (LinkStatus.OK, 200, "")

    def _document(self, pk, host, path):
        document = get_document_model().objects.filter(pk=pk).select_related("collection").first()
        if document is None:
            return LinkStatus.BROKEN, 404, "附件不存在"
        if document.collection.get_view_restrictions().exists():
            return LinkStatus.BROKEN, 403, "附件仅限登录用户下载"
        request = RequestFactory().get(path, HTTP_HOST=host)
        request.user, request.session = AnonymousUser(), {}
        if not may_download(document, request):
            return LinkStatus.BROKEN, 404, "附件不对公众开放（使用它的页面未发布）"
        return LinkStatus.OK, 200, ""

    def _page(self, tenant, path):
        if tenant.pk not in self._roots:
            site = WagtailSite.objects.select_related("root_page").filter(is_default_site=True).first()
            self._roots[tenant.pk] = site.root_page.url_path if site else None
        root_path = self._roots[tenant.pk]
        if root_path is None:
            return None
        page = Page.objects.filter(url_path=_url_path(root_path, path)).first()
        if page is None:
            return self._route(root_path, path)
        return self._verdict(page)

    @staticmethod
    def _verdict(page):
        if not page.live:
            return LinkStatus.BROKEN, 404, "页面未发布或已撤下"
        if not is_listed(page):
            return LinkStatus.CAUTION, 403, "页面需要登录或密码才能阅读"
        return LinkStatus.OK, 200, ""

    def _route(self, root_path, path):
        """A sub-route of a routable page (a column's ``feed/``): the verdict of the nearest page
        above the path when its own URL resolver matches the rest with a read-only route. Anything
        else (search, forms, a missing page) returns None: the site is asked with a render."""
        owners = _prefixes(root_path, path)
        page = Page.objects.filter(url_path__in=list(owners)).order_by("-depth").first()
        if page is None or not _read_only_route(page, owners[page.url_path]):
            return None
        return self._verdict(page)

    def _served(self, url, parts):
        """What the site answers for a URL that is not a page of its tree, asked in-process."""
        path = parts.path or "/"
        if parts.query:
            path = f"{path}?{parts.query}"
        try:
            response = self.client.get(path, HTTP_HOST=parts.netloc, secure=parts.scheme == "https", follow=True)
        except RedirectCycleError:
            return LinkStatus.BROKEN, None, "重定向循环"
        finally:
            connection.set_schema_to_public()
        code = response.status_code
        if response.redirect_chain and _is_login(response.redirect_chain[-1][0]):
            # A restricted page answers with the login form (200 once followed): not a reader's page.
            return LinkStatus.CAUTION, 403, "页面需要登录或密码才能阅读"
        if 200 <= code < 300:
            return LinkStatus.OK, code, ""
        if code in (401, 403):
            return LinkStatus.CAUTION, code, f"需要登录或禁止访问（{code}）"
        if code in (404, 410):
            return LinkStatus.BROKEN, code, "页面不存在"
        return LinkStatus.BROKEN, code, f"页面打开出错（{code}）"


def _url_path(root_path, path):
    """The tree's url_path of a public path below the site's root."""
    return root_path + path.strip("/") + "/" if path.strip("/") else root_path


def _prefixes(root_path, path):
    """{url_path of each page that could own ``path`` as a sub-route: the rest of the path}."""
    segments = [segment for segment in path.strip("/").split("/") if segment]
    return {
        _url_path(root_path, "/".join(segments[:k])): "/" + "/".join(segments[k:]) + "/" for k in range(len(segments))
    }


def _read_only_route(page, rest):
    """Whether ``rest`` is one of READ_ONLY_ROUTES of the page's type (its class's URL resolver,
    no instance or render needed)."""
    model = ContentType.objects.get_for_id(page.content_type_id).model_class()
    if model is None or not issubclass(model, RoutablePageMixin):
        return False
    try:
        match = model.get_resolver().resolve(rest)
    except Http404:
        return False
    return match.url_name in READ_ONLY_ROUTES


def _is_login(location):
    login = resolve_url(getattr(settings, "WAGTAIL_FRONTEND_LOGIN_URL", None) or settings.LOGIN_URL)
    return urlsplit(location).path == urlsplit(login).path


# -- a run ------------------------------------------------------------------------------------


@dataclass
class _Found:
    page: PublicPage
    url: str
    text: str
    internal: bool
    kind: str


@dataclass
class _Tally:
    pages: int = 0
    links: int = 0
    counts: dict = field(default_factory=lambda: {LinkStatus.OK: 0, LinkStatus.CAUTION: 0, LinkStatus.BROKEN: 0})


def _render(client, page):
    parts = urlsplit(page.url)
    path = parts.path or "/"
    response = client.get(path, HTTP_HOST=parts.netloc, secure=parts.scheme == "https")
    connection.set_schema_to_public()
    if response.status_code != 200 or response.streaming:
        return response.status_code, ""
    return 200, response.content.decode(response.charset or "utf-8", "replace")


def last_run(tenant):
    return (
        LinkCheckRun.objects.filter(tenant=tenant, finished_at__isnull=False, error="").order_by("-started_at").first()
    )


def run_link_check(tenant, incremental=False, since=None, checker=None, client=None, state=None):
    """Check the links and attachments of every public page of ``tenant``; returns a summary dict.

    ``incremental``: re-read only the pages changed since the last finished run (or ``since``);
    findings of pages no longer public are dropped and the stored internal links of the other
    pages are resolved again (a database look-up, no rendering), so a page unpublished today shows
    as a broken link on the unchanged pages that point to it. Only links into sites whose
    fingerprint moved since the last run are looked up again (``supervision.crawler.state``), so a
    site whose pages and link targets are all unchanged costs a handful of queries. Without a
    previous run it is a full run. ``checker``: an ``ExternalChecker`` (tests pass one with short
    timeouts). ``state``: a ``ClusterState`` shared by a whole pass (one read for every site).
    For the "立即检查" button: call it and show the summary; a site of 50 pages takes a few
    seconds plus its slowest external host.
    """
    started = time.monotonic()
    now = timezone.now()
    caller_tenant = connection.tenant  # put back at the end: a render switches the connection's schema
    state = state or ClusterState()
    state.fingerprints()  # before anything is read (see ClusterState)
    previous = None
    if incremental and since is None:
        previous = last_run(tenant)
        since = previous.started_at if previous else None
    incremental = bool(incremental and since is not None)
    # With an explicit ``since`` every page changed since then is re-read, whatever the fingerprints.
    moved = state.moved(previous.cluster_state) if previous is not None else None
    run = LinkCheckRun.objects.create(tenant=tenant, started_at=now, incremental=incremental)
    checker = checker or ExternalChecker()
    client = client or Client(raise_request_exception=False)
    tally = _Tally()
    if incremental and moved is not None and not moved:
        return _unchanged(tenant, run, previous, started, caller_tenant, checker)
    try:
        if incremental and moved is not None and tenant.schema_name not in moved:
            pages, current_urls = [], None  # nothing of this site was published, withdrawn or moved
        else:
            pages = public_pages(tenant)
            current_urls = {page.url for page in pages}
        if incremental and current_urls is not None:
            stored = set(LinkFinding.objects.filter(tenant=tenant).values_list("page_url", flat=True).distinct())
            changed = [page.url for page in pages if page.changed_at and page.changed_at >= since]
            # A page gone since (unpublished, deleted, restricted) leaves no catalogue trace: the
            # stored findings still name it, and the lists above it changed.
            changed += sorted(stored - current_urls)
            # The homepage and the columns above a changed page list it: their links changed too.
            # A column's URL is a prefix of its items' URLs (the page tree is the URL tree).
            pages = [page for page in pages if any(url.startswith(page.url) for url in changed)]
        resolver = InternalResolver(client)
        found = []
        for page in pages:
            status_code, html = _render(client, page)
            resolver.remember(page.url, status_code)
            tally.pages += 1
            if status_code != 200:
                found.append(_Found(page, page.url, page.title, True, LinkKind.LINK))
                continue
            for href, text in extract_links(html):
                url = _absolute(page.url, href)
                if url is None:
                    continue
                internal = resolver.is_internal(url)
                found.append(_Found(page, url, text, internal, _kind(url, internal)))
        external = checker.check_many(item.url for item in found if not item.internal)
        resolver.resolve_stored([item.url for item in found if item.internal])  # pages and documents, in batches
        findings = []
        for item in found:
            if item.internal:
                status, http_status, reason = resolver.resolve(item.url)
            else:
                verdict = external[item.url]
                status, http_status, reason = verdict.status, verdict.http_status, verdict.reason
            tally.links += 1
            tally.counts[status] += 1
            findings.append(
                LinkFinding(
                    tenant=tenant,
                    run=run,
                    page_url=item.page.url[:500],
                    page_title=item.page.title[:255],
                    link_url=item.url[:2000],
                    link_text=item.text[:255],
                    status=status,
                    kind=item.kind,
                    internal=item.internal,
                    http_status=http_status,
                    reason=reason[:255],
                    on_homepage=item.page.is_home,
                    checked_at=now,
                )
            )
        with transaction.atomic():
            stale = LinkFinding.objects.filter(tenant=tenant)
            if incremental:
                gone = ~Q(page_url__in=current_urls) if current_urls is not None else Q(pk__in=[])
                stale = stale.filter(Q(page_url__in=[page.url for page in pages]) | gone)
            stale.delete()
            LinkFinding.objects.bulk_create(findings, batch_size=2000)
            if incremental:
                _reresolve(tenant, resolver, exclude_run=run, schemas=moved)
        run.cluster_state = state.snapshot(_target_schemas(tenant, resolver))
        site_counts = dict.fromkeys(LinkStatus.values, 0)
        for row in LinkFinding.objects.filter(tenant=tenant).values("status").annotate(n=Count("id")).order_by():
            site_counts[row["status"]] = row["n"]
        run.pages, run.links = tally.pages, tally.links
        run.broken, run.caution = site_counts[LinkStatus.BROKEN], site_counts[LinkStatus.CAUTION]
    except Exception as error:
        run.error = f"{type(error).__name__}: {error}"[:1000]
        raise
    finally:
        connection.set_schema_to_public()
        run.seconds = round(time.monotonic() - started, 3)
        run.finished_at = timezone.now()
        run.save()
        _restore(caller_tenant)
    seconds = max(run.seconds, 1e-6)
    return {
        "site": tenant.code,
        "run": run.pk,
        "incremental": incremental,
        "unchanged": False,
        "pages": tally.pages,
        "links": tally.links,
        "ok": tally.counts[LinkStatus.OK],
        "caution": tally.counts[LinkStatus.CAUTION],
        "broken": tally.counts[LinkStatus.BROKEN],
        "site_broken": run.broken,
        "site_caution": run.caution,
        "external_fetched": checker.fetched,
        "external_cached": checker.cached,
        "seconds": run.seconds,
        "pages_per_second": round(tally.pages / seconds, 1),
        "links_per_second": round(tally.links / seconds, 1),
    }


def _schema_of(resolver, url):
    host = (urlsplit(url).hostname or "").lower()
    target = resolver.hosts.get(host)
    return target.schema_name if target is not None else None


def _restore(tenant):
    if tenant is None or tenant.schema_name == settings.PUBLIC_SCHEMA_NAME:
        connection.set_schema_to_public()
    else:
        connection.set_tenant(tenant)


def _target_schemas(tenant, resolver):
    """The schemas this site's stored internal links point to (its own always among them)."""
    hosts = LinkFinding.objects.filter(tenant=tenant, internal=True).values_list("link_url", flat=True).distinct()
    schemas = {tenant.schema_name}
    for url in hosts:
        target = resolver.hosts.get((urlsplit(url).hostname or "").lower())
        if target is not None:
            schemas.add(target.schema_name)
    return schemas


def _unchanged(tenant, run, previous, started, caller_tenant, checker):
    """An incremental run with nothing to look at: no page of the site changed and nothing its
    links point to moved. The findings stand; the run is recorded with the same fingerprints."""
    try:
        counts = dict(
            LinkFinding.objects.filter(tenant=tenant).values_list("status").annotate(n=Count("id")).order_by()
        )
        run.broken, run.caution = counts.get(LinkStatus.BROKEN, 0), counts.get(LinkStatus.CAUTION, 0)
        run.cluster_state = previous.cluster_state
    finally:
        run.seconds = round(time.monotonic() - started, 3)
        run.finished_at = timezone.now()
        run.save()
        _restore(caller_tenant)
    return {
        "site": tenant.code,
        "run": run.pk,
        "incremental": True,
        "unchanged": True,
        "pages": 0,
        "links": 0,
        "ok": 0,
        "caution": 0,
        "broken": 0,
        "site_broken": run.broken,
        "site_caution": run.caution,
        "external_fetched": checker.fetched,
        "external_cached": checker.cached,
        "seconds": run.seconds,
        "pages_per_second": 0.0,
        "links_per_second": 0.0,
    }


def _reresolve(tenant, resolver, exclude_run, schemas=None):
    """Internal links of unchanged pages, resolved again against today's cluster: one query for
    the stored rows, the batched look-ups, and one UPDATE per changed verdict (none on most
    nights). A query per distinct target was 80 % of an unchanged site's run. ``schemas``: only
    links into these sites (those whose fingerprint moved); None for all."""
    stored = (
        LinkFinding.objects.filter(tenant=tenant, internal=True)
        .exclude(run=exclude_run)
        .exclude(link_url=F("page_url"))  # the page's own failure to render: only a new render clears it
    )
    if schemas is not None and not schemas:
        return
    rows = list(stored.values_list("pk", "link_url", "status", "http_status", "reason"))
    if schemas is not None:
        rows = [row for row in rows if _schema_of(resolver, row[1]) in schemas]
    verdicts = resolver.resolve_stored(list({url for _, url, *_ in rows}))
    changed = {}  # new verdict -> ids
    for pk, url, status, http_status, reason in rows:
        verdict = verdicts.get(url)
        if verdict is None:
            continue  # routes (search, forms, feeds) are not answered from the database: their verdict stands
        new = (verdict[0], verdict[1], verdict[2][:255])
        if new != (status, http_status, reason):
            changed.setdefault(new, []).append(pk)
    for (status, http_status, reason), ids in changed.items():
        LinkFinding.objects.filter(pk__in=ids).update(status=status, http_status=http_status, reason=reason)
