"""The scan engine on its own: no database, just the rules, the corpus and the automaton."""

from collections import Counter

import pytest

from publishing.confidentiality import rules
from publishing.confidentiality.automaton import KeywordAutomaton
from publishing.confidentiality.engine import Scanner, WordRule, scan

from .corpus import CASES, WORD_ENTRIES

ALL_RULES = {
    rules.CLASSIFICATION_MARK,
    rules.INTERNAL_NOTICE,
    rules.CLASSIFIED_STATEMENT,
    rules.QUOTED_MARK,
    rules.ID_NUMBER,
    rules.MOBILE_NUMBER,
    rules.BANK_CARD,
    rules.WORDLIST,
}


@pytest.fixture(scope="module")
def scanner():
    return Scanner(WORD_ENTRIES)


def test_corpus_is_large_and_mostly_tricky():
    assert len(CASES) >= 60
    negatives = [case for case in CASES if not case.rules]
    assert len(negatives) >= 25
    assert len({case.text for case in CASES}) == len(CASES)
    # every rule is exercised by at least two sentences
    counts = Counter(rule for case in CASES for rule in case.rules)
    assert set(counts) == ALL_RULES
    assert min(counts.values()) >= 2


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.text[:20])
def test_corpus_sentence(scanner, case):
    result = scanner.scan({"body": case.text})
    assert result.verdict == case.verdict
    assert {finding.rule for finding in result.findings} == case.rules


def test_precision_and_recall_are_perfect_for_every_rule(scanner):
    true_pos, false_pos, false_neg = Counter(), Counter(), Counter()
    for case in CASES:
        found = {finding.rule for finding in scanner.scan({"body": case.text}).findings}
        for rule in found & case.rules:
            true_pos[rule] += 1
        for rule in found - case.rules:
            false_pos[rule] += 1
        for rule in case.rules - found:
            false_neg[rule] += 1
    for rule in ALL_RULES:
        precision = true_pos[rule] / (true_pos[rule] + false_pos[rule]) if true_pos[rule] + false_pos[rule] else 0
        recall = true_pos[rule] / (true_pos[rule] + false_neg[rule]) if true_pos[rule] + false_neg[rule] else 0
        assert (rule, precision, recall) == (rule, 1.0, 1.0)


def test_finding_carries_field_position_context_and_replacement(scanner):
    title = "关于做好防汛工作的通知"
    body = "各区县：\n为做好今年防汛工作，副市长张明园将带队检查。联系人手机13877120001。"
    result = scanner.scan({"title": title, "body": body})
    by_rule = {finding.rule: finding for finding in result.findings}
    assert set(by_rule) == {rules.WORDLIST, rules.MOBILE_NUMBER}
    word = by_rule[rules.WORDLIST]
    assert (word.field, word.text, word.replacement, word.severity) == ("body", "张明园", "张明远", "suggest")
    assert body[word.start : word.end] == "张明园"
    assert word.context == body[max(0, word.start - 20) : word.end + 20]
    assert word.context[word.start - word.context_start :].startswith("张明园")
    assert word.word_list == "领导姓名"
    mobile = by_rule[rules.MOBILE_NUMBER]
    assert body[mobile.start : mobile.end] == "13877120001"
    assert result.verdict == "review"
    data = result.as_dict()
    assert data["verdict"] == "review"
    assert set(data["findings"][0]) >= {"rule", "severity", "text", "field", "start", "end", "context", "replacement"}


def test_findings_never_span_fields_and_positions_are_per_field(scanner):
    result = scanner.scan({"title": "绝密", "summary": "★10年", "body": "秘密★1年"})
    assert [(f.field, f.start, f.end, f.text) for f in result.findings] == [("body", 0, 5, "秘密★1年")]


def test_block_findings_come_first_and_verdict_is_block(scanner):
    result = scanner.scan({"body": "联系电话13877120001。\n机密★5年"})
    assert result.verdict == "block"
    assert [finding.severity for finding in result.findings] == ["block", "review"]
    assert [finding.rule for finding in result.blocking] == [rules.CLASSIFICATION_MARK]


def test_one_mark_is_one_finding(scanner):
    result = scanner.scan("密级：秘密★1年")
    assert [(finding.rule, finding.text) for finding in result.findings] == [
        (rules.CLASSIFICATION_MARK, "密级：秘密★1年")
    ]


def test_suggestions_alone_pass_but_are_reported():
    result = Scanner([WordRule("人民政付", "suggest", "人民政府")]).scan("测试市人民政付")
    assert result.verdict == "pass"
    assert [(f.text, f.replacement) for f in result.findings] == [("人民政付", "人民政府")]


