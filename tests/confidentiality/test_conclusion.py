"""A scan's conclusion never contradicts its counts: both come from the same findings.

The word-list summary once read "保密检查结论：未发现问题（…发现 2 处）": two suggestions of a word
list leave the verdict "pass", and the verdict's label was shown as the conclusion.
"""

import io

import pytest
from django.core.management import call_command

from publishing.confidentiality import wordlists
from publishing.confidentiality.conclusion import conclude

pytestmark = pytest.mark.django_db


@pytest.fixture
def word_lists():
    wordlists.import_csv("规范用语", "word,severity,replacement\n张明园,suggest,张明远\n一把手,suggest,主要负责人\n")
    wordlists.import_csv("敏感词", "word,severity\n群体上访,flag\n")


def scanned(text):
    result = wordlists.scan_fields({"正文": text})
    conclusion = conclude(result.findings)
    # The same list both ways: the verdict of the scan and the number of findings.
    assert conclusion.verdict == result.verdict
    assert conclusion.total == len(result.findings)
    # Stored reports keep findings as dicts: the same conclusion from them.
    assert conclude([finding.as_dict() for finding in result.findings]) == conclusion
    return conclusion


def test_no_findings(word_lists):
    conclusion = scanned("市交通运输局召开冬季道路运输安全工作会议。认真学习保守国家秘密法。")
    assert conclusion.headline == "未发现问题"
    assert str(conclusion) == "未发现问题（发现 0 处）"


def test_only_word_list_suggestions_are_not_called_no_problem(word_lists):
    conclusion = scanned("副市长张明园出席会议，单位一把手要亲自抓。")
    assert conclusion.verdict == "pass"
    assert conclusion.headline == "无需人工审核，有修改建议"
    assert "未发现问题" not in str(conclusion)
    assert conclusion.counts == "发现 2 处：修改建议 2 处（词库词语 2 处）"


def test_a_flagged_word_needs_a_reviewer(word_lists):
    conclusion = scanned("防止出现群体上访。副市长张明园出席。")
    assert conclusion.headline == "需人工审核"
    assert conclusion.counts == "发现 2 处：需人工审核 1 处（词库词语 1 处）；修改建议 1 处（词库词语 1 处）"


def test_personal_data(word_lists):
    conclusion = scanned("联系人手机13877120001，身份证号11010519491231002X。")
    assert conclusion.headline == "需人工审核"
    assert conclusion.total == 2
    assert "手机号码 1 处" in conclusion.counts and "身份证号 1 处" in conclusion.counts


def test_classification_marks_block(word_lists):
    conclusion = scanned("机密★10年\n请各单位报送，联系人手机13877120001。副市长张明园出席。")
    assert conclusion.headline == "禁止发布"
    assert conclusion.counts.startswith("发现 3 处：禁止发布 1 处（密级标志 1 处）；需人工审核 1 处（手机号码 1 处）")
    assert conclusion.counts.endswith("修改建议 1 处（词库词语 1 处）")


def test_scan_text_prints_the_same_conclusion(word_lists, tmp_path):
    path = tmp_path / "稿件.txt"
    path.write_text("副市长张明园出席会议，单位一把手要亲自抓。", encoding="utf-8")
    out = io.StringIO()
    call_command("scan_text", str(path), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "检查结论：无需人工审核，有修改建议"
    assert lines[1] == "发现 2 处：修改建议 2 处（词库词语 2 处）。"
