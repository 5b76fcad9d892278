"""Sanitising HTML that comes from people: rich text, pasted Word HTML, imported legacy pages.

    sanitize_html(html, cluster_hosts={"www.city.gov.cn", "jtj.city.gov.cn"})

bleach (html5lib's parser, then an allow-list) decides what survives; nothing here relies on a
regex to remove danger. The regexes below only tidy what Word pastes (conditional comments, o:p,
mso- classes) so the result reads well; a tag they miss is still stripped by bleach.

Government allow-list: paragraphs, h2–h6 (h1 is the page title, so pasted h1 becomes h2), inline
emphasis, lists, quotes, tables with colspan/rowspan, links (http, https, mailto, tel, relative) and
images (http, https, relative). No class, no style: Word's inline styles would fight the theme, and
without tinycss2 bleach cannot check CSS, so a "small CSS allow-list" is not on offer.

Links to a host outside the cluster get rel="noopener noreferrer" and data-external="1": the themes
show a leaving-the-site notice for them (47号 网页设计规范).
"""

import json
import re
from functools import cache, partial
from html import escape, unescape
from urllib.parse import parse_qsl, urlencode

from bleach.html5lib_shim import Filter
from bleach.sanitizer import Cleaner
from django.core.serializers.json import DjangoJSONEncoder
from wagtail import blocks
from wagtail.fields import RichTextField, StreamField
from wagtail.rich_text import RichText

from sites.hosts import cluster_hosts, link_host

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "strong",
        "em",
        "u",
        "s",
        "sub",
        "sup",
        "ul",
        "ol",
        "li",
        "blockquote",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "a",
        "img",
    }
)
LINK_PROTOCOLS = frozenset({"http", "https", "mailto", "tel"})
IMAGE_PROTOCOLS = frozenset({"http", "https"})
_SPAN = re.compile(r"^[1-9][0-9]?\Z")  # colspan/rowspan 1–99
_SIZE = re.compile(r"^[1-9][0-9]{0,3}%?\Z")  # width/height: pixels or a percentage
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")

# --- Tidying pasted Word HTML (cosmetic; safety is bleach's job) ------------------------------------

# Downlevel-hidden conditional comments carry Word's XML and VML: drop them with their content.
_CONDITIONAL_COMMENT = re.compile(r"<!--\[if[^\]]*\]>.*?<!\[endif\]-->", re.IGNORECASE | re.DOTALL)
# Downlevel-revealed markers (<![if !supportLists]> … <![endif]>): drop the markers, keep the text.
_REVEALED_MARKER = re.compile(r"<!\[(?:if[^\]]*|endif)\]>", re.IGNORECASE)
# Elements whose content is never text for the reader.
_DROP_WITH_CONTENT = re.compile(
    r"<(script|style|xml|head|title|template|noscript|iframe|object|embed|svg|math|select|textarea)\b[^>]*>.*?</\1\s*>",
    re.IGNORECASE | re.DOTALL,
)
# Office namespaced tags: <o:p>, <v:shape>, <w:sdt> … (their text, usually &nbsp;, is kept).
_NAMESPACED_TAG = re.compile(r"</?[a-z]+:[a-z0-9_-]+\b[^>]*>", re.IGNORECASE)
_RENAMES = [
    (re.compile(r"<(/?)b(?=[\s/>])", re.IGNORECASE), r"<\1strong"),
    (re.compile(r"<(/?)i(?=[\s/>])", re.IGNORECASE), r"<\1em"),
    (re.compile(r"<(/?)(?:strike|del)(?=[\s/>])", re.IGNORECASE), r"<\1s"),
    (re.compile(r"<(/?)h1(?=[\s/>])", re.IGNORECASE), r"<\1h2"),
    (re.compile(r"<(/?)div(?=[\s/>])", re.IGNORECASE), r"<\1p"),
]
_EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|&nbsp;|\xa0)*</p>")


