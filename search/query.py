"""What a reader asked for: the parsed query text and the filters, shared by every backend.

Query syntax (what a government-site search box is expected to understand):

* ``交通运输 安全``: every word must occur; a word is cut into jieba words, and each word must occur
  as a whole (its parts adjacent), so 人民政府 never matches a page that only has 人民 and 政府 apart;
* ``"安全生产责任"`` or ``“安全生产责任”``: the words in this order, adjacent;
* ``-招聘`` / ``-"临时招聘"``: pages containing it are left out;
* a 文号 (``通政办发〔2012〕216号``, any brackets) or 索引号 (``014207264/2012-04779``) anywhere in the
  text also looks the document up exactly and puts it first;
* each word or phrase in the web office's synonym list also matches its synonyms.
"""

from __future__ import annotations

import datetime
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from django.utils import timezone

from cms.models import Validity

from . import text

QUOTED_RE = re.compile(r'(-?)(?:"([^"]*)"|“([^”]*)”|「([^」]*)」|(\S+))')


@dataclass
class Unit:
    """One thing the document must (or must not) contain: any of ``alternatives``, each a token phrase."""

    label: str
    alternatives: list[tuple[str, ...]]

    def highlight_terms(self):
        return ["".join(tokens) for tokens in self.alternatives if tokens]


@dataclass
class ParsedQuery:
    raw: str
    required: list[Unit] = field(default_factory=list)
    excluded: list[Unit] = field(default_factory=list)
    document_number: str = ""
    index_number: str = ""

    @property
    def is_empty(self):
        return not self.required and not self.document_number and not self.index_number

    def highlight_terms(self):
        terms = {term for unit in self.required for term in unit.highlight_terms()}
        terms.update(term for term in (self.document_number, self.index_number) if term)
        return sorted(terms, key=len, reverse=True)


# --- synonyms --------------------------------------------------------------------------------------

_synonyms_lock = threading.Lock()
_synonyms = {"stamp": None, "map": {}, "version": 0, "checked": float("-inf")}
# How long a process trusts its copy of the list before one tiny query checks for changes made
# in another process; changes made in this process apply at once (``forget_synonyms``).
SYNONYM_RECHECK_SECONDS = 2.0


def forget_synonyms(**kwargs):
    """Make the next search re-read the synonym list (connected to SynonymGroup saves and deletes)."""
    with _synonyms_lock:
        _synonyms["checked"] = float("-inf")


def synonym_map():
    """{term: [the other terms of its group]} from the web office's list.

    Cached in the process and re-validated at most every SYNONYM_RECHECK_SECONDS by one query on
    the list's size and last change; a change in this process is seen by the next search.
    """
    from django.db import connection

    from .models import SynonymGroup

    now = time.monotonic()
    with _synonyms_lock:
        if now - _synonyms["checked"] < SYNONYM_RECHECK_SECONDS:
            return _synonyms["map"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), max(updated_at) FROM {SynonymGroup._meta.db_table}")  # noqa: S608
        stamp = tuple(cursor.fetchone())
    with _synonyms_lock:
        if _synonyms["stamp"] == stamp:
            _synonyms["checked"] = now
            return _synonyms["map"]
    mapping = {}
    for group in SynonymGroup.objects.all():
        terms = [text.normalise(term) for term in group.term_list()]
        for term in terms:
            mapping.setdefault(term, [])
            mapping[term].extend(other for other in terms if other != term and other not in mapping[term])
    with _synonyms_lock:
        _synonyms.update(stamp=stamp, map=mapping, checked=now, version=_synonyms["version"] + 1)
    return mapping


# --- parsing ----------------------------------------------------------------------------------------


def _unit(label, synonyms, tokenize):
    alternatives = []
    for term in [label, *synonyms.get(label, [])]:
        tokens = tuple(tokenize(term))
        if tokens and tokens not in alternatives:
            alternatives.append(tokens)
    return Unit(label, alternatives) if alternatives else None


def _units_of_chunk(chunk, synonyms, tokenize):
    """A chunk typed without spaces is several words: cut it, preferring the longest synonym-list entry."""
    chunk = text.normalise(chunk)
    words = text.words(chunk)
    units = []
    i = 0
    while i < len(words):
        for j in range(len(words), i, -1):
            candidate = "".join(words[i:j])
            if candidate in synonyms or j == i + 1:
                break
        if candidate not in text.STOP_WORDS or len(words) == 1:
            unit = _unit(candidate, synonyms, tokenize)
            if unit:
                units.append(unit)
        i = j
    return units


_parsed = OrderedDict()
PARSED_CACHE_SIZE = 2_000


