"""Highlighted snippets: the part of a text around the first match, matches in <mark>, the rest escaped.

PostgreSQL's ``ts_headline`` cannot find Chinese words (its parser sees one word per run of
characters), and Elasticsearch's highlighter would differ from it; one Python implementation
serves both backends. A string match only counts when it starts and ends on a token boundary of
the same tokenizer the index uses, so 民政 is not marked inside 人民政府.
"""

from __future__ import annotations

import re

import jieba
from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import text

SNIPPET_CHARS = 120
LEAD_CHARS = 24
CONTEXT = 12


def _boundaries(fragment):
    """Token boundaries (character offsets) of ``fragment`` as the index tokenizer cuts it."""
    text._ready()
    cuts = {0, len(fragment)}
    for word, start, end in jieba.tokenize(fragment, HMM=False):
        cuts.update((start, end))
        offset = start
        for part in text.parts(word):
            offset += len(part)
            cuts.add(offset)
    return cuts


def _pattern(terms):
    terms = [term for term in terms if term]
    if not terms:
        return None
    return re.compile("|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True)), re.IGNORECASE)


def find_matches(value, terms, limit=50):
    """[(start, end)] of ``terms`` in ``value`` that sit on token boundaries."""
    pattern = _pattern(terms)
    if pattern is None or not value:
        return []
    found = []
    for match in pattern.finditer(value):
        start, end = match.span()
        if "\u3400" <= value[start] <= "\u9fff" or "\u3400" <= value[end - 1] <= "\u9fff":
            lo = max(0, start - CONTEXT)
            cuts = _boundaries(value[lo : min(len(value), end + CONTEXT)])
            if start - lo not in cuts or end - lo not in cuts:
                continue
        found.append((start, end))
        if len(found) >= limit:
            break
    return found


def _merged(matches):
    """Touching or overlapping spans as one: 高铁 + 站 is marked as 高铁站."""
    merged = []
    for start, end in sorted(matches):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mark(value, matches):
    """``value`` HTML-escaped with each (start, end) wrapped in <mark>."""
    out, last = [], 0
    for start, end in _merged(matches):
        out.append(escape(value[last:start]))
        out.append(f"<mark>{escape(value[start:end])}</mark>")
        last = end
    out.append(escape(value[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


def highlight(value, terms):
    """The whole of a short text (a title) with its matches marked."""
    return mark(value, find_matches(value, terms))


def snippet(texts, terms, length=SNIPPET_CHARS):
    """A window of about ``length`` characters of the first text with a match, matches marked.

    Falls back to the start of the first non-empty text (summary, then body) when nothing matches.
    """
    texts = [re.sub(r"\s+", " ", value or "").strip() for value in texts]
    for value in texts:
        matches = find_matches(value, terms)
        if matches:
            start = max(0, matches[0][0] - LEAD_CHARS)
            end = min(len(value), start + length)
            window = [(s - start, e - start) for s, e in matches if s >= start and e <= end]
            body = mark(value[start:end], window)
            prefix = "…" if start > 0 else ""
            suffix = "…" if end < len(value) else ""
            return mark_safe(f"{prefix}{body}{suffix}")  # noqa: S308 - built from escaped parts
    for value in texts:
        if value:
            return mark_safe(escape(value[:length]) + ("…" if len(value) > length else ""))  # noqa: S308
    return ""
