"""The crawler: internal links resolved against the cluster, external ones against loopback servers.

No test here leaves loopback: the external targets are servers the test starts, and the checker
the tests use refuses any other host (a template's footer may link to national sites).
"""

import json
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from supervision.crawler.external import ExternalChecker, Verdict
from supervision.crawler.links import InternalResolver, extract_links, run_link_check
from supervision.crawler.models import ExternalLinkResult, LinkFinding, LinkKind, LinkStatus
from tests.cms import content

from .loopback import loopback_server

pytestmark = pytest.mark.django_db


class LoopbackChecker(ExternalChecker):
    """The real checker, held to loopback: any other host is answered without a request."""

    def check(self, url):
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost"):
            return Verdict(LinkStatus.CAUTION, None, "测试中不访问外部网站")
        return super().check(url)


def checker(**options):
    options = {"timeout": 0.5, "delay": 0, "per_host": 4, "slow": 5, **options}
    return LoopbackChecker(**options)


def routes(path):
    if path.startswith("/ok"):
        return 200, {}, 0
    if path == "/missing":
        return 404, {}, 0
    if path == "/error":
        return 500, {}, 0
    if path == "/loop-a":
        return 302, {"Location": "/loop-b"}, 0
    if path == "/loop-b":
        return 302, {"Location": "/loop-a"}, 0
    if path == "/slow":
        return 200, {}, 1.5
    if path == "/away":
        return 302, {"Location": f"http://localhost:{routes.port}/ok-there"}, 0
    if path == "/login":
        return 403, {}, 0
    if path.startswith("/polite"):
        return 200, {}, 0.15
    return 404, {}, 0


@pytest.fixture
def jtj(cluster):
    connection.set_tenant(cluster.sites["jtj"])
    yield cluster.sites["jtj"]
    connection.set_schema_to_public()


@pytest.fixture
def server():
    with loopback_server(routes) as (port, recorder):
        routes.port = port
        yield f"http://127.0.0.1:{port}", recorder


def by_url(tenant):
    return {finding.link_url: finding for finding in LinkFinding.objects.filter(tenant=tenant)}


def test_extract_links_keeps_text_and_skips_non_http():
    html = (
        '<a href="/a/">甲 <b>乙</b></a><a href="mailto:x@y">m</a><a href="#top">t</a><a href="/i/"><img alt="图"></a>'
    )
    assert extract_links(html) == [("/a/", "甲 乙"), ("/i/", "图")]


def test_external_links_are_classified(jtj, server):
    base, recorder = server
    links = {
        "ok": f"{base}/ok",
        "missing": f"{base}/missing",
        "error": f"{base}/error",
        "loop": f"{base}/loop-a",
        "slow": f"{base}/slow",
        "away": f"{base}/away",
        "login": f"{base}/login",
    }
    body = "".join(f'<p><a href="{url}">外部{name}</a></p>' for name, url in links.items())
    page = content.article(title="外部链接测试", body=body)
    summary = run_link_check(jtj, checker=checker())
    assert summary["pages"] >= 2 and summary["links"] > len(links)
    found = by_url(jtj)
    verdicts = {name: (found[url].status, found[url].reason) for name, url in links.items()}
    assert verdicts["ok"] == (LinkStatus.OK, "")
    assert verdicts["missing"] == (LinkStatus.BROKEN, "页面不存在")
    assert verdicts["error"][0] == LinkStatus.BROKEN and "500" in verdicts["error"][1]
    assert verdicts["loop"] == (LinkStatus.BROKEN, "重定向循环")
    assert verdicts["slow"] == (LinkStatus.BROKEN, "访问超时")
    assert verdicts["away"][0] == LinkStatus.CAUTION and "其他网站" in verdicts["away"][1]
    assert verdicts["login"][0] == LinkStatus.CAUTION
    missing = found[links["missing"]]
    assert missing.page_url == page.get_full_url() and missing.link_text == "外部missing"
    assert missing.kind == LinkKind.LINK and not missing.internal and not missing.on_homepage
    # HEAD first, GET when HEAD fails: the 404 was asked twice, the 200 once.
    assert recorder.requests["/ok"] == 1 and recorder.requests["/missing"] == 2


