"""Theme versions: made, previewed, applied to a site, a kind or the cluster, rolled back; the
colour rule; the home page's regions and what a site admin may vary."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django_tenants.utils import schema_context

from serving import pagecache
from sites.models import AuditEvent, Role
from themes.forms import VersionForm
from themes.layouts import HOME_BLOCK_TYPES, LIST_LAYOUTS
from themes.models import SiteHomeLayout, SiteTheme, Theme, ThemeVersion
from themes.services import ThemeError, assign_theme, latest_version, set_lock
from themes.signals import site_look_changed
from themes.versions import apply_version, check_snapshot, create_version, rollback, set_home_layout, targets

from ..cms import content

pytestmark = pytest.mark.django_db

NEWS = "/zwdt/gzdt/"


def lists(**layouts):
    """``layouts`` with the news class's layout (and options) changed."""
    return {"lists": {"news": layouts}}


@pytest.fixture
def web_office(cluster):
    return cluster.user(None, Role.WEB_OFFICE)


@pytest.fixture
def news_items(in_site):
    in_site("jtj")
    cover = content.image("公交线网优化推进会", size=(320, 180))
    items = [
        content.article(title=f"第{n}条工作动态", summary=f"第{n}条动态的摘要。", cover_image=cover if n == 1 else None)
        for n in range(1, 4)
    ]
    connection.set_schema_to_public()
    return items


def get(client, path, host="jtj.localhost", **extra):
    response = client.get(path, HTTP_HOST=host, **extra)
    assert response.status_code == 200, (path, host, response.status_code)
    return response


def test_a_new_version_shows_only_once_applied_and_a_rollback_restores_the_exact_pages(
    client, cluster, news_items, web_office, settings
):
    settings.CMS_PAGE_CACHE_SECONDS = 0
    blue = Theme.objects.get(slug="blue")
    assign_theme(blue, cluster.sites["jtj"])
    first = latest_version(blue)
    before = {path: get(client, path).content.decode() for path in ("/", NEWS)}
    assert 'data-layout="rich"' in before[NEWS]

    version = create_version(
        blue, {"layouts": lists(layout="cards", per_page=5)}, actor=web_office, comment="动态类栏目改为卡片"
    )
    assert version.number > first.number and version.author == web_office
    assert get(client, NEWS).content.decode() == before[NEWS]  # made, not applied: nobody sees it

    apply_version(version, [cluster.sites["jtj"]], actor=web_office)
    changed = get(client, NEWS).content.decode()
    assert 'data-layout="cards"' in changed and 'class="card' in changed and changed != before[NEWS]

    new, done, _skipped = rollback(first, actor=web_office)
    assert new.number > version.number and new.restored_from == first
    assert new.snapshot == check_snapshot(first.snapshot)  # the old values, in full
    assert "jtj" in {t.code for t in done}
    assert {path: get(client, path).content.decode() for path in ("/", NEWS)} == before
    # History stays one line: every version is kept, none edited.
    numbers = list(blue.versions.order_by("number").values_list("number", flat=True))
    assert numbers[-3:] == [first.number, version.number, new.number]
    with pytest.raises(ValueError):
        version.comment = "改一改"
        version.save()
    actions = set(AuditEvent.objects.filter(actor=web_office).values_list("action", flat=True))
    assert {"theme_version_created", "theme_version_applied", "theme_rolled_back"} <= actions


