"""Reading legacy content into articles: plain text, a small Markdown subset, and sanitised HTML.

Used by ``manage.py import_content`` to migrate old sites. Every body ends up as HTML that went
through ``sanitize_html``: imported pages come from people, and old sites carry old XSS.
"""

from __future__ import annotations

import codecs
import html
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from cms.sanitize import sanitize_html

SUPPORTED = (".txt", ".md", ".markdown", ".html", ".htm")


class ImportFileError(Exception):
    """A file that cannot become an article; the message is for people."""


@dataclass
class ImportedItem:
    title: str
    body: str  # sanitised HTML
    text: str  # plain text, for the confidentiality scan


def _paragraphs(lines):
    text, current = [], []
    for line in lines + [""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            text.append("".join(current) if _is_cjk_run(current) else " ".join(current))
            current = []
    return text


def _is_cjk_run(lines):
    """Chinese prose wrapped over lines is joined without spaces; other text with one space."""
    return all(re.search(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]$", line) for line in lines[:-1])


def from_text(text):
    """A .txt file: the first non-empty line is the title, the rest paragraphs (blank-line separated)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise ImportFileError("文件为空，没有标题")
    title = lines[0].strip()
    paragraphs = _paragraphs(lines[1:])
    body = "".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in paragraphs)
    return title, body


# --- Markdown (the subset old sites' exports use) ---------------------------------------------------

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)(?:\s+&quot;[^)]*&quot;)?\)")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
# ``*`` may touch Chinese characters (和*说明*); ``_`` may not touch word characters (snake_case).
_ITALIC_STAR = re.compile(r"(?<!\*)\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?!\*)")
_ITALIC_UNDERSCORE = re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])")


def _inline(text):
    """Escape first, then mark up: raw HTML in Markdown is shown as text, never interpreted."""
    text = html.escape(text, quote=True)
    text = _LINK.sub(lambda m: f'<a href="{m.group(2)}">{m.group(1)}</a>', text)
    text = _BOLD.sub(r"<strong>\2</strong>", text)
    text = _ITALIC_STAR.sub(r"<em>\1</em>", text)
    return _ITALIC_UNDERSCORE.sub(r"<em>\1</em>", text)


def markdown_to_html(text):
    """Headings, paragraphs, bullet and numbered lists, links, bold and italic. A heading level 1
    at the top is the title (returned separately); deeper headings start at <h2>."""
    out, paragraph, list_kind, items = [], [], None, []

    def flush_paragraph():
        if paragraph:
            joined = "".join(paragraph) if _is_cjk_run(paragraph) else " ".join(paragraph)
            out.append(f"<p>{_inline(joined)}</p>")
            paragraph.clear()

    def flush_list():
        nonlocal list_kind
        if list_kind:
            out.append(f"<{list_kind}>" + "".join(f"<li>{_inline(item)}</li>" for item in items) + f"</{list_kind}>")
            items.clear()
            list_kind = None

    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        heading = _HEADING.match(line)
        bullet = _BULLET.match(line)
        numbered = _NUMBERED.match(line)
        if heading:
            flush_paragraph()
            flush_list()
            level = min(max(len(heading.group(1)), 2), 6)
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif bullet or numbered:
            flush_paragraph()
            kind = "ul" if bullet else "ol"
            if list_kind != kind:
                flush_list()
                list_kind = kind
            items.append((bullet or numbered).group(1).strip())
        elif not line.strip():
            flush_paragraph()
            flush_list()
        else:
            flush_list()
            paragraph.append(line.strip())
    flush_paragraph()
    flush_list()
    return "".join(out)


def from_markdown(text):
    lines = text.replace("\r\n", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise ImportFileError("文件为空，没有标题")
    first = _HEADING.match(lines[0])
    if first and len(first.group(1)) == 1:
        title, rest = first.group(2).strip(), lines[1:]
    else:
        title, rest = re.sub(r"^#+\s*", "", lines[0]).strip(), lines[1:]
    return title, markdown_to_html("\n".join(rest))


# --- HTML ----------------------------------------------------------------------------------------

_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.I | re.S)
_HEAD = re.compile(r"<head\b.*?</head>", re.I | re.S)
_BODY = re.compile(r"<body\b[^>]*>(.*)</body>", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")


def _plain(fragment, separator=""):
    return html.unescape(_TAGS.sub(separator, fragment)).strip()


def from_html(text, fallback_title=""):
    """A legacy page: the title from <h1> or <title>, the body sanitised to the allow-list."""
    body = _BODY.search(text)
    fragment = body.group(1) if body else _HEAD.sub("", text)
    h1 = _H1.search(fragment)
    title = _plain(h1.group(1)) if h1 else ""
    if h1:
        fragment = fragment[: h1.start()] + fragment[h1.end() :]
    if not title:
        match = _TITLE.search(text)
        title = _plain(match.group(1)) if match else fallback_title
    if not title:
        raise ImportFileError("找不到标题（<h1> 或 <title>）")
    return title, sanitize_html(fragment)


# Control characters a text file may hold: tab, line feed, carriage return, form feed (page breaks
# in old exports). Anything else of category C is a sign of a binary file.
_TEXT_CONTROLS = {"\t", "\n", "\r", "\f"}
# Unassigned (Cn), private-use (Co) and surrogate (Cs) code points: GB 18030 gives a character to
# nearly every byte sequence, so random bytes decode "successfully" into these.
_NOT_TEXT_CATEGORIES = {"Cc", "Cn", "Co", "Cs"}


def decode_strictly(data):
    """The text of a file that is really text, or ``ImportFileError``.

    UTF-8 (with or without BOM) or UTF-16 with a BOM, else GB 18030 (a superset of GBK/GB2312), each
    decoded strictly: a lenient decoder (the scanner's, which must read whatever it is given) turns
    random bytes into a "title" and a draft. A decoded text with control, unassigned or private-use
    characters is refused too.
    """
    if data.startswith(codecs.BOM_UTF8):
        candidates = [(data[len(codecs.BOM_UTF8) :], "utf-8")]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [(data, "utf-16")]
    else:
        candidates = [(data, "utf-8"), (data, "gb18030")]
    for payload, encoding in candidates:
        try:
            text = payload.decode(encoding)
        except UnicodeDecodeError:
            continue
        bad = next(
            (ch for ch in text if ch not in _TEXT_CONTROLS and unicodedata.category(ch) in _NOT_TEXT_CATEGORIES),
            None,
        )
        if bad is None:
            return text
        raise ImportFileError(f"不是文本文件：含有不可显示的字符（U+{ord(bad):04X}），可能是二进制文件或已损坏")
    raise ImportFileError("不是文本文件：既不是 UTF-8 也不是 GB 18030 编码，可能是二进制文件或已损坏")


def read_item(path):
    """Read one file into an ``ImportedItem``; raises ``ImportFileError`` with a reason."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise ImportFileError(f"不支持的文件类型“{suffix or '无扩展名'}”（支持 .txt、.md、.html）")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"无法读取：{exc.strerror or exc}") from exc
    text = decode_strictly(data)
    if suffix == ".txt":
        title, body = from_text(text)
    elif suffix in (".md", ".markdown"):
        title, body = from_markdown(text)
    else:
        title, body = from_html(text, fallback_title=path.stem)
    body = sanitize_html(body)
    title = title[:255]
    return ImportedItem(title=title, body=body, text=_plain(body, "\n"))
