"""The words people type: the starter synonym list and two-word queries, on every backend.

Part of the backend contract (the ``backend`` fixture runs PostgreSQL always, Elasticsearch when
``ELASTICSEARCH_URL`` is set): synonyms are expanded at query time by the shared parser, so both
engines must answer the same.
"""

import pytest

from search.models import SynonymGroup
from search.query import SearchParams

from .conftest import STARTER, publish_docs, sync
from .corpus import Doc

pytestmark = pytest.mark.django_db

DOCS = {
    doc.key: doc
    for doc in [
        Doc(
            "disclosure-guide",
            "portal",
            "article",
            "测试市人民政府政府信息公开指南",
            "说明本机关主动公开的范围和查阅方式。",
            "公民、法人和其他组织可以通过本网站查阅本机关主动公开的政府信息。",
        ),
        Doc(
            "application-form",
            "portal",
            "article",
            "政府信息公开申请表下载",
            "申请人可下载填写后提交。",
            "申请人可以通过网上、信函或者当面方式提交政府信息公开申请。",
        ),
        Doc(
            "hotline",
            "portal",
            "article",
            "市长热线一季度受理情况通报",
            "一季度共受理群众来电三万余件。",
            "市长热线坚持接诉即办，按时办结率保持在百分之九十八以上。",
        ),
        Doc(
            "housing-fund",
            "portal",
            "article",
            "住房公积金缴存基数调整",
            "每年七月调整一次。",
            "本市住房公积金缴存基数上限按上一年度职工月平均工资的三倍确定。",
        ),
        Doc(
            "traffic-plan",
            "jtj",
            "article",
            "市区交通拥堵治理方案公开征求意见",
            "拟新建三条快速路。",
            "方案依据城市总体规划编制，重点缓解早晚高峰拥堵。",
        ),
        Doc(
            "traffic-only",
            "jtj",
            "article",
            "交通运输安全生产月活动启动",
            "各单位开展安全检查。",
            "全市交通运输系统组织开展隐患排查。",
        ),
        Doc(
            "school-enrolment",
            "jyj",
            "article",
            "关于做好义务教育学校秋季招生工作的通知",
            "公办和民办学校同步招生。",
            "各县（市、区）教育局要按照划片就近原则安排适龄儿童入学。",
        ),
        Doc(
            "school-only",
            "jyj",
            "article",
            "全市中小学开展校园安全大检查",
            "学校食堂和宿舍逐一排查。",
            "各学校要落实安全主体责任。",
        ),
    ]
}


def publish(cluster, backend, *keys):
    entries = publish_docs(cluster, [DOCS[key] for key in keys])
    sync(backend)
    return {entry.pk: key for key, entry in entries.items()}


def found(backend, keys_by_id, q):
    results = backend.run(SearchParams(q=q))
    return {keys_by_id.get(hit.entry.pk, hit.entry.title) for hit in results.hits}


def test_the_starter_list_is_seeded_and_lives_in_the_admin_list(starter_synonyms):
    assert len(starter_synonyms) >= 15
    lines = {str(group) for group in starter_synonyms}
    assert "政务公开 = 政府信息公开 = 政务信息公开" in lines
    assert "12345 = 市长热线 = 12345热线 = 政务服务便民热线" in lines
    # Every group is valid as the admin form would save it: two or more different words.
    for group in starter_synonyms:
        group.full_clean()


def test_without_the_list_the_words_people_use_find_nothing(cluster, backend):
    keys = publish(cluster, backend, "disclosure-guide", "application-form", "hotline", "housing-fund")
    # The positive control of the test below: the official words are found …
    assert found(backend, keys, "政府信息公开") == {"disclosure-guide", "application-form"}
    # … and the reader's words are not, as long as nobody said they mean the same.
    assert SynonymGroup.objects.count() == 0
    assert found(backend, keys, "政务公开") == set()
    assert found(backend, keys, "12345") == set()


def test_the_starter_list_finds_the_official_words(cluster, backend, starter_synonyms):
    keys = publish(cluster, backend, "disclosure-guide", "application-form", "hotline", "housing-fund", "traffic-only")
    assert found(backend, keys, "政务公开") == {"disclosure-guide", "application-form"}
    assert found(backend, keys, "依申请公开") == {"application-form"}
    assert found(backend, keys, "12345") == {"hotline"}
    assert found(backend, keys, "公积金") == {"housing-fund"}
    # Typed with other words around it, the list's entry still counts as one unit.
    assert found(backend, keys, "公积金缴存") == {"housing-fund"}


def test_a_group_the_web_office_removes_stops_matching(cluster, backend, starter_synonyms):
    keys = publish(cluster, backend, "hotline")
    assert found(backend, keys, "12345") == {"hotline"}
    SynonymGroup.objects.get(terms=STARTER.STARTER_SYNONYMS[2]).delete()
    assert found(backend, keys, "12345") == set()


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("交通 规划", {"traffic-plan"}),
        ("交通规划", {"traffic-plan"}),
        ("学校 招生", {"school-enrolment"}),
        ("学校招生", {"school-enrolment"}),
        ("招生 学校", {"school-enrolment"}),
    ],
)
def test_two_words_find_documents_with_both_wherever_they_stand(cluster, backend, q, expected):
    """AND of the segmented words, not a phrase: 交通 in the title, 规划 in the body still match;
    a document with only one of them does not."""
    keys = publish(cluster, backend, "traffic-plan", "traffic-only", "school-enrolment", "school-only")
    assert found(backend, keys, q) == expected
    # Either word alone finds more: asking for both really narrowed the answer.
    if " " in q:
        assert set().union(*(found(backend, keys, word) for word in q.split())) > expected


def test_the_elasticsearch_query_asks_for_every_word_and_each_synonym():
    """The request body the Elasticsearch backend sends (no server needed to read it)."""
    from search.backends.elasticsearch import build_search
    from search.query import parse

    params = SearchParams(q="政务公开 交通 规划")
    params.parsed = parse(params.q, synonyms={"政务公开": ["政府信息公开"], "政府信息公开": ["政务公开"]})
    body = build_search(params).to_dict()
    units = body["query"]["bool"]["must"][0]["bool"]["must"]
    assert len(units) == 3  # one required clause per word: AND, not a phrase of the three
    phrases = [clause["multi_match"]["query"] for clause in units[0]["bool"]["should"]]
    assert "政务 公开" in phrases and "政府 信息 公开" in phrases
    assert units[0]["bool"]["minimum_should_match"] == 1
    assert [clause["multi_match"]["query"] for clause in units[2]["bool"]["should"]] == ["规划", "规划"]
