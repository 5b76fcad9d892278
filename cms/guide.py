"""The user guides (docs/guide/*.md) read inside the admin: 使用指南 in the help menu.

The guides are the project's own Markdown, kept in the repository beside the code they describe,
so a newcomer on ``make run`` reads the guide of the version they run. They are rendered with
markdown-it (raw HTML off) and the result is cleaned once more with bleach's allow-list: a guide is
trusted text, but the viewer must not become a way to put script into the admin if one is not.
Links between guides become links to the viewer; other relative links (to code or to docs outside
the guide folder) are shown as text, since the admin cannot serve those files.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from bleach.sanitizer import Cleaner
from django.conf import settings
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from markdown_it import MarkdownIt

# A guide is addressed by its file name without ".md": lowercase letters, digits and hyphens.
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}\Z")
INDEX_SLUG = "readme"

_TAGS = {
    "a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol",
    "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul", "del",
}  # fmt: skip
_CLEANER = Cleaner(
    tags=_TAGS,
    attributes={"a": ["href", "title", "rel", "target"], "th": ["align"], "td": ["align"]},
    protocols=["http", "https", "mailto"],
    strip=True,
)
_HREF = re.compile(r'href="([^"]*)"')


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    html: str


def guide_dir():
    return Path(settings.CMS_GUIDE_DIR)


def _title(markdown, slug):
    """The first heading; of a bilingual one ("使用指南 / User guides") the Chinese part, as the admin is Chinese."""
    for line in markdown.splitlines():
        if line.startswith("# "):
            return line[2:].split(" / ")[0].strip()
    return slug


def _rewrite_link(match):
    """A link to another guide opens it in the viewer; other relative links lose their href."""
    href = match.group(1)
    parts = urlsplit(href)
    if parts.scheme in ("http", "https", "mailto"):
        return f'href="{href}" rel="noopener noreferrer" target="_blank"'
    if href.startswith("#"):
        return match.group(0)
    name = Path(parts.path).name
    if not parts.scheme and "/" not in parts.path and name.endswith(".md"):
        slug = name[: -len(".md")].lower()
        if SLUG.match(slug):
            fragment = f"#{parts.fragment}" if parts.fragment else ""
            return f'href="{guide_url(slug)}{fragment}"'
    return 'title="仓库中的文件：' + href.replace('"', "") + '"'


def render_markdown(markdown):
    """Markdown → HTML that the allow-list admits (script, raw HTML and javascript: links never survive)."""
    parser = MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")
    html = _CLEANER.clean(parser.render(markdown))
    return _HREF.sub(_rewrite_link, html)


@lru_cache(maxsize=64)
def _read(path, mtime):
    text = path.read_text(encoding="utf-8")
    return _title(text, path.stem), render_markdown(text)


def load_guide(slug):
    """The guide ``docs/guide/<slug>.md`` (``readme`` is the index); ``Http404`` for anything else."""
    if not SLUG.match(slug):
        raise Http404("没有这份指南")
    directory = guide_dir().resolve()
    for path in directory.glob("*.md"):
        if path.stem.lower() == slug and path.resolve().parent == directory:
            title, html = _read(path, path.stat().st_mtime)
            return Guide(slug=slug, title=title, html=html)
    raise Http404("没有这份指南")


def guide_list():
    """Every guide but the index, in file-name order: (slug, title)."""
    items = []
    for path in sorted(guide_dir().glob("*.md")):
        slug = path.stem.lower()
        if slug != INDEX_SLUG and SLUG.match(slug):
            items.append((slug, load_guide(slug).title))
    return items


def guide_url(slug=INDEX_SLUG):
    if slug == INDEX_SLUG:
        return reverse("cms_guide:index")
    return reverse("cms_guide:page", args=[slug])


def guide_view(request, slug=INDEX_SLUG):
    """Staff only: Wagtail wraps every admin URL in its admin-access check (the site's roles)."""
    guide = load_guide(slug)
    return TemplateResponse(
        request,
        "cms/guide.html",
        {"guide": guide, "guides": guide_list(), "page_title": guide.title},
    )
