"""WCAG 2.1 A/AA with axe-core, and the 适老化 numbers, on every public page type of both themes.

axe-core (pinned in tests/browser/node/, installed into var/node/ by scripts/system-packages.sh) is
injected into the real headless Chromium over WebDriver, which the page's Content-Security-Policy
does not govern, so the pages are checked exactly as the public gets them. Every page type is
checked in 政务蓝 and 中国红, normal and elder mode, at desktop (1280 px) and phone (390 px) width:
0 violations at tags wcag2a, wcag2aa, wcag21a, wcag21aa. In the elder mode the computed styles must
also give body text of at least 18 px, line height of at least 1.3, contrast of at least 4.5:1,
targets of at least 44×44 px, and every control must be reachable with the keyboard alone.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page

from cms.models import InformationPage, SiteHomePage
from sites.middleware import invalidate_domain_map
from sites.models import Tenant
from themes.models import SiteTheme, Theme
from themes.services import assign_theme

from ..cms import content
from .conftest import console_errors
from .test_content_pages import CONTRAST_JS

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]
NODE = ROOT / "tests" / "browser" / "node"
AXE = ROOT / "var" / "node" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SITE = "jtj"
WIDTHS = {"desktop": (1280, 900, False), "phone": (390, 844, True)}
ELDER_KEY = "cms-elder-mode"
GUIDE_TEXT = "本指南说明本机关主动公开政府信息的范围、形式和查阅方式。"


@pytest.fixture(scope="session")
def axe_source():
    """axe-core's source, installed from the pinned lock file when scripts/system-packages.sh has not."""
    lock = NODE / "package-lock.json"
    installed_lock = AXE.parents[2] / "package-lock.json"
    if not AXE.exists() or not installed_lock.exists() or installed_lock.read_bytes() != lock.read_bytes():
        npm = shutil.which("npm")
        assert npm, "axe-core is missing and npm is not installed: run scripts/system-packages.sh"
        target = AXE.parents[2]
        target.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(NODE / name, target / name)
        subprocess.run(  # noqa: S603 - fixed arguments, the pinned lock file
            [npm, "ci", "--prefix", str(target), "--no-audit", "--no-fund", "--loglevel=error"],
            check=True,
            capture_output=True,
            timeout=300,
        )
    source = AXE.read_text(encoding="utf-8")
    version = json.loads((NODE / "package.json").read_text())["dependencies"]["axe-core"]
    assert version.startswith("4.") and f"axe v{version}" in source[:200], version
    return source


def _banner(images):
    return [
        (
            "banner",
            {
                "slides": [
                    {"title": title, "image": image, "page": None, "url": "/zwdt/"}
                    for title, image in zip(
                        ("全市公交线网优化工作推进会召开", "春运交通保障工作全面启动"), images, strict=True
                    )
                ]
            },
        )
    ]


@pytest.fixture(scope="module", params=["blue", "red"])
def public_pages(request, django_db_setup, django_db_blocker):
    """One committed page of every public type on the department site, in the parametrised theme.

    The home page gets a two-slide 焦点图 and 政府信息公开指南 its guide. Everything made here is
    removed again afterwards (pages, images, documents, the home page's blocks, the theme).
    """
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(code=SITE)
        portal = Tenant.objects.get(code="portal")
        had_themes = {
            site: SiteTheme.objects.filter(tenant=site).values_list("theme_id", flat=True).first()
            for site in (tenant, portal)
        }
        connection.set_tenant(tenant)
        pages_before = set(Page.objects.values_list("pk", flat=True))
        images_before = set(get_image_model().objects.values_list("pk", flat=True))
        documents_before = set(get_document_model().objects.values_list("pk", flat=True))
        home_body = SiteHomePage.objects.get().body.raw_data
        try:
            yield _publish_public_pages(request.param, tenant)
        finally:
            connection.set_tenant(tenant)
            home = SiteHomePage.objects.get()
            home.body = home_body
            home.save_revision().publish()
            made = Page.objects.exclude(pk__in=pages_before).order_by("depth")
            for pk in list(made.values_list("pk", flat=True)):
                page = Page.objects.filter(pk=pk).first()
                if page is not None:
                    page.delete()
            get_image_model().objects.exclude(pk__in=images_before).delete()
            get_document_model().objects.exclude(pk__in=documents_before).delete()
            connection.set_schema_to_public()
            for site, had_theme in had_themes.items():
                if had_theme:
                    assign_theme(Theme.objects.get(pk=had_theme), site)
                else:
                    SiteTheme.objects.filter(tenant=site).delete()
            invalidate_domain_map()
            cache.clear()


