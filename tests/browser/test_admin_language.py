"""Every role's admin screens speak Chinese: a real headless Chromium walks them and fails on English.

For each role (网站办, 安全管理员, 审计管理员, 站点管理员, 编辑, 审核员, 保密审查员, 互动办理员) the test signs in, opens the
dashboard, every screen of that role's sidebar menu (so new screens are walked as soon as they are
in the menu), the first item screen each listing links to (edit, inspect, detail), and a few
screens every role reaches without a menu entry (page explorer, page editor, search, reports,
account, 使用指南). On each it reads what a person reads: the text of the page (hidden parts too:
dropdowns, dialogs and screen-reader text are read when opened), the window title, and the
attributes placeholder, title, aria-label, alt, input button values and the "in progress" labels.

From that it removes what may be Latin (the allowlist below): URLs, e-mail addresses, file names,
code-like tokens (user names such as ``jtj_editor``, host names, dotted or underscored identifiers),
numbers, and a short list of names and abbreviations people read as they are. Any Latin word left
fails the test, with the screen and the text it was found in. Translations fix a failure; the
allowlist is for names, not for UI strings.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django_tenants.utils import schema_context
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from cms.models import ArticlePage, ColumnPage
from cms.translations import compile_all
from publishing.review.models import ConfidentialityRecord
from sites.models import Role, Tenant, User
from themes.models import Theme

from ..cms.content import column
from .conftest import screenshot
from .helpers import LOGOUT_SCRIPT, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# Names and abbreviations read as they are in Chinese government IT; each entry is a name, never a
# sentence of the interface. Compared case-sensitively.
ALLOWED_WORDS = {
    # file formats and standards named on upload and export screens
    "PDF", "OFD", "WPS", "CSV", "XLSX", "XLS", "DOC", "DOCX", "ZIP", "TXT", "JPEG", "JPG", "PNG",
    "GIF", "WebP", "SVG", "HTML", "RSS", "URL", "API", "ID", "IP", "IPv6", "ICP", "WCAG", "AA",
    "JavaScript", "Excel", "Word", "Elasticsearch", "PostgreSQL", "CAPTCHA", "GMT", "UTC",
    # the language menu of the account screen names each language in itself
    "English",
    # units and keys (keyboard shortcuts dialog)
    "KB", "MB", "GB", "px", "Ctrl", "Cmd", "Shift", "Alt", "Option", "Enter", "Esc", "Tab",
}  # fmt: skip

# What is not interface text: removed before looking for Latin words.
NOT_UI_TEXT = [
    # a browser's User-Agent as the audit log records it (the audit administrator reads it as data;
    # first, before its parts are taken for identifiers)
    re.compile(r"\b(?:Mozilla|Opera)/\d[^\n]*"),
    re.compile(r"manage\.py\s+[a-z_]+"),  # a command the web office is told to run
    re.compile(r"https?://\S*|//\S+"),  # URLs, and a scheme named on its own ("以 https:// 开头")
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # e-mail addresses
    re.compile(r"\S+\.(?:pdf|ofd|wps|docx?|xlsx?|csv|zip|txt|jpe?g|png|gif|webp|svg|md|html?)\b", re.I),
    # code-like tokens: user names, host names, identifiers (an underscore, a dot, a slash or a digit inside)
    re.compile(r"[A-Za-z0-9-]*[A-Za-z][A-Za-z0-9-]*(?:[_./:][A-Za-z0-9-]+)+"),
    re.compile(r"\b[A-Za-z]+\d[\w-]*|\b\d+[A-Za-z]+\b"),
    re.compile(r"#[0-9A-Fa-f]{3,8}\b"),  # colours of a theme
]
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")

# What a person reads on the screen. Text inside <code>/<pre>/<kbd> is data (the 索引号 pattern, a
# host name, a shortcut key); the user guides are bilingual by the project's docs rule (Chinese
# first, then an English summary) and are checked as documents, not here; what people typed into
# forms (input values, rich text being edited) is their data.
COLLECT_SCRIPT = r"""
const SKIP = 'script, style, noscript, template, iframe, code, pre, kbd, samp, textarea, [contenteditable="true"], [data-bilingual-docs]';
const found = [];
const describe = (el) => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).slice(0, 2).join('.') : '');
// jQuery datetimepicker's range "apply" button: Wagtail never turns it on (showApplyButton), so it is never shown.
const NEVER_SHOWN = '.xdsoft_save_selected';
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const text = node.nodeValue.trim();
  if (!text || !node.parentElement || node.parentElement.closest(SKIP) || node.parentElement.closest(NEVER_SHOWN)) continue;
  found.push(['text', text, describe(node.parentElement)]);
}
const ATTRS = ['placeholder', 'title', 'aria-label', 'aria-description', 'alt', 'data-w-progress-active-value'];
for (const el of document.querySelectorAll('*')) {
  if (el.closest('script, style, template, [data-bilingual-docs]')) continue;
  for (const name of ATTRS) {
    const value = el.getAttribute(name);
    if (value && value.trim()) found.push([name, value.trim(), describe(el)]);
  }
  if (el.matches('input[type=submit], input[type=button], input[type=reset]') && el.value) {
    found.push(['value', el.value, describe(el)]);
  }
}
found.push(['title', document.title, 'title']);
return found;
"""

# Links in the sidebar's data and on the page that lead to further screens of the same admin.
LINKS_SCRIPT = r"""
const urls = new Set();
for (const script of document.querySelectorAll('script[type="application/json"]')) {
  for (const match of script.textContent.matchAll(/"(\/admin\/[^"?#]*)"/g)) urls.add(match[1]);
}
for (const a of document.querySelectorAll('main a[href^="/admin/"], #main a[href^="/admin/"]')) {
  urls.add(a.getAttribute('href'));
}
return [...urls];
"""

# Never followed: leaving, exporting or downloading (a download is no screen), and choosers
# (modal fragments answered as JSON).
NOT_SCREENS = re.compile(
    r"/logout/|export|download|\.csv|\.xlsx|/chooser/|/choose-|/jsi18n|/preview/|/delete/|/unpublish/"
    r"|/revisions/\d+/revert|/lock/|/unlock/|/copy/|/move/|/convert_alias/|/workflow/action/|/approve|/reject"
)
# The first item screen of each listing: edit, inspect, detail.
ITEM_SCREEN = re.compile(r"/(?:edit|inspect|history|usage)/$|/\d+/$")


def english_in(text, data_words=frozenset()):
    """The Latin words of ``text`` that are not names, identifiers, URLs, numbers or the cluster's data."""
    for pattern in NOT_UI_TEXT:
        text = pattern.sub(" ", text)
    return [word for word in LATIN_WORD.findall(text) if word not in ALLOWED_WORDS and word not in data_words]


def cluster_data_words():
    """What people named in the cluster (site codes, user names, theme codes, group names): data, not UI.

    Group names include Wagtail's own global groups "Editors" and "Moderators", which Wagtail's
    migrations create in English; the web office can rename them like any group.
    """
    names = [*Tenant.objects.values_list("code", flat=True), *User.objects.values_list("username", flat=True)]
    names += [*Theme.objects.values_list("slug", flat=True), *Group.objects.values_list("name", flat=True)]
    return frozenset(word for name in names for word in LATIN_WORD.findall(name))


def test_english_in_finds_interface_words_and_spares_data():
    """The filter itself: the strings the issue quoted fail; names, hosts and files pass."""
    for quoted in (
        "登录Wagtail",
        "Password",
        "38 Pages",
        "Search all pages…",
        "1-10 of 10 页面",
        "Referenced 0 times",
        "There are no 检查词库 to display. Why not add one?",
        "Page types usage",
    ):
        assert english_in(quoted), quoted
    for data in (
        "jtj_editor",
        "jtj.localhost:8000",
        "附件：年报.pdf",
        "https://www.gov.cn/",
        "索引号 014207264/2026-00001",
        "上传 PDF、OFD 文件，最大 50 MB",
        "t20261202_1",
        "按 Ctrl + S 保存",
        "以 https:// 开头。",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36",
    ):
        assert english_in(data) == [], data


def _screen_key(path):
    """One screen per shape: /admin/pages/12/edit/ and /admin/pages/40/edit/ are the same screen."""
    return re.sub(r"/\d+(?=/)", "/N", path)


class Walk:
    """Visits screens and records every English run with where it was read."""

    def __init__(self, browser, base, who, data_words):
        self.data_words = data_words
        self.browser = browser
        self.base = base
        self.who = who
        self.seen = set()
        self.findings = {}

    def visit(self, path):
        key = _screen_key(path)
        if key in self.seen or NOT_SCREENS.search(path):
            return []
        self.seen.add(key)
        self.browser.get(self.base + path)
        WebDriverWait(self.browser, 30).until(lambda b: b.execute_script("return document.readyState") == "complete")
        if self.browser.execute_script("return document.contentType") != "text/html":
            return []
        # The sidebar and the editor are drawn by scripts after the page has loaded.
        WebDriverWait(self.browser, 10).until(
            lambda b: not b.find_elements(By.CSS_SELECTOR, "#wagtail-sidebar.sidebar-loading")
        )
        self.read(path)
        return self.browser.execute_script(LINKS_SCRIPT)

    def read(self, label):
        for source, text, element in self.browser.execute_script(COLLECT_SCRIPT):
            if english_in(text, self.data_words):
                where = urlsplit(self.browser.current_url).path or label
                self.findings.setdefault((source, text[:160]), set()).add(f"{where} <{element}>")

    def crawl(self, start_paths, limit=60):
        """The given screens, then the screens they link to (one level), at most ``limit`` screens."""
        linked = []
        for path in start_paths:
            if len(self.seen) >= limit:
                break
            linked += self.visit(path)
        for path in linked:
            if len(self.seen) >= limit:
                break
            if ITEM_SCREEN.search(path) or path.count("/") <= 4:
                self.visit(path)


@pytest.fixture(scope="module", autouse=True)
def compiled_translations():
    """The catalogue is build output (make locale); a test run straight from a clone compiles it too."""
    compile_all()


SUBMITTED_TITLE = "关于做好冬季道路保畅工作的通知（语言检查用）"


@pytest.fixture(scope="module")
def submitted_article(django_db_setup, django_db_blocker):
    """An article of jtj at the first review step, so the review screens have something to show.

    Committed (the served instance reads it) and removed at the end of the module.
    """
    with django_db_blocker.unblock():
        editor = User.objects.get(username="jtj_editor")
        with schema_context("jtj"):
            page = ArticlePage(
                title=SUBMITTED_TITLE,
                body="<p>各单位要做好冬季道路巡查。</p>",
                source="办公室",
                live=False,
                owner=editor,
            )
            column("gzdt").add_child(instance=page)
            page.save_revision(user=editor)
            page = ArticlePage.objects.get(pk=page.pk)
            page.get_workflow().start(page, editor)
    yield page.pk
    with django_db_blocker.unblock():
        with schema_context("jtj"):
            for page in ArticlePage.objects.filter(title=SUBMITTED_TITLE):
                page.delete()
            ConfidentialityRecord.objects.filter(page_title=SUBMITTED_TITLE).delete()


def _column_ids(code):
    with schema_context(code):
        columns = ColumnPage.objects.order_by("path")
        home = columns.first().get_parent()
        return home.pk, columns.first().pk


def _read_second_factor_reset(browser, base, walk, user):
    """The reset screen's steps that only a POST shows: a refusal (one's own account), the confirmation."""
    assert "/admin/security/second-factor/" in walk.seen, sorted(walk.seen)
    for username in (user.username, "jtj_editor"):
        browser.get(base + "/admin/security/second-factor/")
        browser.find_element(By.NAME, "username").send_keys(username)
        browser.find_element(By.NAME, "reason").send_keys("手机丢失，已电话核实本人身份")
        browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        WebDriverWait(browser, 30).until(lambda b: b.execute_script("return document.readyState") == "complete")
        walk.read(f"/admin/security/second-factor/ ({username})")
    assert browser.find_elements(By.ID, "confirm-reset"), "the confirmation step was not shown"
    screenshot(browser, "admin-second-factor-reset-confirm")


ROLES = [
    (None, Role.WEB_OFFICE, "portal"),
    # 三员分立: the security administrator (roles, word lists, second-factor resets) and the audit
    # administrator (the audit log only: every other screen leads there).
    (None, Role.SECURITY_ADMIN, "portal"),
    (None, Role.AUDIT_ADMIN, "portal"),
    ("jtj", Role.SITE_ADMIN, "jtj"),
    ("jtj", Role.EDITOR, "jtj"),
    ("jtj", Role.REVIEWER, "jtj"),
    ("jtj", Role.SECRECY_OFFICER, "jtj"),
    ("jtj", Role.HANDLER, "jtj"),
]


@pytest.mark.parametrize(("code", "role", "host"), ROLES, ids=[role.value for _, role, _ in ROLES])
def test_every_screen_of_the_role_is_chinese(served, browser, cluster, submitted_article, code, role, host):
    user = cluster.user(code, role)
    base = served.format(code=host)
    home_id, column_id = _column_ids(host)
    walk = Walk(browser, base, f"{role.label}（{user.username}）", cluster_data_words())

    browser.get(base + "/admin/login/")
    walk.read("/admin/login/")
    assert "登录政务网站集群" in browser.find_element(By.TAG_NAME, "h1").text
    screenshot(browser, "admin-login")
    login(browser, base, user.username, cluster.password)
    assert "/admin/login/" not in browser.current_url, "not signed in"

    menu = walk.visit("/admin/")
    # the product's name and logo, and the guide link of the dashboard goes to our own guides
    assert browser.title.endswith("政务网站集群")
    assert browser.find_elements(By.CSS_SELECTOR, '#wagtail-sidebar img[src*="cms/admin/logo"]')
    assert browser.find_elements(By.CSS_SELECTOR, 'a[href="/admin/guide/"]')
    assert not browser.find_elements(By.CSS_SELECTOR, 'a[href*="guide.wagtail.org"]')
    screenshot(browser, f"admin-dashboard-{role.value}")
    start = [
        "/admin/pages/",
        f"/admin/pages/{home_id}/",
        f"/admin/pages/{column_id}/",
        f"/admin/pages/{column_id}/edit/",
        f"/admin/pages/add/cms/articlepage/{column_id}/",
        "/admin/pages/search/?q=通知",
        "/admin/pages/usage/",
        "/admin/reports/locked/",
        "/admin/reports/workflow/",
        "/admin/reports/site-history/",
        "/admin/account/",
        "/admin/guide/",
    ]
    if host == "jtj":  # the item in review: its 审核信息 page, editor, history and review progress
        start[1:1] = [
            f"/admin/review/pages/{submitted_article}/",
            f"/admin/pages/{submitted_article}/edit/",
            f"/admin/pages/{submitted_article}/history/",
            f"/admin/pages/{submitted_article}/workflow_history/",
        ]
    walk.crawl(start + menu)
    if role == Role.SECURITY_ADMIN:
        _read_second_factor_reset(browser, base, walk, user)
    screenshot(browser, f"admin-language-{role.value}")
    browser.execute_async_script(LOGOUT_SCRIPT)
    browser.delete_all_cookies()

    assert len(walk.seen) >= 8, f"only {len(walk.seen)} screens walked: {sorted(walk.seen)}"
    report = "\n".join(
        f"  [{source}] {text!r}\n      on {', '.join(sorted(places)[:3])}"
        for (source, text), places in sorted(walk.findings.items())
    )
    assert not walk.findings, f"English on the screens of {walk.who} ({len(walk.findings)}):\n{report}"
