"""The built-in confidentiality and personal-data rules (涉密信息不上网), as pure functions.

Each keyword rule is a *trigger* (a literal the automaton finds) plus a *verifier* that looks at a
few characters around the hit and decides whether it is a real mark or secrecy as a subject.
Precision decisions, each pinned by a sentence of tests/confidentiality/corpus.py:

* 绝密/机密/秘密 are hits only as a mark: followed by ★ (with or without a period such as ★10年,
  ★长期, ★启用前 — exam papers are secret until used), after 密级：, or in a statement about the
  item itself (本文件为秘密级). 保守国家秘密法, 秘密花园, 《机密文件管理规定》 are subjects, not marks.
* 内部资料/内部文件 are hits as a notice: followed by 注意保存/请勿外传…, standing alone in brackets
  or on a line of their own, or in 本刊为内部资料. 加强内部资料管理 is a subject; 内部资料性出版物
  is a legal category of print publications (《内部资料性出版物管理办法》), not a mark.
* 涉密/国家秘密 are hits only when the item says so of itself: 本文件涉密, 此件属国家秘密,
  本材料含涉密内容. Negated (本文件不涉密), about someone else (该文件涉密, in a case report) or
  the rule 涉密信息不上网 are not.
* A mark inside quotation marks (标注“秘密★1年”) is a quoted example in a training text: it goes
  to the reviewer (rule quoted_mark) instead of being refused.
* Personal data: an 18-digit 身份证号 with a valid GB 11643 check digit, a plausible birth date and
  a real province code; a mobile number 1[3-9]x 11 digits (also as 3-4-4 groups, after +86)
  standing alone — not inside a longer digit run, not an amount (13500000000元), not masked
  (138****8000); a 16–19 digit card number with a card-network prefix that passes Luhn.
  Hotlines (12345, 0771-12345, 400-…), 索引号 014207264/2012-04779 and 文号 通政办发〔2012〕216号
  cannot match any of these by construction.

Texts reach the verifiers *normalised* (normalise()): full-width ASCII folded to ASCII and Latin
letters lower-cased, one character for one so positions stay those of the original text.
"""

import bisect
import datetime
import re

BLOCK = "block"
REVIEW = "review"
SUGGEST = "suggest"

CLASSIFICATION_MARK = "classification_mark"
INTERNAL_NOTICE = "internal_notice"
CLASSIFIED_STATEMENT = "classified_statement"
QUOTED_MARK = "quoted_mark"
ID_NUMBER = "id_number"
MOBILE_NUMBER = "mobile_number"
BANK_CARD = "bank_card"
WORDLIST = "wordlist"

RULE_LABELS = {
    CLASSIFICATION_MARK: "密级标志",
    INTERNAL_NOTICE: "内部资料标识",
    CLASSIFIED_STATEMENT: "涉密声明",
    QUOTED_MARK: "引用的密级标志",
    ID_NUMBER: "身份证号",
    MOBILE_NUMBER: "手机号码",
    BANK_CARD: "银行卡号",
    WORDLIST: "词库词语",
}
SEVERITY_LABELS = {BLOCK: "禁止发布", REVIEW: "需人工审核", SUGGEST: "修改建议"}

# --- Normalisation ------------------------------------------------------------------------------

_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}  # full-width ASCII → ASCII
_FOLD[0x3000] = 0x20  # ideographic space
_FOLD.update({code: code + 32 for code in range(ord("A"), ord("Z") + 1)})
for _code in range(0xFF21, 0xFF3B):  # full-width capitals fold straight to lower-case ASCII
    _FOLD[_code] = _code - 0xFEE0 + 32
_FOLD[ord("☆")] = ord("★")  # a hollow star in pasted text is the same mark
# Other stars and an asterisk written for the star (秘密*1年), and the traditional forms of the
# level words (機密, 絕密, 祕密): the same marks, written to slip past a literal match.
for _star in "✩✪✫✬✭✮✯✰⭐*＊":
    _FOLD[ord(_star)] = ord("★")
_FOLD.update({ord("機"): ord("机"), ord("絕"): ord("绝"), ord("祕"): ord("秘")})

# Characters that show as nothing (zero-width spaces and joiners, direction controls, the BOM, the
# soft hyphen): a mark split by one still reads as the mark. The engine reads a copy without them,
# and without spaces between two Chinese characters (秘 密★1年), and maps what it finds back.
_INVISIBLE = "\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u202a-\u202e"
_DROP = re.compile(f"(?<=[\u4e00-\u9fff])[ \t\u3000{_INVISIBLE}]+(?=[\u4e00-\u9fff])|[{_INVISIBLE}]+")


def compact(text):
    """``(compact text, mapping)``: ``text`` without what ``_DROP`` matches, and what
    ``original_position`` needs to map a position back; ``(text, None)`` when nothing is dropped
    (the common case, one regex pass)."""
    starts, shifts, parts = [], [], []
    previous = dropped = 0
    for match in _DROP.finditer(text):
        parts.append(text[previous : match.start()])
        starts.append(match.start() - dropped)
        dropped += match.end() - match.start()
        shifts.append(dropped)
        previous = match.end()
    if not starts:
        return text, None
    parts.append(text[previous:])
    return "".join(parts), (starts, shifts)


