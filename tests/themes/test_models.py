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