def tidy_word_html(html):
    html = _CONDITIONAL_COMMENT.sub("", html)
    html = _REVEALED_MARKER.sub("", html)
    html = _DROP_WITH_CONTENT.sub("", html)
    html = _NAMESPACED_TAG.sub("", html)
    for pattern, replacement in _RENAMES:
        html = pattern.sub(replacement, html)
    return html


# --- URLs -----------------------------------------------------------------------------------------


def url_scheme(value):
    """The scheme of a URL as a browser sees it: control characters and whitespace ignored.

    Returns "" for relative URLs (including //host/path).
    """
    cleaned = _CONTROL.sub("", value or "")
    match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):", cleaned)
    return match.group(1).lower() if match else ""


def _allowed_url(value, protocols):
    cleaned = _CONTROL.sub("", value or "")
    if not cleaned:
        return False
    scheme = url_scheme(cleaned)
    if scheme:
        return scheme in protocols
    # No scheme: relative, root-relative (/media/…), protocol-relative (//host/…) or a fragment.
    # A colon before the first slash would make some parsers read a scheme: refuse it.
    head = cleaned.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return ":" not in head


def _allow_attribute(tag, name, value):
    if tag == "a":
        if name == "href":
            return _allowed_url(value, LINK_PROTOCOLS)
        return name == "title"
    if tag == "img":
        if name == "src":
            return _allowed_url(value, IMAGE_PROTOCOLS)
        if name in ("width", "height"):
            return bool(_SIZE.match(value.strip()))
        return name == "alt"
    if tag in ("td", "th") and name in ("colspan", "rowspan"):
        return bool(_SPAN.match(value.strip()))
    return False


# --- External links ---------------------------------------------------------------------------------


def default_cluster_hosts():
    """Every host of every site of the cluster, and the cluster's own host (sites/hosts.py, cached)."""
    return set(cluster_hosts())


def _host_matcher(cluster_hosts):
    """A predicate host → is in the cluster.

    ``cluster_hosts`` may be a predicate itself, or an iterable of host names where an entry
    starting with a dot (".city.gov.cn") also matches every host below it, or None for the hosts
    in the database.
    """
    if callable(cluster_hosts):
        return cluster_hosts
    if cluster_hosts is None:
        cluster_hosts = default_cluster_hosts()
    exact = {host.lower().rstrip(".") for host in cluster_hosts if not host.startswith(".")}
    suffixes = tuple(host.lower().rstrip(".") for host in cluster_hosts if host.startswith("."))

    def is_cluster_host(host):
        return host in exact or (bool(suffixes) and host.endswith(suffixes))

    return is_cluster_host


def external_host(href):
    """The host a link leaves to, lower-cased, or "" for relative, mailto: and tel: links.

    Read as a browser reads it (``sites.hosts.link_host``): ``/\\evil.example`` and
    ``http:evil.example`` name a host, and an unreadable host still counts as one.
    """
    return link_host(_CONTROL.sub("", href or "")) or ""


class ExternalLinkFilter(Filter):
    """Marks links that leave the cluster; runs after bleach has sanitised every token."""

    def __init__(self, source, is_cluster_host):
        super().__init__(source)
        self.is_cluster_host = is_cluster_host

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                attrs = dict(token["data"])
                host = external_host(attrs.get((None, "href"), ""))
                if host and not self.is_cluster_host(host):
                    attrs[(None, "rel")] = "noopener noreferrer"
                    attrs[(None, "data-external")] = "1"
                    token = {**token, "data": attrs}
            yield token


def sanitize_html(html, cluster_hosts=None):
    """Clean ``html`` to the government allow-list; mark external links.

    :param html: HTML from a person (rich text, pasted Word HTML, an imported legacy page).
    :param cluster_hosts: the cluster's hosts (an iterable, ".suffix" entries match subdomains),
        or a predicate host → bool, or None to read them from the database.
    :returns: safe HTML, for storing and rendering with ``|safe``.
    """
    if not html:
        return ""
    cleaner = Cleaner(
        tags=ALLOWED_TAGS,
        attributes=_allow_attribute,
        protocols=LINK_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[partial(ExternalLinkFilter, is_cluster_host=_host_matcher(cluster_hosts))],
    )
    cleaned = cleaner.clean(tidy_word_html(html))
    return _EMPTY_PARAGRAPH.sub("", cleaned).strip()