def test_the_24_hour_cache_makes_no_second_request(jtj, server):
    base, recorder = server
    content.article(title="缓存测试", body=f'<p><a href="{base}/ok-cached">一次</a></p>')
    first = run_link_check(jtj, checker=checker())
    assert recorder.requests["/ok-cached"] == 1 and first["external_fetched"] >= 1
    second = run_link_check(jtj, checker=checker())
    assert recorder.requests["/ok-cached"] == 1  # answered from ExternalLinkResult
    assert second["external_cached"] >= 1
    assert by_url(jtj)[f"{base}/ok-cached"].status == LinkStatus.OK
    # Older than 24 hours: asked again.
    ExternalLinkResult.objects.filter(url=f"{base}/ok-cached").update(
        checked_at=timezone.now() - timezone.timedelta(hours=25)
    )
    run_link_check(jtj, checker=checker())
    assert recorder.requests["/ok-cached"] == 2


def test_politeness_limits_requests_in_flight_per_host(jtj, server):
    base, recorder = server
    body = "".join(f'<p><a href="{base}/polite-{n}">第{n}个</a></p>' for n in range(12))
    content.article(title="礼貌访问测试", body=body)
    run_link_check(jtj, checker=checker(per_host=2, workers=8))
    assert sum(count for path, count in recorder.requests.items() if path.startswith("/polite")) == 12
    assert recorder.max_in_flight == 2  # eight workers, twelve URLs, never more than two at once


def test_internal_links_and_attachments_are_resolved_against_the_cluster(jtj):
    live = content.article(title="在线的文章")
    gone = content.article(title="已撤下的文章")
    gone_url = gone.get_full_url()
    gone.unpublish()
    restricted = content.article(title="需要登录的文章")
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.LOGIN)
    document = content.document("公开的附件.pdf")
    links = {
        "live": live.get_full_url(),
        "gone": gone_url,
        "restricted": restricted.get_full_url(),
        "attachment": f"http://jtj.localhost{document.url}",
        "missing": "http://jtj.localhost/documents/999999/不存在.pdf",
        "nowhere": "http://jtj.localhost/no/such/page/",
        "other_site": "http://jyj.localhost/",
    }
    body = "".join(f'<p><a href="{url}">站内{name}</a></p>' for name, url in links.items())
    content.disclosure(
        title="站内链接测试",
        body=body,
        attachments=[("attachment", {"document": document, "title": "附件：公开的附件.pdf"})],
    )
    run_link_check(jtj, checker=checker())
    found = by_url(jtj)
    verdict = {name: found[url] for name, url in links.items()}
    assert verdict["live"].status == LinkStatus.OK and verdict["live"].internal
    assert verdict["gone"].status == LinkStatus.BROKEN and "未发布" in verdict["gone"].reason
    assert verdict["restricted"].status == LinkStatus.CAUTION
    assert verdict["attachment"].status == LinkStatus.OK and verdict["attachment"].kind == LinkKind.ATTACHMENT
    assert verdict["missing"].status == LinkStatus.BROKEN and verdict["missing"].kind == LinkKind.ATTACHMENT
    assert verdict["missing"].reason == "附件不存在"
    assert verdict["nowhere"].status == LinkStatus.BROKEN
    assert verdict["other_site"].status == LinkStatus.OK
    # Positive control for the document rule: a document no live page uses is not public.
    private = content.document("未使用的附件.pdf")
    content.article(title="指向未使用附件", body=f'<p><a href="http://jtj.localhost{private.url}">未用</a></p>')
    run_link_check(jtj, checker=checker())
    assert by_url(jtj)[f"http://jtj.localhost{private.url}"].status == LinkStatus.BROKEN
    # The homepage is read too, and its links are marked as on the homepage.
    assert LinkFinding.objects.filter(tenant=jtj, on_homepage=True).exists()


def test_incremental_rereads_changed_pages_and_reresolves_the_rest(jtj):
    target = content.article(title="将被撤下的文章")
    target_url = target.get_full_url()
    content.article(title="引用它的文章", body=f'<p><a href="{target_url}">引用</a></p>')
    full = run_link_check(jtj, checker=checker())
    assert by_url(jtj)[target_url].status == LinkStatus.OK
    target.unpublish()
    incremental = run_link_check(jtj, incremental=True, checker=checker())
    assert incremental["incremental"] and incremental["pages"] < full["pages"]
    # The referring page was not re-read, but its stored internal link was resolved again.
    assert by_url(jtj)[target_url].status == LinkStatus.BROKEN
    assert not LinkFinding.objects.filter(tenant=jtj, page_url=target_url).exists()