def test_longest_word_wins_and_same_word_in_two_lists_is_reported_once():
    entries = [
        WordRule("明园", "flag", list_name="甲"),
        WordRule("张明园", "suggest", "张明远", list_name="甲"),
        WordRule("张明园", "block", list_name="乙"),
    ]
    result = Scanner(entries).scan("张明园同志")
    # The blocking entry wins over the suggestion for the same words, and 明园 (flag) lies inside
    # a hit at least as severe, so it is not reported separately.
    assert [(f.text, f.severity, f.word_list) for f in result.findings] == [("张明园", "block", "乙")]


def test_word_matching_folds_width_and_latin_case():
    scanner = Scanner([WordRule("VPN", "flag")])
    assert len(scanner.scan("vpn、Vpn、ＶＰＮ、ｖｐｎ").findings) == 4
    assert (
        scanner.scan("VPNs").verdict == "review"
    )  # still a hit inside a longer Latin word: Chinese has no word boundaries


def test_id_number_rules():
    assert rules.valid_id_number("450102199003072513")
    assert rules.valid_id_number("32058319780615002x")
    assert not rules.valid_id_number("450102199003072514")  # check digit
    assert not rules.valid_id_number("990102199003072513")  # no such province
    assert not rules.valid_id_number("440304200102290011")  # 2001-02-29
    assert not rules.valid_id_number("450102209901011234")  # born in the future


def test_luhn_and_card_prefixes():
    assert rules.valid_card_number("6228480012345678903")
    assert not rules.valid_card_number("6228480012345678904")
    assert not rules.valid_card_number("9228480012345678901")  # no card network starts with 9
    assert not rules.valid_card_number("622848001234567")  # 15 digits


def test_engine_without_word_lists_still_applies_the_built_in_rules():
    assert scan("秘密★1年").verdict == "block"
    assert scan("保守国家秘密法").verdict == "pass"
    assert scan("", entries=[WordRule("词", "block")]).findings == []


def test_unknown_severity_is_refused():
    with pytest.raises(ValueError):
        WordRule("词", "warn")


def test_automaton_reports_every_occurrence_and_shared_keywords():
    automaton = KeywordAutomaton([("秘密", "a"), ("秘密", "b"), ("密级", "c"), ("", "ignored")])
    assert len(automaton) == 3
    hits = list(automaton.finditer("秘密级秘密"))
    assert hits == [(0, 2, "a"), (0, 2, "b"), (1, 3, "c"), (3, 5, "a"), (3, 5, "b")]
    assert list(KeywordAutomaton([]).finditer("任何文本")) == []


def test_scanning_is_linear_not_per_word():
    """10,000 words cost no more than 100 words on the same text, give or take (bench/scan.py measures)."""
    import time

    text = "测试市人民政府办公室关于印发工作要点的通知。" * 500
    small = Scanner([WordRule(f"词语{index:05d}", "flag") for index in range(100)])
    large = Scanner([WordRule(f"词语{index:05d}", "flag") for index in range(10_000)])

    def best(scanner):
        timings = []
        for _ in range(5):
            start = time.perf_counter()
            scanner.scan(text)
            timings.append(time.perf_counter() - start)
        return min(timings)

    assert best(large) < best(small) * 5


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("13877120001", ["13877120001"]),
        ("电话13877120001。", ["13877120001"]),
        ("13877120001abc", []),
        ("abc13877120001", []),
        ("138771200012", []),
        ("订单 2138771200012 号", []),
        ("+8613877120001", ["+8613877120001"]),
        ("0086-13877120001", ["0086-13877120001"]),
        ("138 7712 0001、139-7712-0002", ["138 7712 0001", "139-7712-0002"]),
        ("13877120001元", []),
        ("￥13877120001", []),
        ("13877120001.5", []),
    ],
)
def test_mobile_number_boundaries(text, found):
    assert [f.text for f in scan(text).findings if f.rule == rules.MOBILE_NUMBER] == found


@pytest.mark.parametrize(
    "text",
    [
        "答复：秘 密★1年 内容如下",  # a space inside the level word
        "秘\u200b密★1年",  # a zero-width space
        "机\u2060密★10年",  # a word joiner
        "秘密*1年",  # an asterisk for the star
        "機密★一年",  # the traditional form
        "绝　密★长期",  # an ideographic space
    ],
)
def test_a_mark_written_to_slip_past_the_match_still_blocks(text):
    result = scan({"body": text})
    assert result.verdict == "block", text
    finding = result.blocking[0]
    # The finding points at the mark as it was written (positions of the original text).
    assert text[finding.start : finding.end] == finding.text and "密" in finding.text


@pytest.mark.parametrize(
    "text", ["保守国家秘密法 学习", "秘密 花园开放", "普通的 文字 内容", "机密 文件 管理 制度 学习"]
)
def test_spaces_between_ordinary_words_raise_nothing_new(text):
    assert scan({"body": text}).verdict != "block", text