def test_preview_never_changes_what_the_public_sees_or_what_the_cache_stores(
    client, cluster, news_items, web_office, settings
):
    settings.CMS_PAGE_CACHE_SECONDS = 300
    blue = Theme.objects.get(slug="blue")
    assign_theme(blue, cluster.sites["jtj"])
    version = create_version(blue, {"layouts": lists(layout="table")}, actor=web_office, comment="表格")
    assert get(client, NEWS)["X-Cache"] == "MISS"
    public = get(client, NEWS)
    assert public["X-Cache"] == "HIT" and 'data-layout="rich"' in public.content.decode()

    preview_query = {"theme": "blue", "theme_version": str(version.number)}
    reader = client.get(NEWS, preview_query, HTTP_HOST="jtj.localhost")  # a reader who guessed the link
    assert 'data-layout="table"' not in reader.content.decode()

    office = type(client)()
    office.force_login(web_office)
    preview = office.get(NEWS, preview_query, HTTP_HOST="jtj.localhost")
    assert preview.status_code == 200 and 'data-layout="table"' in preview.content.decode()
    assert "no-store" in preview["Cache-Control"] and "X-Cache" not in preview

    after = get(client, NEWS)
    assert after["X-Cache"] == "HIT" and after.content == public.content
    with schema_context("jtj"):
        generation = pagecache._generation()
    # Nothing was stored under the preview's key either: an anonymous request for it is not a hit
    # of the preview (a reader never gets the preview from the cache).
    reader_again = client.get(NEWS, preview_query, HTTP_HOST="jtj.localhost")
    assert 'data-layout="table"' not in reader_again.content.decode()
    with schema_context("jtj"):
        assert pagecache._generation() == generation
    assert SiteTheme.objects.get(tenant=cluster.sites["jtj"]).version != version


def test_applying_to_a_kind_reaches_each_of_its_sites_and_nobody_elses(
    cluster, web_office, django_capture_on_commit_callbacks
):
    blue = Theme.objects.get(slug="blue")
    for code in ("portal", "jtj", "jyj"):
        assign_theme(blue, cluster.sites[code])
    portal_before = SiteTheme.objects.get(tenant=cluster.sites["portal"]).version
    version = create_version(blue, {"layouts": lists(layout="list")}, actor=web_office, comment="列表")
    generations = {}
    for code in ("portal", "jtj", "jyj"):
        with schema_context(code):
            generations[code] = pagecache._generation()
    told = []

    def listen(sender, tenant, **kwargs):
        told.append(tenant.code)

    site_look_changed.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            tenants = targets("kind", kind="department")
            changed, skipped = apply_version(version, tenants, actor=web_office, scope="kind")
    finally:
        site_look_changed.disconnect(listen)
    departments = {t.code for t in tenants}
    assert {"jtj", "jyj"} <= departments and "portal" not in departments
    assert {t.code for t in changed} == departments and skipped == []
    for code in departments:
        assert SiteTheme.objects.get(tenant__code=code).version == version
    assert SiteTheme.objects.get(tenant=cluster.sites["portal"]).version == portal_before
    assert sorted(told) == sorted(departments)
    with schema_context("portal"):
        assert pagecache._generation() == generations["portal"]  # the portal's pages are not purged
    for code in ("jtj", "jyj"):
        with schema_context(code):
            assert pagecache._generation() != generations[code]


def test_a_locked_site_keeps_its_version_unless_it_alone_is_forced(cluster, web_office):
    blue = Theme.objects.get(slug="blue")
    for code in ("jtj", "jyj"):
        assign_theme(blue, cluster.sites[code])
    set_lock(cluster.sites["jyj"], True, actor=web_office)
    kept = SiteTheme.objects.get(tenant=cluster.sites["jyj"]).version
    version = create_version(blue, {"layouts": lists(layout="cards")}, actor=web_office, comment="卡片")
    changed, skipped = apply_version(version, targets("cluster"), actor=web_office, scope="cluster")
    assert "jyj" in {t.code for t in skipped} and "jtj" in {t.code for t in changed}
    assert SiteTheme.objects.get(tenant=cluster.sites["jyj"]).version == kept
    apply_version(version, [cluster.sites["jyj"]], actor=web_office, force=True)
    assert SiteTheme.objects.get(tenant=cluster.sites["jyj"]).version == version


