"""Theme records (design tokens enforced) and assigning themes (web office only, locks respected)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from sites.models import AuditEvent
from themes.models import SiteTheme, Theme, contrast_ratio
from themes.services import ThemeError, assign_theme, assign_theme_to_kind, set_lock, theme_of

pytestmark = pytest.mark.django_db


def make_theme(**fields):
    values = dict(name="测试主题", slug="test", template_set="blue", main_color="#0b4f9c")
    values.update(fields)
    return Theme(**values)


def test_builtin_themes_exist_and_blue_is_the_default():
    assert set(Theme.objects.values_list("slug", flat=True)) >= {"blue", "red"}
    assert Theme.objects.default().slug == "blue"
    for theme in Theme.objects.filter(slug__in=["blue", "red"]):
        theme.full_clean()


def test_contrast_ratio_matches_wcag_reference_values():
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast_ratio("#777777", "#ffffff"), 2) == 4.48


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"main_color": "blue"}, "main_color", "#RRGGBB"),
        ({"main_color": ""}, "main_color", "主色"),
        ({"main_color": "#ffcc00"}, "main_color", "4.5:1"),
        ({"accent_color": "#0B4F9C"}, "accent_color", "不能相同"),
        ({"second_accent_color": "#b45309"}, "second_accent_color", "辅助色一"),
        ({"accent_color": "#ffe600"}, "accent_color", "3:1"),
        ({"template_set": "green"}, "template_set", "不存在"),
    ],
)
def test_design_tokens_are_enforced(fields, field, message):
    with pytest.raises(ValidationError) as excinfo:
        make_theme(**fields).full_clean()
    assert message in " ".join(excinfo.value.message_dict[field])


def test_one_main_colour_and_at_most_two_accents():
    theme = make_theme(accent_color="#1d6fb8", second_accent_color="#b45309")
    theme.full_clean()
    assert theme.colours() == ["#0b4f9c", "#1d6fb8", "#b45309"]
    assert set(theme.css_variables()) == {"--color-main", "--color-accent", "--color-accent-2"}
    colour_fields = [f.name for f in Theme._meta.fields if f.name.endswith("color")]
    assert colour_fields == ["main_color", "accent_color", "second_accent_color"]


def test_version_goes_up_on_every_change():
    theme = make_theme()
    theme.save()
    assert theme.version == 1
    theme.main_color = "#0a4080"
    theme.save()
    theme.save()
    assert Theme.objects.get(pk=theme.pk).version == 3


def test_only_the_web_office_assigns_themes(cluster):
    red = Theme.objects.get(slug="red")
    jtj = cluster.sites["jtj"]
    with pytest.raises(ThemeError, match="网站办"):
        assign_theme(red, jtj, actor=cluster.user("jtj", "site_admin"))
    assert theme_of(jtj).slug == "blue"
    assign_theme(red, jtj, actor=cluster.user(None, "web_office"))
    assert theme_of(jtj).slug == "red"
    event = AuditEvent.objects.filter(action="theme_assigned", tenant_code="jtj").first()
    assert event.detail["new"] == "red" and event.actor_username == "weboffice"


def test_kind_assignment_skips_locked_sites(cluster):
    red, blue = Theme.objects.get(slug="red"), Theme.objects.get(slug="blue")
    web_office = cluster.user(None, "web_office")
    set_lock(cluster.sites["jyj"], True, actor=web_office)
    changed, skipped = assign_theme_to_kind(red, "department", actor=web_office)
    assert {t.code for t in changed} == {"jtj"}
    assert {t.code for t in skipped} == {"jyj"}
    assert theme_of(cluster.sites["jyj"]) == blue
    assert theme_of(cluster.sites["portal"]) == blue  # another kind
    with pytest.raises(ThemeError, match="锁定"):
        assign_theme(red, cluster.sites["jyj"], actor=web_office)
    assign_theme(red, cluster.sites["jyj"], actor=web_office, force=True)
    assert theme_of(cluster.sites["jyj"]) == red


def test_assign_theme_command(cluster):
    call_command("assign_theme", "red", site="jtj", lock=True)
    assignment = SiteTheme.objects.get(tenant=cluster.sites["jtj"])
    assert assignment.theme.slug == "red" and assignment.locked
    with pytest.raises(CommandError, match="锁定"):
        call_command("assign_theme", "blue", site="jtj")
    call_command("assign_theme", "blue", site="jtj", unlock=True)
    assert theme_of(cluster.sites["jtj"]).slug == "blue"
    with pytest.raises(CommandError, match="不存在"):
        call_command("assign_theme", "purple", kind="department")


# --- Design tokens as a stylesheet (no inline style: the public Content-Security-Policy) -------------


def test_design_tokens_are_a_stylesheet_named_after_its_content(settings):
    from pathlib import Path

    theme = Theme.objects.get(slug="blue")
    url = theme.tokens_stylesheet_url()
    assert url.startswith(settings.MEDIA_URL) and url.endswith(".css")
    written = (Path(settings.MEDIA_ROOT) / url[len(settings.MEDIA_URL) :]).read_text()
    for name, value in theme.css_variables().items():
        assert f"{name}: {value};" in written
    theme.main_color = "#0a4080"
    assert theme.tokens_stylesheet_url() != url  # a new colour is a new file: no stale cache
    # Only #RRGGBB values reach the file, whatever was stored around clean().
    theme.accent_color = "red;} body{display:none"
    assert (
        "display"
        not in (Path(settings.MEDIA_ROOT) / theme.tokens_stylesheet_url()[len(settings.MEDIA_URL) :]).read_text()
    )


def test_pages_link_the_tokens_stylesheet_instead_of_an_inline_style(client, cluster):
    from django_tenants.utils import schema_context

    html = client.get("/", HTTP_HOST="jtj.localhost").content.decode()
    with schema_context("jtj"):
        url = Theme.objects.get(slug="blue").tokens_stylesheet_url()
    assert url.startswith("/media/jtj/")  # in the site's own media, like everything its pages link
    assert f'<link rel="stylesheet" href="{url}">' in html
    assert "<style" not in html and "--color-main" not in html


# --- SVG logos: nothing that could run on every host -----------------------------------------------

SVG_HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 48 48">'
CLEAN_SVG = (
    SVG_HEAD + '<defs><linearGradient id="g"><stop offset="0" stop-color="#0b4f9c"/></linearGradient></defs>'
    '<circle cx="24" cy="24" r="22" fill="url(#g)"/><use xlink:href="#g"/><title>交通运输局</title></svg>'
)
HOSTILE_SVGS = {
    "script": SVG_HEAD + "<script>alert(document.cookie)</script></svg>",
    "onload": '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="4" height="4"/></svg>',
    "foreignObject": SVG_HEAD
    + '<foreignObject><body xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></body></foreignObject></svg>',
    "xlink-javascript": SVG_HEAD + '<a xlink:href="javascript:alert(1)"><text y="20">点</text></a></svg>',
    "use-javascript": SVG_HEAD + '<use xlink:href="javascript:alert(1)"/></svg>',
    "external-image": SVG_HEAD + '<image href="http://evil.example/track.png" width="4" height="4"/></svg>',
    "external-style": SVG_HEAD + "<style>@import url(http://evil.example/a.css);</style></svg>",
    "xhtml-script": SVG_HEAD + '<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script></svg>',
    "animation": SVG_HEAD + '<a><set attributeName="href" to="javascript:alert(1)"/></a></svg>',
    "entities": '<!DOCTYPE svg [<!ENTITY a "aaaaaaaa">]><svg xmlns="http://www.w3.org/2000/svg"><text>&a;</text></svg>',
}


def svg_upload(text, name="logo.svg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(), content_type="image/svg+xml")


@pytest.mark.parametrize("kind", sorted(HOSTILE_SVGS))
def test_an_svg_logo_that_could_run_code_is_refused(kind):
    theme = make_theme(default_logo=svg_upload(HOSTILE_SVGS[kind]))
    with pytest.raises(ValidationError) as excinfo:
        theme.full_clean()
    assert "SVG" in " ".join(excinfo.value.message_dict["default_logo"])


def test_a_plain_svg_logo_is_accepted_and_the_shipped_logos_pass():
    from pathlib import Path

    from themes.svg import svg_problem

    make_theme(default_logo=svg_upload(CLEAN_SVG)).full_clean()  # positive control
    shipped = list((Path(__file__).resolve().parents[2] / "themes" / "static").rglob("*.svg"))
    assert shipped and [path.name for path in shipped if svg_problem(path.read_bytes())] == []


def test_the_web_office_form_shows_the_refusal_and_stores_nothing(client, cluster):
    from django.urls import reverse

    client.force_login(cluster.user(None, "web_office"))
    url = reverse("themes:add")
    fields = {"name": "带脚本的主题", "slug": "script", "template_set": "blue", "main_color": "#0b4f9c"}
    refused = client.post(
        url, {**fields, "default_logo": svg_upload(HOSTILE_SVGS["script"])}, HTTP_HOST="jtj.localhost"
    )
    assert refused.status_code == 200 and "不允许的元素 &lt;script&gt;" in refused.content.decode()
    assert not Theme.objects.filter(slug="script").exists()
    saved = client.post(url, {**fields, "default_logo": svg_upload(CLEAN_SVG)}, HTTP_HOST="jtj.localhost")
    assert saved.status_code == 302
    theme = Theme.objects.get(slug="script")
    assert theme.default_logo.name.endswith(".svg")
    theme.default_logo.delete(save=False)


def test_a_stored_svg_from_before_the_check_must_be_replaced_on_the_next_edit(cluster):
    from django.core.files.base import ContentFile

    theme = make_theme(slug="old-logo", name="旧标志主题")
    theme.default_logo.save("old.svg", ContentFile(HOSTILE_SVGS["onload"].encode()), save=False)
    theme.save()
    try:
        stored = Theme.objects.get(pk=theme.pk)
        with pytest.raises(ValidationError) as excinfo:
            stored.full_clean()
        assert "事件处理属性 onload" in " ".join(excinfo.value.message_dict["default_logo"])
    finally:
        theme.default_logo.delete(save=False)
