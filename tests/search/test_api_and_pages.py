"""The JSON API on every host, the themed results page, the CLI and the synonym screen."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from search.models import SearchDocument

from . import corpus
from .conftest import publish_docs

pytestmark = pytest.mark.django_db

DOCS = {doc.key: doc for doc in corpus.DOCUMENTS}


@pytest.fixture
def published(cluster, synonyms):
    keys = ["portal-216", "portal-cites-216", "jtj-winter-safety", "jyj-enrolment-primary", "jyj-gaokao"]
    return publish_docs(cluster, [DOCS[key] for key in keys])


@pytest.fixture(autouse=True)
def _no_rate_limit_left_over(settings):
    from django.core.cache import cache

    cache.clear()
    settings.CMS_SEARCH_RATE_LIMIT = 1000


def test_api_answers_on_every_host_with_the_documented_shape(client, published, settings):
    for host in ("jtj.localhost", "portal.localhost", settings.CMS_CLUSTER_HOST):
        response = client.get("/api/search/", {"q": "通政办发〔2012〕216号"}, HTTP_HOST=host)
        assert response.status_code == 200, host
        data = response.json()
        assert set(data) >= {"total", "took_ms", "results", "facets"}
        first = data["results"][0]
        assert set(first) >= {"title", "url", "site", "site_name", "type", "published_at", "snippet", "index_number"}
        assert first["title"] == DOCS["portal-216"].title
        assert first["site"] == "portal" and first["site_name"] == "测试市人民政府"
        assert first["index_number"].startswith("014207264/")
        assert len(first["published_at"]) == 16 and first["published_at"][10] == " "
        assert set(data["facets"]) == {"sites", "types", "years"}


def test_api_filters_by_site_type_and_sorts(client, published):
    data = client.get("/api/search/", {"q": "招生", "site": "jyj", "type": "disclosure"}, HTTP_HOST="jtj.localhost")
    assert [r["title"] for r in data.json()["results"]] == [DOCS["jyj-enrolment-primary"].title]
    dated = client.get("/api/search/", {"q": "招生", "sort": "date"}, HTTP_HOST="jtj.localhost").json()
    assert [r["title"] for r in dated["results"]] == [DOCS["jyj-gaokao"].title, DOCS["jyj-enrolment-primary"].title]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "政" * 101}, "搜索词太长"),
        ({"q": ""}, "请输入搜索关键词"),
        ({"q": "招生", "from": "2026/01/01"}, "YYYY-MM-DD"),
        ({"q": "招生", "from": "2026-02-01", "to": "2026-01-01"}, "起始日期不能晚于截止日期"),
        ({"q": "招生", "sort": "hot"}, "排序方式"),
        ({"q": "招生", "page": "0"}, "页码"),
        ({"q": "招生", "page": "abc"}, "不是整数"),
        ({"q": "招生", "type": "video"}, "内容类型"),
        ({"q": "招生", "site": "nosuchsite"}, "没有代码为“nosuchsite”的网站"),
        ({"q": "招生", "site": "Bad_Code"}, "格式不对"),
        ({"q": "-招生"}, "不能只有排除词"),
    ],
)
def test_bad_requests_get_a_400_with_a_clear_message(client, cluster, params, message):
    response = client.get("/api/search/", params, HTTP_HOST="jtj.localhost")
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_api_is_rate_limited_per_client_ip_across_hosts(client, cluster, settings):
    settings.CMS_SEARCH_RATE_LIMIT = 3
    answers = [
        client.get("/api/search/", {"q": "招生"}, HTTP_HOST=host, REMOTE_ADDR="203.0.113.9").status_code
        for host in ("jtj.localhost", "jyj.localhost", "portal.localhost", "jtj.localhost")
    ]
    assert answers == [200, 200, 200, 429]
    limited = client.get("/api/search/", {"q": "招生"}, HTTP_HOST="jtj.localhost", REMOTE_ADDR="203.0.113.9")
    assert "搜索过于频繁" in limited.json()["error"] and int(limited["Retry-After"]) > 0
    other = client.get("/api/search/", {"q": "招生"}, HTTP_HOST="jtj.localhost", REMOTE_ADDR="203.0.113.10")
    assert other.status_code == 200


def test_suggest_api(client, published):
    data = client.get("/api/search/suggest/", {"q": "市交通运"}, HTTP_HOST="jyj.localhost").json()
    assert [s["title"] for s in data["suggestions"]] == [DOCS["jtj-winter-safety"].title]


def test_results_page_in_the_site_theme_finds_documents_of_other_sites(client, published):
    html = client.get("/search/", {"q": "招生"}, HTTP_HOST="jtj.localhost").content.decode()
    assert "theme-" in html and "测试市交通运输局" in html  # the department's own header and theme
    assert DOCS["jyj-enrolment-primary"].title in html.replace("<mark>", "").replace("</mark>", "")
    assert "<mark>招生</mark>" in html
    assert 'name="scope" value="site"' in html and 'role="status"' in html
    own = client.get("/search/", {"q": "招生", "scope": "site"}, HTTP_HOST="jtj.localhost").content.decode()
    assert "没有找到相关内容" in own and "在全部网站中搜索“招生”" in own
    portal_doc = client.get("/search/", {"q": "政务公开"}, HTTP_HOST="jyj.localhost").content.decode()
    assert "测试市人民政府" in portal_doc and "通政办发〔2012〕216号" in portal_doc


def test_results_page_reports_bad_input_and_works_without_a_query(client, cluster):
    empty = client.get("/search/", HTTP_HOST="jyj.localhost")
    assert empty.status_code == 200 and "请输入关键词" in empty.content.decode()
    bad = client.get("/search/", {"q": "招生", "to": "昨天"}, HTTP_HOST="jyj.localhost")
    assert bad.status_code == 400 and "格式不对" in bad.content.decode()


def test_cli_search_and_reindex(published, capsys):
    call_command("search", "招生", "--site", "jyj", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 2 and {r["site"] for r in data["results"]} == {"jyj"}
    SearchDocument.objects.all().delete()
    call_command("search", "招生")
    assert "共 0 条结果" in capsys.readouterr().out
    call_command("reindex", "--backend", "postgres", "--site", "jyj", "--no-progress")
    assert "postgres：已索引 2 条" in capsys.readouterr().out
    call_command("reindex", "--no-progress")
    # The session sites only: tests that made sites of their own committed them.
    assert SearchDocument.objects.filter(tenant__code__in=["portal", "jtj", "jyj"]).count() == 5
    with pytest.raises(CommandError, match="未配置的搜索后端"):
        call_command("reindex", "--backend", "solr")


def test_synonym_screen_is_for_superusers_only(client, cluster):
    from sites.models import User

    url = "/admin/search_synonyms/"
    client.force_login(cluster.user("jtj", "site_admin"))
    assert client.get(url, HTTP_HOST="jtj.localhost").status_code in (302, 403)
    # 三员分立: a superuser is only ever a break-glass grant (a bare one is ended at its next request);
    # the synonyms are the security administrator's, and the system administrator is refused.
    from tests.factories import break_glass_user

    client.force_login(cluster.user(None, "web_office"))
    assert client.get(url, HTTP_HOST="jtj.localhost").status_code in (302, 403)
    client.force_login(cluster.user(None, "security_admin"))
    assert client.get(url, HTTP_HOST="jtj.localhost").status_code == 200
    root = break_glass_user("search_root")
    assert User.objects.get(pk=root.pk).is_superuser
    client.force_login(root)
    assert client.get(url, HTTP_HOST="jtj.localhost").status_code == 200
    response = client.post(url + "new/", {"terms": "公积金，住房公积金", "note": ""}, HTTP_HOST="jtj.localhost")
    assert response.status_code == 302
    from search.models import SynonymGroup

    assert SynonymGroup.objects.get().terms == "公积金 = 住房公积金"


def test_search_box_on_every_page_offers_this_site_or_all_sites_in_both_themes(client, published, cluster):
    """A labelled select (本站 / 全部网站) in the header form of the blue and the red theme."""
    from themes.models import Theme
    from themes.services import assign_theme

    assign_theme(Theme.objects.get(slug="red"), cluster.sites["jyj"], actor=cluster.user(None, "web_office"))
    for host, theme in (("jtj.localhost", "blue"), ("jyj.localhost", "red")):
        html = client.get("/", HTTP_HOST=host).content.decode()
        assert f"theme-{theme}" in html or f"themes/{theme}/" in html, host
        form = html[html.index('<form class="search-form"') :]
        form = form[: form.index("</form>")]
        assert '<label class="visually-hidden" for="site-search-scope">搜索范围</label>' in form
        assert '<select id="site-search-scope" name="scope">' in form
        assert '<option value="site">本站</option>' in form
        assert '<option value="all" selected>全部网站</option>' in form
        assert '<label class="visually-hidden" for="site-search">' in form and 'name="q"' in form
    # The results page honours the choice, and its header box keeps it selected.
    own = client.get("/search/", {"q": "招生", "scope": "site"}, HTTP_HOST="jtj.localhost").content.decode()
    assert "在本站" in own and '<option value="site" selected>本站</option>' in own
    everywhere = client.get("/search/", {"q": "招生", "scope": "all"}, HTTP_HOST="jtj.localhost").content.decode()
    assert DOCS["jyj-gaokao"].title in everywhere.replace("<mark>", "").replace("</mark>", "")


def test_totals_are_exact_up_to_the_cap_then_reported_with_a_plus(client, published, settings):
    """API contract: ``total`` is exact up to CMS_SEARCH_COUNT_CAP (10,000 by default); beyond it
    ``total`` is the cap, ``total_exact`` is false and ``total_display`` reads "10000+"."""
    exact = client.get("/api/search/", {"q": "招生"}, HTTP_HOST="jtj.localhost").json()
    assert (exact["total"], exact["total_exact"], exact["total_display"]) == (2, True, "2")
    settings.CMS_SEARCH_COUNT_CAP = 1
    capped = client.get("/api/search/", {"q": "招生"}, HTTP_HOST="jtj.localhost").json()
    assert (capped["total"], capped["total_exact"], capped["total_display"]) == (1, False, "1+")
    # Beyond the cap the page still comes, from index order: both documents, newest first by date.
    dated = client.get("/api/search/", {"q": "招生", "sort": "date"}, HTTP_HOST="jtj.localhost").json()
    assert [r["title"] for r in dated["results"]] == [DOCS["jyj-gaokao"].title, DOCS["jyj-enrolment-primary"].title]
    ranked = client.get("/api/search/", {"q": "招生"}, HTTP_HOST="jtj.localhost").json()
    assert {r["title"] for r in ranked["results"]} == {DOCS["jyj-gaokao"].title, DOCS["jyj-enrolment-primary"].title}
    html = client.get("/search/", {"q": "招生"}, HTTP_HOST="jtj.localhost").content.decode()
    assert "<strong>1+</strong>" in html


# Hostile parameters (issue 10, item 7): each was a 500 (an HTML page from a JSON API) or could be.
HOSTILE = [
    ({"q": "交通", "to": "9999-12-31"}, "to", "截止日期"),  # the day after overflows datetime
    ({"q": "交通", "from": "0001-01-01"}, "from", "起始日期"),  # before UTC+8 starts: overflows too
    ({"q": "交通", "from": "1000-01-01", "to": "3000-01-01"}, "from", "起始日期"),
    ({"q": "交通", "page": "9" * 5000}, "page", "页码"),  # int() refuses more than 4300 digits
    ({"q": "交通", "page": str(10**30)}, "page", "页码"),
    ({"q": "交通", "page": "-1"}, "page", "页码"),
    ({"q": "交通", "page": "1.5"}, "page", "页码"),
    ({"q": "交通", "page_size": "100000000"}, "page_size", "每页条数"),
    ({"q": "交通", "sort": "date; DROP TABLE"}, "sort", "排序方式"),
    ({"q": "交通", "sort": "排" * 5000}, "sort", "排序方式"),
    ({"q": "交通", "site": "jtj\x00"}, "site", "站点代码"),
    ({"q": "交通", "site": "a" * 5000}, "site", "站点代码"),
    ({"q": "交通", "site": ",".join(f"s{i}" for i in range(500))}, "site", "最多"),
    ({"q": "交\x00通"}, "q", "搜索词"),  # PostgreSQL refuses NUL in text
    ({"q": "交通", "type": "\x00"}, "type", "内容类型"),
    ({"q": "交通", "from": "２０２６-０１-０１"}, "from", "起始日期"),
]


@pytest.mark.parametrize(("params", "field", "label"), HOSTILE, ids=[f"{h[1]}-{i}" for i, h in enumerate(HOSTILE)])
@pytest.mark.parametrize("path", ["/api/search/", "/api/search/suggest/"])
def test_hostile_parameters_get_a_json_400_naming_the_field(client, cluster, path, params, field, label):
    response = client.get(path, params, HTTP_HOST="jtj.localhost")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["field"] == field and label in data["error"]
    assert len(data["error"]) < 300  # a 5,000-character value is not echoed back
    assert any("\u4e00" <= char <= "\u9fff" for char in data["error"])


def test_the_overflowing_date_on_the_results_page_is_a_400_message(client, cluster):
    response = client.get("/search/", {"q": "交通", "to": "9999-12-31"}, HTTP_HOST="jtj.localhost")
    assert response.status_code == 400 and "截止日期" in response.content.decode()


def test_dates_at_the_ends_of_the_allowed_range_still_search(client, published):
    response = client.get(
        "/api/search/", {"q": "招生", "from": "1949-10-01", "to": "2099-12-31"}, HTTP_HOST="jtj.localhost"
    )
    assert response.status_code == 200 and response.json()["total"] == 2


@pytest.mark.parametrize("path", ["/api/search/", "/api/search/suggest/"])
def test_an_unexpected_error_in_the_api_answers_json_not_html(client, cluster, monkeypatch, path):
    from search import views

    class Broken:
        def run(self, params):
            raise RuntimeError("engine exploded")

        suggest = run

    monkeypatch.setattr(views, "get_backend", lambda: Broken())
    response = client.get(path, {"q": "招生"}, HTTP_HOST="jtj.localhost")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert "搜索服务出错" in response.json()["error"] and "engine exploded" not in response.content.decode()


def test_the_api_answers_json_to_other_methods(client, cluster):
    response = client.post("/api/search/", {"q": "招生"}, HTTP_HOST="jtj.localhost")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"
    assert "GET" in response.json()["error"]


def test_no_shared_cache_may_keep_search_answers(client, published):
    """A withdrawn or newly restricted item must not live on in a CDN's copy of a search answer."""
    for path in ("/api/search/", "/api/search/suggest/"):
        response = client.get(path, {"q": "招生"}, HTTP_HOST="jtj.localhost")
        assert response.status_code == 200
        assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