def test_the_colour_rule_refuses_a_fourth_colour(client, web_office):
    blue = Theme.objects.get(slug="blue")
    with pytest.raises(ValidationError) as refused:
        create_version(blue, {"extra_colours": ["#0f5132"]}, actor=web_office, comment="多一种颜色")
    assert "至多三种" in " ".join(refused.value.messages)
    base = latest_version(blue)
    form = VersionForm(
        {**_form_data(base), "palette": "#0b4f9c, #1d6fb8, #b45309, #0f5132"},
        version=base,
    )
    assert not form.is_valid() and "至多三种" in " ".join(form.errors["palette"])
    assert VersionForm({**_form_data(base), "palette": "#0b4f9c, #1d6fb8"}, version=base).is_valid()
    # Contrast too: a pale main colour under white text is refused.
    with pytest.raises(ValidationError) as pale:
        create_version(blue, {"main_color": "#9ec5fe"}, actor=web_office, comment="浅色")
    assert "4.5:1" in " ".join(pale.value.messages)

    client.force_login(web_office)
    count = blue.versions.count()
    response = client.post(
        reverse("themes_admin:new_version", args=[blue.pk]),
        {**_form_data(base), "palette": "#0b4f9c #1d6fb8 #b45309 #0f5132"},
        HTTP_HOST="jtj.localhost",
    )
    assert response.status_code == 200 and "至多三种" in response.content.decode()
    assert blue.versions.count() == count


def _form_data(version, **changes):
    snapshot = version.snapshot
    data = {
        "comment": "测试",
        "name": snapshot["name"],
        "template_set": snapshot["template_set"],
        "palette": ", ".join(c for c in (snapshot["main_color"], snapshot["accent_color"]) if c),
        "description": snapshot.get("description", ""),
        "home_regions": "",
    }
    for cls in ("news", "notice", "policy", "disclosure"):
        data.update({f"{cls}_layout": "list", f"{cls}_per_page": 20, f"{cls}_summary": "", f"{cls}_date": "on"})
    data.update(changes)
    return data


def test_layouts_are_data_from_the_library_never_template_source(web_office):
    blue = Theme.objects.get(slug="blue")
    for bad in (
        lists(layout="{% include 'x' %}"),
        lists(layout="cards", per_page=5000),
        {"lists": {"news": {"layout": "cards", "template": "<script>"}}},
        {"home": {"regions": [{"key": "main", "label": "{{ secret }}", "blocks": ["banner"]}]}},
        {"home": {"regions": [{"key": "main", "label": "主栏", "blocks": ["raw_html"]}]}},
        {"template": "{% load x %}"},
    ):
        with pytest.raises(ValidationError):
            create_version(blue, {"layouts": bad}, actor=web_office, comment="试探")
    assert set(LIST_LAYOUTS.values()) == {"列表", "图文", "表格", "卡片"}


def test_the_block_names_match_the_home_page_blocks():
    from cms.blocks import HOME_BLOCKS

    assert set(HOME_BLOCK_TYPES) == {name for name, _block in HOME_BLOCKS}


REGIONS = {
    "home": {
        "regions": [
            {"key": "top", "label": "顶部", "blocks": ["quick_links"], "max_blocks": 1, "unlocked": False},
            {
                "key": "main",
                "label": "主栏",
                "blocks": ["column_latest", "notices"],
                "max_blocks": 2,
                "count": 2,
                "unlocked": True,
            },
        ]
    }
}


@pytest.fixture
def home_with_blocks(in_site, news_items):
    in_site("jtj")
    home = content.home()
    news = content.column("gzdt")
    home.body = [
        ("column_latest", {"title": "工作动态", "column": news, "count": 6}),
        ("notices", {"title": "通知公告", "column": content.column("tzgg"), "count": 6}),
        ("quick_links", {"title": "快速链接", "links": [{"title": "中国政府网", "url": "https://www.gov.cn/"}]}),
    ]
    home.save_revision().publish()
    connection.set_schema_to_public()
    return home


