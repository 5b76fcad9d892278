"""Chinese-aware tokens for the search index, and the identifiers (索引号, 文号) found in text.

PostgreSQL's parser takes a run of Chinese characters as one word (design §4: Wagtail's database
backend finds nothing for 招生), so the index is built from our own tokens in the ``simple``
configuration. Which tokens, measured on tests/search/corpus.py and bench/search.py (2 cores):

* **character bigrams**: 民政 matches every 人民政府 page (人民|民政|政府), the index is about twice
  the size and common bigrams make queries slow (design §4: up to ~240 ms). On our corpus
  (bench/search_quality.py, 28 queries) bigrams scored precision@5 0.84 / recall@10 0.86 and put
  the right answer first 26/28 times; the jieba parts below 0.97 / 1.00 / 28/28.
* **jieba ``cut_for_search``**: it emits every dictionary word inside a longer word, *including*
  the ones that straddle the word's parts: 人民政府 → 人民, 民政, 政府; 交通运输 → 交通, 通运, 运输.
  The false 民政 match is still there.
* **what we index**: jieba's precise cut (``HMM=False``: the hidden-Markov new-word guesser depends on
  context, so a query and a document could cut the same word differently), each word then split
  into its *parts*, the best route through the word's own dictionary DAG without the edge that
  spans the whole word (人民政府 → 人民 + 政府, 医疗保障局 → 医疗 + 保障 + 局), recursively down to
  two characters. A document is the sequence of these parts at consecutive positions; a query word
  becomes the phrase of its parts (人民政府 → 人民 <-> 政府). 民政 matches 民政局 (民政 + 局) and never
  人民政府, and a long word typed as its pieces still matches.

jieba costs ~0.1 M characters/s per core in pure Python against ~1.7 M for bigrams, so splitting
words is memoised, and indexing runs in bulk (``manage.py reindex``) or one item per publish.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache
from math import log

import jieba

jieba.setLogLevel(logging.WARNING)
_tokenizer = jieba.dt

# A token worth indexing: Chinese characters, letters or digits (punctuation is dropped).
WORD_RE = re.compile(r"[^\W_]", re.UNICODE)
# 文号: 发文机关代字〔年份〕序号号, typed with any kind of bracket.
DOCUMENT_NUMBER_RE = re.compile(
    r"([\u4e00-\u9fffA-Za-z]{1,20})\s*[〔\[［【(（]\s*(\d{4})\s*[〕\]］】)）]\s*(\d{1,6})\s*号"
)
# 索引号: <issuing org code>/<YYYY>-<NNNNN> (政府信息公开目录系统实施指引).
INDEX_NUMBER_RE = re.compile(r"\b([0-9A-Za-z]{9,18})\s*/\s*(\d{4})\s*-\s*(\d{5})\b")
# Words of no use to a search on their own; dropping them keeps the posting lists short.
STOP_WORDS = frozenset("的 了 和 与 及 或 在 是 对 等 之 其 将 把 被 为 于 以 并 而 也 就 都 这 那 有".split())
MAX_TEXT_CHARS = 20_000  # tsvector positions stop at 16,383; nobody searches past page 20 of a text


def _ready():
    _tokenizer.check_initialized()
    return _tokenizer


def normalise(text):
    """Full-width letters and digits to ASCII (NFKC), lower case: how users type varies."""
    return unicodedata.normalize("NFKC", text or "").lower()


@lru_cache(maxsize=200_000)
def parts(word):
    """The parts of a dictionary word, without the segmentation that spans the whole word.

    ``parts("人民政府") == ("人民", "政府")``; two characters or fewer are a part of their own.
    """
    if len(word) <= 2 or not "\u3400" <= word[0] <= "\u9fff":
        return (word,)
    tokenizer = _ready()
    dag = tokenizer.get_DAG(word)
    last = len(word) - 1
    dag[0] = [end for end in dag[0] if end != last] or [0]
    route = {}
    n = len(word)
    route[n] = (0.0, 0)
    logtotal = log(tokenizer.total)
    for start in range(n - 1, -1, -1):
        route[start] = max(
            (log(tokenizer.FREQ.get(word[start : end + 1]) or 1) - logtotal + route[end + 1][0], end)
            for end in dag[start]
        )
    result = []
    start = 0
    while start < n:
        end = route[start][1] + 1
        result.extend(parts(word[start:end]) if end - start < n else [word[start:end]])
        start = end
    return tuple(result)


@lru_cache(maxsize=50_000)
def _clause_tokens(clause):
    out = []
    for word in _tokenizer.cut(clause, HMM=False):
        if not WORD_RE.match(word):
            continue
        out.extend(parts(word))
    return tuple(out)


_CLAUSE_RE = re.compile(r"[^\s，。、；：！？,.;:!?“”\"'（）()《》【】〔〕\[\]]+")


def tokens(text, *, keep_stop_words=False):
    """The index tokens of ``text`` in order (stop words dropped unless asked for)."""
    _ready()
    text = normalise(text)[:MAX_TEXT_CHARS]
    out = []
    for clause in _CLAUSE_RE.findall(text):
        for token in _clause_tokens(clause):
            if keep_stop_words or token not in STOP_WORDS:
                out.append(token)
    return out


def words(text):
    """jieba's precise words of ``text`` (for synonym look-up and query units), punctuation dropped."""
    _ready()
    return [word for word in _tokenizer.cut(normalise(text), HMM=False) if WORD_RE.match(word)]