# --- Pages and revisions ---------------------------------------------------------------------------
#
# Every HTML that comes from people goes through ``sanitize_html`` on save (``cms/signal_handlers.py``).
#
# Rich text fields, rich text and raw HTML blocks inside StreamFields, of every page type: the page
# row (pre_save, drafts and publishing) and the revision (pre_save of ``Revision``: the admin saves a
# live page's edits only as a revision, and previews render revisions).
#
# Wagtail stores rich text in its database format: internal links are ``<a linktype="page" id="3">``
# and images ``<embed embedtype="image" id="5" format="left" alt="…"/>``. The government allow-list
# knows neither, so they travel through the sanitiser as ordinary relative links and images with
# their attributes in the query string, and are rebuilt afterwards from validated values only.

_PLACEHOLDER = "/__wagtail-db-html__/"
_ATTRIBUTE = re.compile(r'([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*"([^"]*)"')
_DB_LINK = re.compile(r"<a\b([^>]*\blinktype\s*=[^>]*)>", re.IGNORECASE)
_DB_EMBED = re.compile(r"<embed\b([^>]*)/?>", re.IGNORECASE)
_RESTORE_LINK = re.compile(r'<a href="' + re.escape(_PLACEHOLDER) + r'a\?([^"]*)"[^>]*>')
_RESTORE_EMBED = re.compile(r'<img src="' + re.escape(_PLACEHOLDER) + r'embed\?([^"]*)"[^>]*>')
_ID = re.compile(r"^[0-9]{1,12}\Z")
_FORMAT = re.compile(r"^[a-z0-9_-]{1,40}\Z")


def _attributes(text):
    return {name.lower(): unescape(value) for name, value in _ATTRIBUTE.findall(text)}


def _to_placeholders(html):
    def link(match):
        attrs = _attributes(match.group(1))
        return f'<a href="{_PLACEHOLDER}a?{escape(urlencode(attrs))}">'

    def embed(match):
        attrs = _attributes(match.group(1))
        return f'<img src="{_PLACEHOLDER}embed?{escape(urlencode(attrs))}">'

    return _DB_EMBED.sub(embed, _DB_LINK.sub(link, html))


def _restore(html):
    def link(match):
        attrs = dict(parse_qsl(unescape(match.group(1))))
        if attrs.get("linktype") in ("page", "document") and _ID.match(attrs.get("id", "")):
            return f'<a linktype="{attrs["linktype"]}" id="{attrs["id"]}">'
        return "<a>"

    def embed(match):
        attrs = dict(parse_qsl(unescape(match.group(1))))
        kind = attrs.get("embedtype")
        if kind == "image" and _ID.match(attrs.get("id", "")):
            fmt = attrs.get("format", "")
            fmt = f' format="{fmt}"' if _FORMAT.match(fmt) else ""
            return f'<embed alt="{escape(attrs.get("alt", ""))}" embedtype="image"{fmt} id="{attrs["id"]}"/>'
        if kind == "media" and url_scheme(attrs.get("url", "")) in ("http", "https"):
            return f'<embed embedtype="media" url="{escape(attrs["url"])}"/>'
        return ""

    return _RESTORE_EMBED.sub(embed, _RESTORE_LINK.sub(link, html))


def sanitize_rich_text(html):
    """Sanitise rich text in Wagtail's database format, keeping internal links and images."""
    if not html:
        return html
    return _restore(sanitize_html(_to_placeholders(str(html))))


# --- Walking the values of a page ------------------------------------------------------------------


