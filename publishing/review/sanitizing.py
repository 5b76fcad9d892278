"""Every HTML that comes from people goes through ``publishing.sanitize.sanitize_html`` on save.

Rich text fields, rich text and raw HTML blocks inside StreamFields, of every page type: the page
row (pre_save, drafts and publishing) and the revision (pre_save of ``Revision``: the admin saves a
live page's edits only as a revision, and previews render revisions).

Wagtail stores rich text in its database format: internal links are ``<a linktype="page" id="3">``
and images ``<embed embedtype="image" id="5" format="left" alt="…"/>``. The government allow-list
knows neither, so they travel through the sanitiser as ordinary relative links and images with
their attributes in the query string, and are rebuilt afterwards from validated values only.
"""

import json
import re
from functools import cache
from html import escape, unescape
from urllib.parse import parse_qsl, urlencode

from django.core.serializers.json import DjangoJSONEncoder
from wagtail import blocks
from wagtail.fields import RichTextField, StreamField
from wagtail.rich_text import RichText

from publishing.sanitize import sanitize_html, url_scheme

_PLACEHOLDER = "/__wagtail-db-html__/"
_ATTRIBUTE = re.compile(r'([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*"([^"]*)"')
_DB_LINK = re.compile(r"<a\b([^>]*\blinktype\s*=[^>]*)>", re.IGNORECASE)
_DB_EMBED = re.compile(r"<embed\b([^>]*)/?>", re.IGNORECASE)
_RESTORE_LINK = re.compile(r'<a href="' + re.escape(_PLACEHOLDER) + r'a\?([^"]*)"[^>]*>')
_RESTORE_EMBED = re.compile(r'<img src="' + re.escape(_PLACEHOLDER) + r'embed\?([^"]*)"[^>]*>')
_ID = re.compile(r"^[0-9]{1,12}$")
_FORMAT = re.compile(r"^[a-z0-9_-]{1,40}$")


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