def _publish_public_pages(theme, tenant):
    """Publish the pages (connection on the site's schema), give the site ``theme``; their URLs."""
    pages = content.every_page_type()
    slides = [content.image(f"焦点图{index}", size=(1200, 525)) for index in (1, 2)]
    home = SiteHomePage.objects.get()
    home.body = _banner(slides)
    home.save_revision().publish()
    content.publish(
        content.column("gkzn"), InformationPage(title="政府信息公开指南", slug="zn", body=f"<p>{GUIDE_TEXT}</p>")
    )
    urls = {name: page.url for name, page in pages.items()}
    urls["guide_column"] = content.column("gkzn").url
    urls["document_list"] = content.column("fdzdgk").url
    urls["search"] = "/search/?q=值班"
    urls["interaction"] = "/hudong/"
    urls["message_form"] = "/hudong/write/consult/"
    urls["application_form"] = "/ysqgk/"
    urls["not_found"] = "/no-such-page/"
    # What every site has besides its columns (cms/site_pages.py), linked from the footer.
    urls["sitemap"] = reverse("site_map")
    urls["statement"] = reverse("site_statement")
    urls["contact"] = reverse("site_contact")
    connection.set_schema_to_public()
    assign_theme(Theme.objects.get(slug=theme), tenant)
    # The portal's home is a page type of its own (site_home_page_portal), in the same theme.
    assign_theme(Theme.objects.get(slug=theme), Tenant.objects.get(code="portal"))
    invalidate_domain_map()
    cache.clear()
    return {"theme": theme, "urls": urls, "portal_urls": {"portal_home": "/"}}


def pages_by_site(served, public_pages):
    """[(site base URL, {name: path})]: the department's pages, then the portal's."""
    return [
        (served.format(code=SITE), public_pages["urls"]),
        (served.format(code="portal"), public_pages["portal_urls"]),
    ]


# --- In the page ----------------------------------------------------------------------------------

AXE_RUN_JS = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: arguments[0]}, resultTypes: ["violations"]})
  .then((r) => done(r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " :: " + n.failureSummary)}))))
  .catch((e) => done([{id: "axe-error", help: String(e), nodes: []}]));
"""

# Text of at least 18 px with a line height of at least 1.3 in every visible element holding text.
TEXT_JS = """
const out = {checked: 0, small: [], tight: []};
for (const el of document.body.querySelectorAll("*")) {
  if (el instanceof SVGElement || el.closest(".visually-hidden, dialog:not([open]), [hidden], [aria-hidden=true]")) continue;
  const text = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join("").trim();
  if (!text) continue;
  const style = getComputedStyle(el), box = el.getBoundingClientRect();
  if (style.visibility !== "visible" || style.display === "none" || box.width < 2 || box.height < 2) continue;
  if (!el.checkVisibility({checkVisibilityCSS: true})) continue;
  out.checked += 1;
  const size = parseFloat(style.fontSize);
  const name = `${el.tagName.toLowerCase()}.${el.className} "${text.slice(0, 12)}"`;
  if (size < 18) out.small.push(`${name} ${size}px`);
  const line = style.lineHeight === "normal" ? 0 : parseFloat(style.lineHeight);
  if (line / size < 1.3) out.tight.push(`${name} ${style.lineHeight} / ${size}px`);
}
return out;
"""

# Controls smaller than 44×44 px (a radio or checkbox counts with its label, which takes the click).
TARGETS_JS = """
const selector = "button, input:not([type=hidden]), select, textarea, summary, [role=button], .site-nav a, " +
  ".pagination a, .pagination span, .sub-columns a, .facets a, .tile";
