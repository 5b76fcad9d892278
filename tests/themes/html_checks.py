"""Accessibility and compliance points that can be read from the HTML (WCAG 2.1 AA, design §2)."""

from html.parser import HTMLParser


class PageAudit(HTMLParser):
    def __init__(self):
        super().__init__()
        self.html_lang = None
        self.h1_count = 0
        self.images_without_alt = []
        self.inputs = []
        self.label_targets = set()
        self.landmarks = set()
        self.skip_link = False
        self.ids = []
        self.scripts = []
        self.stylesheets = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "html":
            self.html_lang = attrs.get("lang")
        elif tag == "h1":
            self.h1_count += 1
        elif tag == "img" and "alt" not in attrs:
            self.images_without_alt.append(attrs.get("src"))
        elif tag == "input" and attrs.get("type") not in ("hidden", "submit", "button"):
            self.inputs.append(attrs)
        elif tag == "label" and attrs.get("for"):
            self.label_targets.add(attrs["for"])
        elif tag in ("header", "nav", "main", "footer"):
            self.landmarks.add(tag)
        elif tag == "a" and attrs.get("href") == "#main" and attrs.get("class") == "skip-link":
            self.skip_link = True
        elif tag == "script":
            self.scripts.append(attrs.get("src") or "")
        elif tag == "link" and attrs.get("rel") == "stylesheet":
            self.stylesheets.append(attrs.get("href") or "")

    def unlabelled_inputs(self):
        return [i for i in self.inputs if i.get("id") not in self.label_targets and not i.get("aria-label")]


def audit(html):
    parser = PageAudit()
    parser.feed(html)
    return parser


def assert_accessible(html):
    page = audit(html)
    assert page.html_lang == "zh-CN"
    assert page.h1_count == 1, f"{page.h1_count} h1 elements"
    assert page.skip_link and "main" in page.ids
    assert {"header", "nav", "main", "footer"} <= page.landmarks
    assert page.images_without_alt == []
    assert page.inputs and page.unlabelled_inputs() == []
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"
    # No third-party CDN: every script and stylesheet is served by the project (the theme's
    # design tokens are a stylesheet under /media/: themes/tokens.py; 哀悼模式 answers /mourning.css
    # on the site's own host: themes/mourning.py).
    for url in page.scripts:
        assert url.startswith("/static/"), url
    for url in page.stylesheets:
        assert (
            url.startswith("/static/")
            or (url.startswith("/media/") and "/themes/tokens/" in url)
            or url == "/mourning.css"
        ), url
    assert "data-mode-toggle" in html and 'id="leave-dialog"' in html
    return page