def bigrams(text):
    """Overlapping character bigrams of each Chinese run, other words whole: the measured alternative."""
    out = []
    for run in re.findall(r"[\u3400-\u9fff]+|[a-z0-9]+", normalise(text)[:MAX_TEXT_CHARS]):
        if len(run) == 1 or not "\u3400" <= run[0] <= "\u9fff":
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


# --- tsvector literals ------------------------------------------------------------------------


def quote_lexeme(lexeme):
    """A lexeme as tsvector/tsquery syntax wants it: single-quoted, quotes and backslashes escaped."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


# Gap between fields, so a phrase never runs from the title into the summary.
FIELD_GAP = 8
MAX_POSITION = 16383
MAX_POSITIONS_PER_LEXEME = 256


def tsvector_literal(fields, tokenize=tokens):
    """Build a tsvector literal from ``[(weight, text), ...]``; weights are "A".."D".

    Each lexeme keeps its positions and the weight of the field it occurs in, so ranking can put
    title matches above summary above body, and phrase queries (``<->``) can check adjacency.
    """
    positions = {}
    position = 1
    for weight, text in fields:
        for token in tokenize(text):
            if position > MAX_POSITION:
                break
            entries = positions.setdefault(token, [])
            if len(entries) < MAX_POSITIONS_PER_LEXEME:
                entries.append(f"{position}{weight}")
            position += 1
        position += FIELD_GAP
    return " ".join(f"{quote_lexeme(lexeme)}:{','.join(marks)}" for lexeme, marks in positions.items() if lexeme)


# --- identifiers ----------------------------------------------------------------------------------


def document_number_key(text):
    """The canonical form of the first 文号 in ``text``: ``通政办发〔2012〕216号``, or ""."""
    match = DOCUMENT_NUMBER_RE.search(unicodedata.normalize("NFKC", text or ""))
    if not match:
        return ""
    issuer, year, serial = match.groups()
    return f"{issuer}〔{year}〕{int(serial)}号"


def index_number_key(text):
    """The canonical form of the first 索引号 in ``text``: ``014207264/2012-04779``, or ""."""
    match = INDEX_NUMBER_RE.search(unicodedata.normalize("NFKC", text or ""))
    if not match:
        return ""
    org, year, serial = match.groups()
    return f"{org.upper()}/{year}-{serial}"