def parse_cached(raw, tokenize=None):
    """``parse`` with the process's synonym list, memoised per (text, tokenizer, list version).

    The ParsedQuery returned is shared between searches: read it, never change it.
    """
    synonyms = synonym_map()
    key = (raw, tokenize, _synonyms["version"])
    with _synonyms_lock:
        parsed = _parsed.get(key)
        if parsed is not None:
            _parsed.move_to_end(key)
            return parsed
    parsed = parse(raw, synonyms=synonyms, tokenize=tokenize)
    with _synonyms_lock:
        _parsed[key] = parsed
        while len(_parsed) > PARSED_CACHE_SIZE:
            _parsed.popitem(last=False)
    return parsed


def parse(raw, synonyms=None, tokenize=None):
    """Parse the search box text into required and excluded units (see the module docstring)."""
    tokenize = tokenize or text.tokens
    synonyms = synonym_map() if synonyms is None else synonyms
    parsed = ParsedQuery(raw=raw)
    parsed.document_number = text.document_number_key(raw)
    parsed.index_number = text.index_number_key(raw)
    rest = raw
    # The identifier is looked up exactly; its pieces (通 政 办发 2012 216 号) still count as words,
    # so documents that cite it come next.
    for match in QUOTED_RE.finditer(rest):
        negative, *quoted = match.groups()
        phrase = next((part for part in quoted[:3] if part is not None), None)
        target = parsed.excluded if negative else parsed.required
        if phrase is not None:
            unit = _unit(text.normalise(phrase).strip(), synonyms, tokenize)
            if unit:
                target.append(unit)
        elif quoted[3]:
            target.extend(_units_of_chunk(quoted[3], synonyms, tokenize))
    return parsed


# --- filters ------------------------------------------------------------------------------------------

SORTS = ("relevance", "date")


@dataclass
class SearchParams:
    """A validated search request; views and the CLI build it, every backend answers it."""

    q: str
    sites: list[str] = field(default_factory=list)  # site codes
    kinds: list[str] = field(default_factory=list)  # sites.SiteKind values
    types: list[str] = field(default_factory=list)  # catalogue content types (article, disclosure …)
    column_classes: list[str] = field(default_factory=list)
    topic_categories: list[str] = field(default_factory=list)
    validities: list[str] = field(default_factory=list)
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    sort: str = "relevance"
    page: int = 1
    page_size: int = 10
    facets: bool = True
    parsed: ParsedQuery | None = None

    def parse(self, tokenize=None):
        if self.parsed is None:
            self.parsed = parse_cached(self.q, tokenize=tokenize)
        return self.parsed

    @property
    def offset(self):
        return (self.page - 1) * self.page_size


@dataclass
class Hit:
    entry: object  # CatalogueEntry with its tenant
    score: float
    snippet: str = ""
    title_html: str = ""

    @property
    def validity_label(self):
        return dict(Validity.choices).get(self.entry.validity, self.entry.validity)

    def as_json(self, request=None):
        entry = self.entry
        return {
            "title": entry.title,
            "url": entry.public_url(request),
            "site": entry.tenant.code,
            "site_name": entry.tenant.name,
            "type": entry.content_type,
            "type_label": entry.content_type_label,
            "published_at": timezone.localtime(entry.published_at).strftime("%Y-%m-%d %H:%M"),
            "snippet": self.snippet,
            "index_number": entry.index_number,
            "document_number": entry.document_number,
        }


@dataclass
class SearchResults:
    params: SearchParams
    total: int = 0
    # False when the engine stopped counting at its cap: ``total`` is then that cap ("1000+"), or
    # an estimate of all matches when ``total_estimated`` ("约 61000").
    total_exact: bool = True
    total_estimated: bool = False
    hits: list[Hit] = field(default_factory=list)
    # {"sites": [{"value", "label", "count"}], "types": [...], "years": [...]}
    facets: dict = field(default_factory=dict)
    took_ms: float = 0.0

    @property
    def total_display(self):
        """The total as shown to readers: ``"1000+"`` when counting stopped at the cap, ``"约 61000"``
        when the rest was estimated."""
        if self.total_exact:
            return f"{self.total}"
        return f"约 {self.total}" if self.total_estimated else f"{self.total}+"

    # Set when the total was not counted: the pages the engine can serve (by relevance, as far as
    # its ranked candidates go), whatever the estimate says.
    max_pages: int | None = None

    @property
    def num_pages(self):
        pages = max(1, -(-self.total // self.params.page_size))
        return min(pages, self.max_pages) if self.max_pages else pages

    def as_json(self, request=None):
        return {
            "total": self.total,
            "total_exact": self.total_exact,
            "total_estimated": self.total_estimated,
            "total_display": self.total_display,
            "took_ms": round(self.took_ms, 1),
            "page": self.params.page,
            "num_pages": self.num_pages,
            "results": [hit.as_json(request) for hit in self.hits],
            "facets": self.facets,
        }