def _clean_block_value(block, value):
    """The value of ``block`` with every rich text and raw HTML inside it sanitised."""
    if value is None:
        return value
    if isinstance(block, blocks.RichTextBlock):
        source = value.source if isinstance(value, RichText) else str(value)
        return RichText(sanitize_rich_text(source))
    if isinstance(block, blocks.RawHTMLBlock):
        return type(value)(sanitize_html(str(value))) if isinstance(value, str) else sanitize_html(str(value))
    if isinstance(block, blocks.StructBlock):
        for name, child in block.child_blocks.items():
            if name in value:
                value[name] = _clean_block_value(child, value[name])
        return value
    if isinstance(block, blocks.ListBlock):
        for index, item in enumerate(list(value)):
            value[index] = _clean_block_value(block.child_block, item)
        return value
    if isinstance(block, blocks.StreamBlock):
        for child in value:
            child.value = _clean_block_value(child.block, child.value)
        return value
    return value


def _has_html(block):
    if isinstance(block, (blocks.RichTextBlock, blocks.RawHTMLBlock)):
        return True
    if isinstance(block, blocks.StructBlock):
        return any(_has_html(child) for child in block.child_blocks.values())
    if isinstance(block, blocks.ListBlock):
        return _has_html(block.child_block)
    if isinstance(block, blocks.StreamBlock):
        return any(_has_html(child) for child in block.child_blocks.values())
    return False


@cache
def html_fields(model):
    """The fields of ``model`` that hold HTML from people: rich text, StreamFields with HTML blocks."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, RichTextField) or (isinstance(field, StreamField) and _has_html(field.stream_block))
    ]


def sanitize_page(page):
    """Sanitise every HTML value of ``page`` in place."""
    for field in html_fields(type(page)):
        value = getattr(page, field.name)
        if not value:
            continue
        if isinstance(field, RichTextField):
            setattr(page, field.name, sanitize_rich_text(value))
        else:
            _clean_block_value(field.stream_block, value)
            # Re-assigning makes the StreamValue rebuild its raw data from the cleaned children.
            setattr(page, field.name, field.to_python(field.stream_block.get_prep_value(value)))


def sanitize_revision_content(model, content):
    """Sanitise the HTML fields of a revision's serialised ``content`` (a dict) of a ``model`` page."""
    for field in html_fields(model):
        raw = content.get(field.name)
        if not raw:
            continue
        if isinstance(field, RichTextField):
            content[field.name] = sanitize_rich_text(raw)
            continue
        was_text = isinstance(raw, str)
        value = field.to_python(raw)
        _clean_block_value(field.stream_block, value)
        prepared = field.stream_block.get_prep_value(value)
        content[field.name] = json.dumps(prepared, cls=DjangoJSONEncoder) if was_text else prepared
    return content


# --- Content that came in without a save -------------------------------------------------------------


def _prepared(field, value):
    return value if isinstance(field, RichTextField) else field.get_prep_value(value)


def sanitize_stored_pages():
    """Sanitise every page and revision of the current schema in the database; the number changed.

    For rows that never went through ``save()`` (a restored backup's, loaded by COPY): each page as
    its own type, written back with ``update()`` so nothing else about it changes (no new revision,
    no publishing), and each page revision's content.
    """
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page, Revision

    changed = 0
    page_models = {}
    for content_type in ContentType.objects.filter(pk__in=Page.objects.values("content_type")):
        model = content_type.model_class()
        if model is None or not issubclass(model, Page):
            continue
        page_models[content_type.pk] = model
        fields = html_fields(model)
        if not fields:
            continue
        for page in model.objects.filter(content_type=content_type).iterator():
            before = [_prepared(field, getattr(page, field.name)) for field in fields]
            sanitize_page(page)
            after = [_prepared(field, getattr(page, field.name)) for field in fields]
            if before != after:
                model.objects.filter(pk=page.pk).update(**{field.name: getattr(page, field.name) for field in fields})
                changed += 1
    for revision in Revision.objects.filter(content_type__in=list(page_models)).iterator():
        model = page_models[revision.content_type_id]
        if not isinstance(revision.content, dict) or not html_fields(model):
            continue
        content = json.loads(json.dumps(revision.content, cls=DjangoJSONEncoder))
        sanitize_revision_content(model, content)
        if content != revision.content:
            Revision.objects.filter(pk=revision.pk).update(content=content)
            changed += 1
    return changed