def test_check_links_command_prints_json(jtj, server):
    base, _recorder = server
    content.article(title="命令测试", body=f'<p><a href="{base}/missing">坏链接</a></p>')
    connection.set_schema_to_public()
    out = StringIO()
    call_command("check_links", "--site", "jtj", "--json", "--timeout", "0.5", stdout=out)
    report = json.loads(out.getvalue().strip().splitlines()[-1])
    (site,) = report["sites"]
    assert site["site"] == "jtj" and site["pages"] > 0
    assert any(f["link_url"] == f"{base}/missing" and f["status"] == "broken" for f in site["findings"])


def test_incremental_reads_a_new_page_and_the_lists_above_it_only(jtj):
    run_link_check(jtj, checker=checker())
    news = content.column("gzdt")
    news_url, other_url = news.get_full_url(), content.column("tzgg").get_full_url()
    fresh = content.article(title="增量检查后发布的文章")
    summary = run_link_check(jtj, incremental=True, checker=checker())
    reread = set(LinkFinding.objects.filter(tenant=jtj, run=summary["run"]).values_list("page_url", flat=True))
    assert {fresh.get_full_url(), news_url, content.home().get_full_url()} <= reread
    assert other_url not in reread  # a column the new page is not under is left alone
    # Nothing changed since: nothing is rendered.
    again = run_link_check(jtj, incremental=True, checker=checker())
    assert again["pages"] == 0, set(LinkFinding.objects.filter(run=again["run"]).values_list("page_url", "reason"))


def test_pagination_and_feed_links_are_answered_from_the_tree_with_the_verdict_a_render_gives(jtj, monkeypatch):

    news = content.column("gzdt")
    restricted = content.column("tzgg")
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.LOGIN)
    links = {
        "page2": news.get_full_url() + "?page=2",
        "page_far": news.get_full_url() + "?page=999",  # clamped to the last page: still 200
        "feed": news.get_full_url() + "feed/",
        "restricted_feed": restricted.get_full_url() + "feed/",
        "no_route": news.get_full_url() + "nosuchroute/",
        "other_query": news.get_full_url() + "?q=1",
    }
    body = "".join(f'<p><a href="{url}">链接{name}</a></p>' for name, url in links.items())
    content.article(title="栏目分页和订阅链接", body=body)
    served = []
    original = InternalResolver._served

    def counting(self, url, parts):
        served.append(url)
        return original(self, url, parts)

    monkeypatch.setattr(InternalResolver, "_served", counting)
    run_link_check(jtj, checker=checker())
    shortcut = {name: by_url(jtj)[url] for name, url in links.items()}
    # What the database answered, no render asked for it:
    assert not {links["page2"], links["page_far"], links["feed"], links["restricted_feed"]} & set(served)
    assert {links["no_route"], links["other_query"]} <= set(served)  # the rest is still rendered
    # ... and the same verdicts a render gives (positive control: ask the site for each).
    rendered = InternalResolver(Client(raise_request_exception=False))
    for name, url in links.items():
        status, http_status, _reason = rendered._served(url, urlsplit(url))
        assert shortcut[name].status == status, (name, shortcut[name].reason, http_status)
    assert shortcut["page2"].status == LinkStatus.OK and shortcut["feed"].status == LinkStatus.OK
    assert shortcut["no_route"].status == LinkStatus.BROKEN


def test_stored_verdicts_of_unchanged_pages_follow_their_target_both_ways(jtj):
    targets = [content.article(title=f"被引用的文章{n}") for n in range(5)]
    body = "".join(f'<p><a href="{page.get_full_url()}">引用{n}</a></p>' for n, page in enumerate(targets))
    content.article(title="引用五篇的文章", body=body)
    run_link_check(jtj, checker=checker())
    url = targets[0].get_full_url()
    targets[0].unpublish()
    run_link_check(jtj, incremental=True, checker=checker())
    found = by_url(jtj)
    assert found[url].status == LinkStatus.BROKEN
    assert all(found[page.get_full_url()].status == LinkStatus.OK for page in targets[1:])
    targets[0].save_revision().publish()
    run_link_check(jtj, incremental=True, checker=checker())
    assert by_url(jtj)[url].status == LinkStatus.OK


