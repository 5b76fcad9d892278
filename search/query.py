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
from dataclasses import dataclass, field

from django.db.models import Count, Max

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
_synonyms = {"stamp": None, "map": {}}


def synonym_map():
    """{term: [the other terms of its group]} from the web office's list.

    Cached in the process; one tiny query per search notices any change made in another process.
    """
    from .models import SynonymGroup

    stamp = tuple(SynonymGroup.objects.aggregate(n=Count("id"), last=Max("updated_at")).values())
    with _synonyms_lock:
        if _synonyms["stamp"] == stamp:
            return _synonyms["map"]
    mapping = {}
    for group in SynonymGroup.objects.all():
        terms = [text.normalise(term) for term in group.term_list()]
        for term in terms:
            mapping.setdefault(term, [])
            mapping[term].extend(other for other in terms if other != term and other not in mapping[term])
    with _synonyms_lock:
        _synonyms.update(stamp=stamp, map=mapping)
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
            self.parsed = parse(self.q, tokenize=tokenize)
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
        from cms.models import Validity

        return dict(Validity.choices).get(self.entry.validity, self.entry.validity)

    def as_json(self):
        from django.utils import timezone

        entry = self.entry
        return {
            "title": entry.title,
            "url": entry.url,
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
    hits: list[Hit] = field(default_factory=list)
    # {"sites": [{"value", "label", "count"}], "types": [...], "years": [...]}
    facets: dict = field(default_factory=dict)
    took_ms: float = 0.0

    @property
    def num_pages(self):
        return max(1, -(-self.total // self.params.page_size))

    def as_json(self):
        return {
            "total": self.total,
            "took_ms": round(self.took_ms, 1),
            "page": self.params.page,
            "num_pages": self.num_pages,
            "results": [hit.as_json() for hit in self.hits],
            "facets": self.facets,
        }