def original_position(position, mapping):
    """The position in the original text of the compact text's ``position``."""
    starts, shifts = mapping
    index = bisect.bisect_right(starts, position) - 1
    return position + (shifts[index] if index >= 0 else 0)


def normalise(text):
    """Fold width and Latin case, one character for one (positions are those of ``text``)."""
    return text.translate(_FOLD)


# --- Classification marks -------------------------------------------------------------------------

_OPEN_QUOTES = "“「『\"'‘"
_CLOSE_QUOTES = "”」』\"'’"
_PERIOD = r"(?:长期|启用前|\d{4}\s?年\s?\d{1,2}\s?月(?:\s?\d{1,2}\s?日)?(?:前)?|[0-9一二三四五六七八九十两]{1,3}\s?(?:年|个月|月|日|天))"
_STAR_MARK = re.compile(r"[ \t]{0,2}★[ \t]{0,2}" + _PERIOD + "?")
_LEVEL_LABEL = re.compile(
    r"[ \t]{0,2}[:：][ \t]{0,2}(?:绝密|机密|秘密)(?:级)?(?:[ \t]{0,2}★[ \t]{0,2}" + _PERIOD + "?)?"
)
# 本/此 + the item + an optional verb, immediately before the trigger: the item speaks of itself.
_SELF = re.compile(
    r"(?:本|此)(?:文件|文|件|材料|资料|通知|报告|简报|文档|附件|稿件|信息|内容|刊|汇编|手册|页面|纪要)"
    r"[ \t]{0,2}(?:系|为|属|属于|是|含|含有|包含|涉及|内含|作为)?[ \t]{0,2}$"
)
_AFTER_LEVEL_STATEMENT = re.compile(r"(?:级|$|[，,。.；;、！!）)\s])")

# 内部资料/内部文件 notices.
_NOTICE = re.compile(
    r"[ \t，,、:：;；·\-—]{0,3}(?:注意保存|注意保密|妥善保管|妥善保存|请勿外传|不得外传|严禁外传|禁止外传|"
    r"请勿扩散|不得扩散|严禁扩散|请勿翻印|不得翻印|严禁翻印|请勿转载|不得转载|严禁复制|不得复制|请勿公开|"
    r"不得公开|仅供内部|仅限内部|内部参阅|用后收回|阅后收回|注意保管)"
)
_OPEN_BRACKETS = "（(【[〔"
_CLOSE_BRACKETS = "）)】]〕"


def _quoted(text, start, end):
    """A mark between quotation marks is an example being quoted, not a mark on this item."""
    before = text[start - 1 : start]
    after = text[end : end + 2]
    return bool(before) and before in _OPEN_QUOTES and any(ch in _CLOSE_QUOTES for ch in after)


def _line_around(text, start, end):
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    if line_end == -1:
        line_end = len(text)
    return text[line_start:start], text[end:line_end]


def _self_prefix(text, start):
    """Start of a 本文件/此件… prefix that ends at ``start``, or None."""
    window = text[max(0, start - 12) : start]
    match = _SELF.search(window)
    if match is None:
        return None
    return start - (len(window) - match.start())


def _hit(rule, start, end, text):
    """A block-level hit, demoted to a quoted example when it stands in quotation marks."""
    if _quoted(text, start, end):
        return (QUOTED_MARK, REVIEW, start, end)
    return (rule, BLOCK, start, end)


def verify_level(text, start, end):
    """绝密 / 机密 / 秘密: a mark when ★ follows, or in a statement about the item itself."""
    star = _STAR_MARK.match(text, end)
    if star is not None:
        return _hit(CLASSIFICATION_MARK, start, star.end(), text)
    prefix = _self_prefix(text, start)
    if prefix is not None and _AFTER_LEVEL_STATEMENT.match(text, end):
        stop = end + 1 if text[end : end + 1] == "级" else end
        return _hit(CLASSIFIED_STATEMENT, prefix, stop, text)
    return None


def verify_level_label(text, start, end):
    """密级：秘密 — the label of a document header."""
    label = _LEVEL_LABEL.match(text, end)
    if label is None:
        return None
    return _hit(CLASSIFICATION_MARK, start, label.end(), text)


def verify_classified(text, start, end):
    """涉密 / 国家秘密: only when the item says it of itself (本文件涉密, 此件属国家秘密)."""
    prefix = _self_prefix(text, start)
    if prefix is None:
        return None
    return _hit(CLASSIFIED_STATEMENT, prefix, end, text)