def test_an_unchanged_sites_check_costs_the_same_queries_however_many_links_it_stores(jtj):
    def unchanged_run_queries():
        run_link_check(jtj, incremental=True, checker=checker())  # settles what just changed
        with CaptureQueriesContext(connection) as queries:
            summary = run_link_check(jtj, incremental=True, checker=checker())
        assert summary["pages"] == 0
        return len(queries)

    news = content.column("gzdt")
    run_link_check(jtj, checker=checker())
    before = unchanged_run_queries()
    targets = [content.article(title=f"再引用的文章{n}") for n in range(6)]
    links = [page.get_full_url() for page in targets] + [news.get_full_url() + "feed/", news.get_full_url() + "?page=2"]
    links += ["http://jtj.localhost/hudong/", "http://jtj.localhost/no/such/page/"]
    content.article(title="引用很多的文章", body="".join(f'<p><a href="{url}">链接</a></p>' for url in links))
    assert unchanged_run_queries() <= before


def test_a_site_with_nothing_changed_nor_linked_to_changed_skips_every_look_up(jtj):
    content.article(title="一篇文章", body='<p><a href="http://jyj.localhost/">教育局</a></p>')
    run_link_check(jtj, checker=checker())
    kept = set(LinkFinding.objects.filter(tenant=jtj).values_list("pk", "status"))
    with CaptureQueriesContext(connection) as queries:
        summary = run_link_check(jtj, incremental=True, checker=checker())
    assert summary["unchanged"] and summary["pages"] == 0
    # The fingerprints, the last run, the run's row, the site's counts: nothing per link or page.
    assert len(queries) <= 8, [query["sql"][:80] for query in queries]
    assert set(LinkFinding.objects.filter(tenant=jtj).values_list("pk", "status")) == kept
    assert summary["site_broken"] == sum(1 for _, status in kept if status == LinkStatus.BROKEN)


def test_a_change_on_the_site_a_link_points_to_reaches_that_link(jtj, cluster):
    connection.set_tenant(cluster.sites["jyj"])
    there = content.article(title="教育局的文章")
    there_url = there.get_full_url()
    connection.set_tenant(jtj)
    content.article(title="引用教育局文章", body=f'<p><a href="{there_url}">教育局文章</a></p>')
    run_link_check(jtj, checker=checker())
    assert by_url(jtj)[there_url].status == LinkStatus.OK
    connection.set_tenant(cluster.sites["jyj"])
    there.unpublish()
    connection.set_schema_to_public()
    summary = run_link_check(jtj, incremental=True, checker=checker())
    assert not summary["unchanged"] and summary["pages"] == 0  # jtj itself is not re-read
    assert by_url(jtj)[there_url].status == LinkStatus.BROKEN


def test_a_change_on_a_site_no_link_points_to_leaves_the_site_alone(jtj, cluster):
    content.article(title="只引用本站", body=f'<p><a href="{content.column("gzdt").get_full_url()}">动态</a></p>')
    run_link_check(jtj, checker=checker())
    assert not LinkFinding.objects.filter(tenant=jtj, link_url__startswith="http://jyj.localhost").exists()
    connection.set_tenant(cluster.sites["jyj"])
    content.article(title="教育局的新文章")
    connection.set_schema_to_public()
    assert run_link_check(jtj, incremental=True, checker=checker())["unchanged"]


def test_a_closed_site_breaks_the_links_into_it_on_the_next_incremental_run(jtj, cluster):
    from sites.models import SiteStatus, Tenant

    content.article(title="引用教育局首页", body='<p><a href="http://jyj.localhost/">教育局</a></p>')
    run_link_check(jtj, checker=checker())
    assert by_url(jtj)["http://jyj.localhost/"].status == LinkStatus.OK
    Tenant.objects.filter(pk=cluster.sites["jyj"].pk).update(status=SiteStatus.SUSPENDED)
    run_link_check(jtj, incremental=True, checker=checker())
    assert by_url(jtj)["http://jyj.localhost/"].status == LinkStatus.BROKEN