def test_the_home_page_follows_the_regions_and_a_site_admin_varies_only_unlocked_ones(
    client, cluster, home_with_blocks, web_office, settings
):
    settings.CMS_PAGE_CACHE_SECONDS = 0
    blue = Theme.objects.get(slug="blue")
    version = create_version(blue, {"layouts": REGIONS}, actor=web_office, comment="首页两个区域")
    apply_version(version, [cluster.sites["jtj"]], actor=web_office)
    html = get(client, "/").content.decode()
    assert 'data-region="top"' in html and 'data-region="main"' in html
    main = html.split('data-region="main"', 1)[1]
    assert "home-block--column_latest" in main and "home-block--notices" in main
    assert main.count("条工作动态") == 2  # the region's count (2), not the block's own (6)

    admin = cluster.user("jtj", Role.SITE_ADMIN)
    client.force_login(admin)
    url = reverse("themes_admin:home_layout")
    screen = client.get(url, HTTP_HOST="jtj.localhost").content.decode()
    assert 'name="region-main-blocks"' in screen and 'name="region-top-blocks"' not in screen
    # A forged form for the locked region is refused on the server.
    client.post(
        url,
        {"region-top-present": "1", "region-top-blocks": [], "region-main-present": "1"},
        HTTP_HOST="jtj.localhost",
    )
    assert not SiteHomeLayout.objects.filter(tenant=cluster.sites["jtj"]).exists()
    with pytest.raises(ValidationError) as refused:
        set_home_layout(cluster.sites["jtj"], {"top": {"blocks": []}}, actor=admin)
    assert "锁定" in " ".join(refused.value.messages)
    with pytest.raises(ValidationError):  # a block the web office did not put in the region
        set_home_layout(cluster.sites["jtj"], {"main": {"blocks": ["banner"]}}, actor=admin)

    client.post(
        url,
        {"region-main-present": "1", "region-main-blocks": ["notices"], "region-main-count": "3"},
        HTTP_HOST="jtj.localhost",
    )
    assert SiteHomeLayout.objects.get(tenant=cluster.sites["jtj"]).regions == {
        "main": {"blocks": ["notices"], "count": 3}
    }
    client.logout()
    varied = get(client, "/").content.decode().split('data-region="main"', 1)[1]
    assert "home-block--notices" in varied and "home-block--column_latest" not in varied
    assert AuditEvent.objects.filter(action="theme_home_layout_changed", tenant_code="jtj").exists()

    # Another site's admin cannot change this site's regions, nor an editor of this one.
    for user in (cluster.user("jyj", Role.SITE_ADMIN), cluster.user("jtj", Role.EDITOR)):
        with pytest.raises(ThemeError):
            set_home_layout(cluster.sites["jtj"], {"main": {"blocks": ["notices"]}}, actor=user)
        client.force_login(user)
        assert client.get(url, HTTP_HOST="jtj.localhost").status_code in (302, 403)