def verify_internal(text, start, end):
    """内部资料 / 内部文件 as a notice on the item, not as a subject."""
    if text[end : end + 1] == "性":
        return None  # 内部资料性出版物: a category of print publications
    notice = _NOTICE.match(text, end)
    if notice is not None:
        return _hit(INTERNAL_NOTICE, start, notice.end(), text)
    before = text[start - 1 : start]
    after = text[end : end + 1]
    if before and before in _OPEN_BRACKETS and after and after in _CLOSE_BRACKETS:
        return _hit(INTERNAL_NOTICE, start - 1, end + 1, text)
    line_before, line_after = _line_around(text, start, end)
    if not line_before.strip() and not line_after.strip(" \t\r\u00a0"):
        return _hit(INTERNAL_NOTICE, start, end, text)
    prefix = _self_prefix(text, start)
    if prefix is not None:
        return _hit(INTERNAL_NOTICE, prefix, end, text)
    return None


# trigger → verifier. The automaton finds every trigger in one pass with the word lists.
TRIGGERS = {
    "绝密": verify_level,
    "机密": verify_level,
    "秘密": verify_level,
    "密级": verify_level_label,
    "涉密": verify_classified,
    "国家秘密": verify_classified,
    "内部资料": verify_internal,
    "内部文件": verify_internal,
}

# --- Personal data ----------------------------------------------------------------------------------

# One regex pass over the text finds every candidate digit run (the automaton is for literals);
# the checks below decide what a run is. Bounded by anything but digits and Latin letters, so a
# number inside a longer run or an alphanumeric code is never a candidate.
DIGITS = re.compile(
    r"(?<![0-9a-z+])"
    r"(?:(?P<mobile>(?:(?:\+|00)86[ \-]?|86[ \-])?1[3-9][0-9](?:[ \-]?[0-9]{4}){2})"
    r"|(?P<grouped_card>[0-9]{4}(?:[ \-][0-9]{4}){3}(?:[ \-][0-9]{1,3})?)"
    r"|(?P<run>[0-9]{12,19}x?))"
    r"(?![0-9a-z])"
)
# Stretches of digits (with the separators and prefixes DIGITS allows) long enough to hold a
# candidate: a plain character-class scan, far cheaper than trying DIGITS at every position.
_CANDIDATE_STRETCH = re.compile(r"[+0-9][0-9x+ \-]{10,}")
# A number followed by a unit or a decimal part, or preceded by a currency sign, is a quantity.
_AMOUNT_AFTER = re.compile(r"[ \t]?(?:\.[0-9]|元|万|亿|千瓦|美元|港元|欧元|人次|吨|平方|千克|公里|kg|km|股|字节)")
_AMOUNT_BEFORE = re.compile(r"(?:[¥￥$]|金额|资金|投资|合计|总计|人民币)[ \t:：]{0,2}$")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10x98765432"
_PROVINCES = {
    *range(11, 16),
    *range(21, 24),
    *range(31, 38),
    *range(41, 47),
    *range(50, 55),
    *range(61, 66),
    71,
    81,
    82,
    83,
}


def valid_id_number(number, today=None):
    """GB 11643: province code, a real birth date not in the future, and the mod-11 check digit."""
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789x":
        return False
    if int(number[:2]) not in _PROVINCES:
        return False
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    today = today or datetime.date.today()
    if birth.year < 1900 or birth > today:
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17]


def luhn_valid(number):
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def card_prefix(number):
    """Card networks: 3 (JCB, Amex), 4 (Visa), 5 and 2221–2720 (Mastercard), 6 (UnionPay 62…)."""
    return number[0] in "3456" or 2221 <= int(number[:4]) <= 2720


def valid_card_number(number):
    return 16 <= len(number) <= 19 and number.isdigit() and card_prefix(number) and luhn_valid(number)


def valid_mobile(number):
    return len(number) == 11 and number.isdigit() and number[0] == "1" and number[1] in "3456789"


def personal_data(text):
    """Yield (rule, start, end) for every personal-data number in ``text`` (normalised)."""
    for stretch in _CANDIDATE_STRETCH.finditer(text):
        # One character past the stretch, so DIGITS' look-ahead sees what follows it.
        for match in DIGITS.finditer(text, stretch.start(), min(len(text), stretch.end() + 1)):
            found = classify_digits(text, match)
            if found is not None:
                yield found


def classify_digits(text, match):
    """(rule, start, end) for a personal-data candidate of DIGITS, or None."""
    start, end = match.start(), match.end()
    if _AMOUNT_AFTER.match(text, end) or _AMOUNT_BEFORE.search(text, max(0, start - 8), start):
        return None
    if match.group("mobile"):
        digits = re.sub(r"[ \-]", "", match.group("mobile"))[-11:]
        return (MOBILE_NUMBER, start, end) if valid_mobile(digits) else None
    if match.group("grouped_card"):
        digits = re.sub(r"[ \-]", "", match.group("grouped_card"))
        return (BANK_CARD, start, end) if valid_card_number(digits) else None
    run = match.group("run")
    if valid_id_number(run):
        return (ID_NUMBER, start, end)
    if valid_card_number(run):
        return (BANK_CARD, start, end)
    return None