const small = [];
let checked = 0;
for (const el of document.querySelectorAll(selector)) {
  if (el.closest("[hidden], dialog:not([open]), .visually-hidden, [inert], [aria-hidden=true]") || el.tabIndex < 0) continue;
  if (!el.checkVisibility({checkVisibilityCSS: true})) continue;
  const style = getComputedStyle(el);
  if (style.display === "none" || style.visibility !== "visible") continue;
  let box = el.getBoundingClientRect();
  if ((el.type === "radio" || el.type === "checkbox") && el.labels && el.labels.length) box = el.labels[0].getBoundingClientRect();
  if (box.width === 0 && box.height === 0) continue;
  checked += 1;
  if (box.width < 43.5 || box.height < 43.5) small.push(`${el.tagName.toLowerCase()}.${el.className} "${(el.textContent || el.value || el.name || "").trim().slice(0, 12)}" ${Math.round(box.width)}×${Math.round(box.height)}`);
}
return {checked, small};
"""

# Every control a reader can see: what Tab must reach.
# A radio group is one Tab stop (its options are chosen with the arrow keys): one marker per group.
# Links inside a closed <details> are not rendered: they are reached by opening its <summary>.
CONTROLS_JS = """
const groups = {};
return [...new Set([...document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary")]
  .filter((el) => !el.closest("[hidden], dialog:not([open]), [inert]") && !el.disabled && el.tabIndex >= 0)
  .filter((el) => { const s = getComputedStyle(el), b = el.getBoundingClientRect();
    return el.checkVisibility({checkVisibilityCSS: true}) && s.visibility === "visible" && b.width > 0 && b.height > 0; })
  .map((el) => {
    if (el.type === "radio" && el.name) {
      const key = el.form ? el.name + "@" + [...document.forms].indexOf(el.form) : el.name;
      groups[key] = groups[key] || Math.random().toString(36).slice(2);
      el.dataset.a11yControl = groups[key];
    } else {
      el.dataset.a11yControl = Math.random().toString(36).slice(2);
    }
    return el.dataset.a11yControl;
  }))];
"""


def open_page(browser, url):
    browser.get(url)
    WebDriverWait(browser, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")


def set_width(browser, width_name):
    width, height, mobile = WIDTHS[width_name]
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )


def set_elder_mode(browser, base, on):
    open_page(browser, base + "/")  # the mode is kept per origin, as the toggle keeps it
    browser.execute_script(f"window.localStorage.setItem('{ELDER_KEY}', '{'on' if on else 'off'}')")


def axe_violations(browser, source):
    if not browser.execute_script("return typeof window.axe === 'object'"):
        browser.execute_script(source)
    browser.set_script_timeout(60)
    return browser.execute_async_script(AXE_RUN_JS, WCAG_TAGS)


def tab_reaches_every_control(browser, limit=400):
    """Tab from the top of the page until focus comes round again; the controls never focused."""
    wanted = set(browser.execute_script(CONTROLS_JS))
    browser.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);")
    reached, seen_first = set(), None
    actions = ActionChains(browser)
    for _ in range(limit):
        actions.send_keys(Keys.TAB).perform()
        marker = browser.execute_script("return document.activeElement.dataset.a11yControl || ''")
        if marker == seen_first and marker:
            break
        seen_first = seen_first or marker
        if marker:
            reached.add(marker)
        if browser.execute_script("return document.activeElement === document.body"):
            break
    missing = wanted - reached
    return browser.execute_script(
        "return arguments[0].map((m) => { const e = document.querySelector(`[data-a11y-control='${m}']`);"
        " return e ? e.outerHTML.slice(0, 120) : m; });",
        sorted(missing),
    )


# --- Tests ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("width_name", ["desktop", "phone"])
@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_every_public_page_has_no_wcag21_aa_violations(served, browser, public_pages, axe_source, width_name, elder):
    set_width(browser, width_name)
    found = {}
    try:
        for base, urls in pages_by_site(served, public_pages):
            set_elder_mode(browser, base, elder)
            for name, path in urls.items():
                open_page(browser, base + path)
                assert ("elder-mode" in browser.find_element(By.TAG_NAME, "html").get_attribute("class")) == elder, name
                violations = axe_violations(browser, axe_source)
                if violations:
                    found[name] = violations
                if name == "not_found":
                    browser.get_log("browser")  # the 404 answer itself is what Chromium logs
                else:
                    assert console_errors(browser) == [], name
        # The cluster's directory (网站群导航) on the public host, themed by neither site.
        open_page(browser, served.format(code=settings.CMS_CLUSTER_HOST.split(".")[0]) + "/")
        violations = axe_violations(browser, axe_source)
        if violations:
            found["cluster_directory"] = violations
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("width_name", ["desktop", "phone"])
def test_elder_mode_meets_the_numbers_and_works_by_keyboard(served, browser, public_pages, width_name):
    """工信部 适老化: text ≥ 18 px, line height ≥ 1.3, contrast ≥ 4.5:1, targets ≥ 44×44, keyboard only."""
    set_width(browser, width_name)
    problems = {}
    try:
        for base, urls in pages_by_site(served, public_pages):
            set_elder_mode(browser, base, True)
            problems.update(elder_problems(browser, base, urls))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)


def elder_problems(browser, base, urls):
    """{page name: {problem: [elements]}} of the elder-mode measurements on ``urls`` of ``base``."""
    problems = {}
    for name, path in urls.items():
        open_page(browser, base + path)
        assert "elder-mode" in browser.find_element(By.TAG_NAME, "html").get_attribute("class"), name
        body = browser.execute_script(
            "const s = getComputedStyle(document.body); return [parseFloat(s.fontSize), parseFloat(s.lineHeight)];"
        )
        assert body[0] >= 18 and body[1] / body[0] >= 1.3, (name, body)
        text = browser.execute_script(TEXT_JS)
        contrast = browser.execute_script(CONTRAST_JS, 4.5)
        targets = browser.execute_script(TARGETS_JS)
        unreachable = tab_reaches_every_control(browser)
        assert text["checked"] > 10 and contrast["checked"] > 10 and targets["checked"] > 3, name
        page_problems = {
            key: value
            for key, value in {
                "small text": text["small"],
                "tight lines": text["tight"],
                "contrast": contrast["failures"],
                "small targets": targets["small"],
                "not reachable by Tab": unreachable,
            }.items()
            if value
        }
        if page_problems:
            problems[name] = page_problems
    return problems


# --- The controls themselves -------------------------------------------------------------------------

CAROUSEL_STATE_JS = """
const root = document.querySelector("[data-carousel]");
const track = root.querySelector("[data-carousel-track]");
const slides = [...root.querySelectorAll("[data-carousel-slide]")];
return {
  running: root.getAttribute("data-carousel-running"),
  current: [...root.querySelectorAll("[data-carousel-dot]")].findIndex((d) => d.getAttribute("aria-current") === "true"),
  inert: slides.map((s) => s.inert),
  paused: root.querySelector("[data-carousel-pause]").getAttribute("aria-pressed"),
  scrollbar: track.offsetHeight - track.clientHeight,
  controls: getComputedStyle(root.querySelector("[data-carousel-controls]")).display,
  focusInside: root.contains(document.activeElement),
};
"""


def carousel(browser):
    return browser.execute_script(CAROUSEL_STATE_JS)


def tab_to(browser, selector, limit=80):
    """Press Tab until ``selector`` has the focus (keyboard only); fails when it never does."""
    browser.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);")
    for _ in range(limit):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        if browser.execute_script("return document.activeElement.matches(arguments[0])", selector):
            return browser.switch_to.active_element
    raise AssertionError(f"Tab never reached {selector}")


def test_the_focus_carousel_has_labelled_controls_and_pauses_for_the_reader(served, browser, public_pages):
    base = served.format(code=SITE)
    open_page(browser, base + "/")
    state = carousel(browser)
    assert state["controls"] == "flex" and state["scrollbar"] == 0, state  # controls, no bare scrollbar
    assert state["current"] == 0 and state["inert"] == [False, True] and state["running"] == "true", state
    labels = [button.text for button in browser.find_elements(By.CSS_SELECTOR, ".banner__button")]
    assert labels == ["‹ 上一张", "下一张 ›", "暂停轮播"], labels
    dots = browser.find_elements(By.CSS_SELECTOR, "[data-carousel-dot]")
    assert [dot.get_attribute("aria-label") for dot in dots] == [
        "第 1 张：全市公交线网优化工作推进会召开",
        "第 2 张：春运交通保障工作全面启动",
    ]
    # Keyboard only: Tab to 下一张, Enter; the focus inside pauses the rotation.
    tab_to(browser, "[data-carousel-next]")
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    state = carousel(browser)
    assert state["current"] == 1 and state["inert"] == [True, False] and state["running"] == "false", state
    ActionChains(browser).send_keys(Keys.ARROW_LEFT).perform()
    assert carousel(browser)["current"] == 0
    tab_to(browser, "[data-carousel-pause]")
    ActionChains(browser).send_keys(Keys.SPACE).perform()
    assert carousel(browser)["paused"] == "true"
    browser.execute_script("document.activeElement.blur()")
    assert carousel(browser)["running"] == "false"  # paused by the reader, focus or not
    browser.find_element(By.CSS_SELECTOR, "[data-carousel-pause]").click()
    browser.execute_script("document.activeElement.blur()")
    # Hovering pauses it; moving away lets it run, and it moves on by itself.
    ActionChains(browser).move_to_element(browser.find_element(By.CSS_SELECTOR, ".banner")).perform()
    assert carousel(browser)["running"] == "false"
    ActionChains(browser).move_to_element(browser.find_element(By.TAG_NAME, "footer")).perform()
    assert carousel(browser)["running"] == "true"
    WebDriverWait(browser, 10).until(lambda b: carousel(b)["current"] == 1)
    # Readers who asked for reduced motion get no automatic movement at all.
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]}
    )
    try:
        open_page(browser, base + "/")
        state = carousel(browser)
        assert state["paused"] == "true" and state["running"] == "false", state
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    assert console_errors(browser) == []


def test_article_tools_change_the_text_size_print_and_close(served, browser, public_pages):
    base = served.format(code=SITE)
    article = base + public_pages["urls"]["article"]
    open_page(browser, article)

    def body_size():
        return browser.execute_script(
            "return parseFloat(getComputedStyle(document.querySelector('.article__body')).fontSize)"
        )

    medium = body_size()
    tab_to(browser, "[data-font-size=large]")
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    large = body_size()
    assert large > medium
    assert browser.find_element(By.CSS_SELECTOR, "[data-font-size=large]").get_attribute("aria-pressed") == "true"
    tab_to(browser, "[data-font-size=small]")
    ActionChains(browser).send_keys(Keys.SPACE).perform()
    assert body_size() < medium
    open_page(browser, article)
    assert body_size() < medium  # remembered on the next page
    browser.find_element(By.CSS_SELECTOR, "[data-font-size=medium]").click()
    assert body_size() == medium
    # 打印 calls the browser's print; 关闭 closes a window a script opened, else leaves for the home page.
    browser.execute_script("window.print = () => { window.__printed = true; };")
    tab_to(browser, "[data-print]")
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert browser.execute_script("return window.__printed === true")
    browser.find_element(By.CSS_SELECTOR, "[data-close]").click()
    WebDriverWait(browser, 5).until(lambda b: b.current_url.rstrip("/") == base)
    assert console_errors(browser) == []


ROW_JS = """
const table = document.querySelector("table.data--stack");
const row = table.querySelector("tbody tr");
const cells = [...row.querySelectorAll("td")];
function lines(cell) {
  const range = document.createRange();
  range.selectNodeContents(cell);
  const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
  return tops.size;
}
return {
  row: getComputedStyle(row).display,
  labels: cells.map((c) => getComputedStyle(c, "::before").content),
  idLines: lines(cells[0]),
  dateLines: lines(cells[3]),
  overflow: document.documentElement.scrollWidth - window.innerWidth,
};
"""


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_the_disclosure_catalogue_is_labelled_cards_on_a_390px_phone(served, browser, public_pages, elder):
    base = served.format(code=SITE)
    set_elder_mode(browser, base, elder)
    catalogue = base + public_pages["urls"]["catalog"]
    open_page(browser, catalogue)
    assert browser.execute_script(ROW_JS)["row"] == "table-row"  # a table on the desktop
    set_width(browser, "phone")
    try:
        open_page(browser, catalogue)
        state = browser.execute_script(ROW_JS)
        assert state["row"] == "block", state
        assert [label.split('"')[1] for label in state["labels"]] == ["索引号", "名称", "文号", "发布日期", "有效性"]
        assert state["idLines"] == 1 and state["dateLines"] == 1 and state["overflow"] <= 0, state
        # Still a table for screen readers: Chromium's computed roles.
        assert browser.find_element(By.CSS_SELECTOR, "table.data--stack").aria_role == "table"
        assert browser.find_element(By.CSS_SELECTOR, "table.data--stack th").aria_role == "columnheader"
        assert browser.find_element(By.CSS_SELECTOR, "table.data--stack td").aria_role == "cell"
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
