"""The project's own zh_Hans catalogue (cms/locale): complete for the apps we run, compiled without msgfmt."""

import gettext
import re
from pathlib import Path

import polib
import pytest
import wagtail
from django.conf import settings
from django.utils import translation

from cms.translations import catalogues, compile_all, compile_catalogue, is_stale

# The Wagtail apps in INSTALLED_APPS whose English catalogue lists every msgid they use.
WAGTAIL_APPS = [
    "admin", "", "users", "images", "documents", "snippets", "embeds", "search",
    "contrib/forms", "contrib/redirects", "contrib/settings",
]  # fmt: skip
# Read the same in Chinese.
SAME_IN_CHINESE = {"URL", "ID", "%(range_start)s - %(range_end)s"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sd]|\{\w+\}")


@pytest.fixture(scope="module", autouse=True)
def compiled():
    compile_all()


def _english_entries(domain):
    root = Path(wagtail.__file__).parent
    for app in WAGTAIL_APPS:
        path = root / app / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po"
        if path.exists():
            yield from (entry for entry in polib.pofile(str(path)) if entry.msgid)


def _translated(entry):
    if entry.msgid_plural:
        if entry.msgctxt:
            return translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 2)
        return translation.ngettext(entry.msgid, entry.msgid_plural, 2)
    if entry.msgctxt:
        return translation.pgettext(entry.msgctxt, entry.msgid)
    return translation.gettext(entry.msgid)


def test_every_wagtail_string_of_the_apps_we_run_has_a_chinese_translation():
    """Wagtail's zh_Hans plus ours: an upgrade that brings new strings fails here until they are translated."""
    with translation.override("zh-hans"):
        missing = [
            entry.msgid
            for entry in _english_entries("django")
            if entry.msgid not in SAME_IN_CHINESE and _translated(entry) in (entry.msgid, "")
        ]
    assert missing == []


def test_the_issues_strings_read_in_chinese_with_their_numbers():
    with translation.override("zh-hans"):
        assert translation.gettext("Search all pages…") == "搜索全部页面…"
        referenced = translation.ngettext("Referenced %(count)s time", "Referenced %(count)s times", 3)
        assert referenced % {"count": 3} == "被引用 3 次"
        assert (
            translation.ngettext("Referenced %(count)s time", "Referenced %(count)s times", 1) == "被引用 %(count)s 次"
        )
        listing = translation.gettext("%(start_index)s-%(end_index)s of %(items_count)s %(model_name)s")
        assert (
            listing % {"start_index": 1, "end_index": 10, "items_count": 10, "model_name": "页面"}
            == "第 1-10 条，共 10 条"
        )
        assert "Why not" not in translation.gettext(
            'There are no %(model_name)s to display. Why not <a href="%(add_url)s">add one</a>?'
        )


def test_our_translations_keep_the_placeholders_and_the_plural_form():
    for po_path, _mo_path in catalogues():
        catalogue = polib.pofile(str(po_path))
        assert catalogue.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
        for entry in catalogue:
            source = set(PLACEHOLDER.findall(entry.msgid + (entry.msgid_plural or "")))
            for text in [entry.msgstr, *entry.msgstr_plural.values()]:
                assert set(PLACEHOLDER.findall(text)) <= source, (entry.msgid, text)
            assert entry.translated() and "fuzzy" not in entry.flags, entry.msgid


def test_compiling_needs_no_msgfmt_and_writes_a_catalogue_gettext_reads(tmp_path):
    po_path = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.po"
    mo_path = tmp_path / "django.mo"
    assert is_stale(po_path, mo_path)
    entries = compile_catalogue(po_path, mo_path)
    assert entries > 300 and not is_stale(po_path, mo_path)
    with mo_path.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    assert catalogue.gettext("Page types usage") == "页面类型使用情况"
    assert catalogue.ngettext("Referenced %(count)s time", "Referenced %(count)s times", 5) == "被引用 %(count)s 次"


def test_the_admins_relative_times_read_in_chinese():
    """Wagtail writes "42 seconds ago" with django.contrib.humanize, whose catalogue comes with the app."""
    from datetime import timedelta

    from django.contrib.humanize.templatetags.humanize import naturaltime
    from django.utils import timezone

    with translation.override("zh-hans"):
        assert naturaltime(timezone.now() - timedelta(seconds=42)) == "42秒之前"
        assert "ago" not in naturaltime(timezone.now() - timedelta(minutes=3))