def test_the_web_office_screens(client, cluster, news_items, web_office, settings):
    settings.CMS_PAGE_CACHE_SECONDS = 0
    blue = Theme.objects.get(slug="blue")
    assign_theme(blue, cluster.sites["jtj"])
    client.force_login(web_office)
    host = {"HTTP_HOST": "jtj.localhost"}
    base = latest_version(blue)
    screen = client.get(reverse("themes_admin:new_version", args=[blue.pk]), **host).content.decode()
    assert 'name="news_layout"' in screen and "卡片" in screen and "保存为新版本" in screen
    index = client.get(reverse("themes_admin:index"), **host).content.decode()
    assert reverse("themes_admin:versions", args=[blue.pk]) in index
    response = client.post(
        reverse("themes_admin:new_version", args=[blue.pk]),
        _form_data(base, comment="动态类栏目改为图文", news_layout="rich", news_summary="on"),
        **host,
    )
    version = blue.versions.order_by("-number").first()
    assert response.status_code == 302 and version.comment == "动态类栏目改为图文"
    preview = client.get(reverse("themes_admin:preview", args=[version.pk]), {"site": "jtj"}, **host)
    text = preview.content.decode()
    assert 'id="preview-phone"' in text and 'width="390"' in text
    assert f"theme=blue&amp;theme_version={version.number}" in text
    elsewhere = client.get(reverse("themes_admin:preview", args=[version.pk]), {"site": "jyj"}, **host)
    assert "jyj.localhost" in elsewhere.content.decode() and 'id="preview-phone"' not in elsewhere.content.decode()
    applied = client.post(
        reverse("themes_admin:apply", args=[version.pk]),
        {"scope": "kind", "kind": "department", "confirm": "on"},
        follow=True,
        **host,
    )
    departments = len(targets("kind", kind="department"))
    assert f"应用到 {departments}/{departments} 个站点" in applied.content.decode()
    history = client.get(reverse("themes_admin:versions", args=[blue.pk]), **host).content.decode()
    assert "回滚到此版本" in history and "动态类栏目改为图文" in history
    client.post(reverse("themes_admin:rollback", args=[base.pk]), {"comment": "回滚"}, **host)
    assert SiteTheme.objects.get(tenant=cluster.sites["jtj"]).version.restored_from == base

    editor = cluster.user("jtj", Role.SITE_ADMIN)
    client.force_login(editor)
    for name, args in (("versions", [blue.pk]), ("new_version", [blue.pk]), ("preview", [version.pk])):
        assert client.get(reverse(f"themes_admin:{name}", args=args), **host).status_code in (302, 403)
    count = ThemeVersion.objects.count()
    client.post(reverse("themes_admin:rollback", args=[version.pk]), **host)
    assert ThemeVersion.objects.count() == count


def test_the_command_applies_with_a_progress_bar(cluster, capsys):
    blue = Theme.objects.get(slug="blue")
    version = create_version(blue, {"layouts": lists(layout="table")}, comment="命令行")
    call_command("theme_version", "apply", "blue", str(version.number), "--kind", "department")
    out = capsys.readouterr()
    assert "应用主题版本" in out.err and "已应用到" in out.out
    assert SiteTheme.objects.get(tenant=cluster.sites["jtj"]).version == version
    call_command("theme_version", "list", "blue")
    assert f"第 {version.number} 版" in capsys.readouterr().out


def test_a_changed_look_asks_the_static_output_to_write_the_site_again(
    cluster, settings, django_capture_on_commit_callbacks
):
    from publishing.catalogue.models import OutboxEvent

    settings.CMS_OUTBOX_ENGINES = {"static": "publishing.catalogue.static_output.StaticOutputEngine"}
    blue = Theme.objects.get(slug="blue")
    version = create_version(blue, {"layouts": lists(layout="cards")}, comment="静态化")
    with django_capture_on_commit_callbacks(execute=True):
        apply_version(version, [cluster.sites["jtj"]])
    events = OutboxEvent.objects.filter(engine="static", action="restyle")
    assert list(events.values_list("tenant_code", flat=True)) == ["jtj"]


def test_an_edit_in_the_theme_library_is_a_new_version_not_shown_until_applied(client, cluster, web_office):
    blue = Theme.objects.get(slug="blue")
    assign_theme(blue, cluster.sites["jtj"])
    shown = SiteTheme.objects.get(tenant=cluster.sites["jtj"]).version
    client.force_login(web_office)
    count = blue.versions.count()
    data = {
        "name": blue.name,
        "slug": blue.slug,
        "template_set": blue.template_set,
        "main_color": "#0a4a8f",
        "accent_color": blue.accent_color,
        "second_accent_color": blue.second_accent_color,
        "description": blue.description,
        "is_default": "on" if blue.is_default else "",
    }
    response = client.post(reverse("themes:edit", args=[blue.pk]), data, HTTP_HOST="jtj.localhost")
    assert response.status_code == 302
    newest = blue.versions.order_by("-number").first()
    assert blue.versions.count() == count + 1 and newest.snapshot["main_color"] == "#0a4a8f"
    assert newest.author == web_office and newest.comment == "在主题库中修改"
    assert SiteTheme.objects.get(tenant=cluster.sites["jtj"]).version == shown
