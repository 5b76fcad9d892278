"""Tokens, identifiers and tsvector literals (no database)."""

from search import text
from search.query import parse


def test_words_are_split_into_their_parts_never_across_them():
    assert text.parts("人民政府") == ("人民", "政府")
    assert text.parts("民政局") == ("民政", "局")
    assert "民政" not in text.tokens("测试市人民政府办公室")
    assert text.tokens("测试市民政局") == ["测试", "市", "民政", "局"]


def test_identifiers_are_recognised_whatever_the_brackets():
    for typed in (
        "通政办发〔2012〕216号",
        "通政办发[2012]216号",
        "通政办发（2012）216号",
        "通政办发【2012】０２１６号",
    ):
        assert text.document_number_key(typed) == "通政办发〔2012〕216号"
    assert text.index_number_key("014207264/2012-04779") == "014207264/2012-04779"
    assert text.document_number_key("没有文号") == ""


def test_tsvector_literal_weights_positions_and_quoting():
    literal = text.tsvector_literal([("A", "人民政府"), ("C", "it's 政府")])
    assert "'人民':1A" in literal
    assert "'政府':2A," in literal and literal.count("'政府'") == 1
    assert "'it':" in literal


def test_query_syntax():
    parsed = parse('交通运输 "安全生产" -招聘 -"临时 工作"', synonyms={})
    assert [unit.alternatives for unit in parsed.required] == [[("交通", "运输")], [("安全", "生产")]]
    assert [unit.alternatives for unit in parsed.excluded] == [[("招聘",)], [("临时", "工作")]]
    with_synonyms = parse("医疗保障报销", synonyms={"医疗保障": ["医保"], "医保": ["医疗保障"]})
    assert with_synonyms.required[0].alternatives == [("医疗", "保障"), ("医保",)]
    assert parse("通政办发〔2012〕216号", synonyms={}).document_number == "通政办发〔2012〕216号"
