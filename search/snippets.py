"""Highlighted snippets: the part of a text around the first match, matches in <mark>, the rest escaped.

PostgreSQL's ``ts_headline`` cannot find Chinese words (its parser sees one word per run of
characters), and Elasticsearch's highlighter would differ from it; one Python implementation
serves both backends. A string match only counts when it starts and ends on a token boundary of
the same tokenizer the index uses, so 民政 is not marked inside 人民政府.
"""

from __future__ import annotations

import re
from functools import lru_cache

import jieba
from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import text

SNIPPET_CHARS = 120
LEAD_CHARS = 24
CONTEXT = 12


@lru_cache(maxsize=20_000)
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


@lru_cache(maxsize=1_000)
def _pattern_of(terms):
    return re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)


def _pattern(terms):
    terms = tuple(sorted({term for term in terms if term}, key=lambda term: (-len(term), term)))
    return _pattern_of(terms) if terms else None


def _on_boundaries(value, start, end):
    """Whether the match value[start:end] starts and ends where the index tokenizer cuts."""
    if not ("\u3400" <= value[start] <= "\u9fff" or "\u3400" <= value[end - 1] <= "\u9fff"):
        return True
    lo = max(0, start - CONTEXT)
    cuts = _boundaries(value[lo : min(len(value), end + CONTEXT)])
    return start - lo in cuts and end - lo in cuts


def find_matches(value, terms, limit=50, pos=0, endpos=None):
    """[(start, end)] of ``terms`` in ``value[pos:endpos]`` that sit on token boundaries."""
    pattern = _pattern(terms)
    if pattern is None or not value:
        return []
    found = []
    for match in pattern.finditer(value, pos, len(value) if endpos is None else endpos):
        start, end = match.span()
        if _on_boundaries(value, start, end):
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
        # Only the first match and those in the window after it are checked against the tokenizer
        # (each check segments a few dozen characters): a long body may hold hundreds of matches.
        first = find_matches(value, terms, limit=1)
        if first:
            start = max(0, first[0][0] - LEAD_CHARS)
            end = min(len(value), start + length)
            window = [(s - start, e - start) for s, e in find_matches(value, terms, pos=start, endpos=end)]
            body = mark(value[start:end], window)
            prefix = "…" if start > 0 else ""
            suffix = "…" if end < len(value) else ""
            return mark_safe(f"{prefix}{body}{suffix}")  # noqa: S308 - built from escaped parts
    for value in texts:
        if value:
            return mark_safe(escape(value[:length]) + ("…" if len(value) > length else ""))  # noqa: S308
    return ""
