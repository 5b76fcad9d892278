"""调查问卷: one submission per browser, refused outside its period, the charts' figures from known
responses, short-text answers for the site's staff only; the column and the catalogue."""

import re

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from interaction.pages.models import QuestionnaireAnswer, QuestionnairePage
from publishing.catalogue.models import CatalogueEntry
from tests.cms.content import column

from .participation import client_for, period, questionnaire, questions

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _generous_limit(settings):
    settings.CMS_PARTICIPATION_LIMIT_PER_IP = 1000


def make(cluster, state="open", code="jtj", **fields):
    with tenant_context(cluster.sites[code]):
        return questionnaire(state, **fields)


def count(cluster, page, code="jtj"):
    with tenant_context(cluster.sites[code]):
        return QuestionnairePage.objects.get(pk=page.pk).response_count()


def submit(client, page, **answers):
    client.get(page.link)
    token = client.cookies.get("csrftoken")  # a closed page has no form, hence no token
    data = {"csrfmiddlewaretoken": token.value} if token else {}
    data.update(answers)
    return client.post(page.link + "submit/", data)


def answers_for(cluster, page, single="公交", multiple=("准点率",), text=""):
    with tenant_context(cluster.sites["jtj"]):
        one, many, free = questions(page)
    return {one.field_name: single, many.field_name: list(multiple), free.field_name: text}


def record(cluster, page, *submissions):
    """Known responses through the model API: each a (single, [multiple], text)."""
    with tenant_context(cluster.sites["jtj"]):
        one, many, free = questions(page)
        for single, multiple, text in submissions:
            page.record_response({one: single, many: multiple, free: text})


def test_a_submission_counts_once_per_browser(cluster):
    page = make(cluster)
    browser = client_for(cluster, "jtj", enforce_csrf_checks=True)
    first = submit(browser, page, **answers_for(cluster, page))
    assert first.status_code == 302 and first.cookies[f"questionnaire_{page.pk}"]["httponly"]
    done = browser.get(first["Location"]).content.decode()
    assert "提交成功" in done and "调查结果" in done and 'name="csrfmiddlewaretoken"' not in done
    again = submit(browser, page, **answers_for(cluster, page, single="地铁"))
    assert again.status_code == 409 and "您已参与过本次调查" in again.content.decode()
    assert count(cluster, page) == 1
    # A cookie the browser made up is not the signed one: that browser is counted as new.
    forger = client_for(cluster, "jtj")
    forger.cookies[f"questionnaire_{page.pk}"] = "1"
    assert submit(forger, page, **answers_for(cluster, page)).status_code == 302
    # Positive control: another browser is counted.
    assert submit(client_for(cluster, "jtj"), page, **answers_for(cluster, page)).status_code == 302
    assert count(cluster, page) == 3


def test_submissions_are_refused_before_and_after_the_period_and_need_the_required_answers(cluster):
    for state, words in (("upcoming", "尚未开始"), ("closed", "已结束")):
        page = make(cluster, state=state, title=f"问卷 {state}")
        refused = submit(client_for(cluster, "jtj"), page, **answers_for(cluster, page))
        assert refused.status_code == 403 and words in refused.content.decode()
        assert count(cluster, page) == 0
    page = make(cluster)
    missing = submit(client_for(cluster, "jtj"), page, **answers_for(cluster, page, single=""))
    assert missing.status_code == 400 and "请回答此题" in missing.content.decode()
    bogus = submit(client_for(cluster, "jtj"), page, **answers_for(cluster, page, single="飞机"))
    assert bogus.status_code == 400 and "请从列出的选项中选择" in bogus.content.decode()
    assert count(cluster, page) == 0


def test_the_honeypot_and_the_rate_limit(cluster, settings):
    page = make(cluster)
    bot = submit(client_for(cluster, "jtj"), page, homepage="x", **answers_for(cluster, page))
    assert bot.status_code == 302 and count(cluster, page) == 0
    settings.CMS_PARTICIPATION_LIMIT_PER_IP = 1
    address = {"REMOTE_ADDR": "203.0.113.41"}
    assert submit(client_for(cluster, "jtj", **address), page, **answers_for(cluster, page)).status_code == 302
    assert submit(client_for(cluster, "jtj", **address), page, **answers_for(cluster, page)).status_code == 429
    assert count(cluster, page) == 1


def test_the_charts_show_the_known_responses(cluster):
    page = make(cluster, state="closed")
    record(
        cluster,
        page,
        ("公交", ["准点率", "车厢环境"], ""),
        ("公交", ["准点率"], ""),
        ("地铁", [], ""),
        ("公交", ["线路覆盖"], ""),
    )
    with tenant_context(cluster.sites["jtj"]):
        single, multiple = QuestionnairePage.objects.get(pk=page.pk).results()
    assert single["respondents"] == 4
    assert [(o["label"], o["count"], o["percent"]) for o in single["options"]] == [
        ("公交", 3, 75.0),
        ("地铁", 1, 25.0),
        ("自驾", 0, 0.0),
    ]
    # Three people answered the multiple-choice question (one skipped it): percentages of those three.
    assert multiple["respondents"] == 3
    assert [(o["label"], o["count"], o["percent"]) for o in multiple["options"]] == [
        ("准点率", 2, 66.7),
        ("车厢环境", 1, 33.3),
        ("线路覆盖", 1, 33.3),
    ]
    html = client_for(cluster, "jtj").get(page.link).content.decode()
    assert 'data-option="公交" data-percent="75.0"' in html and "3 票，75.0%" in html
    assert re.search(r'<rect class="participation__bar-fill" x="0" y="0" width="75\.0"', html)
    assert "<script" not in html.split("</head>", 1)[1]  # no chart script: the CSP allows none inline


def test_results_stay_hidden_when_the_editors_keep_them_private(cluster):
    page = make(cluster, state="closed", results_public=False)
    record(cluster, page, ("公交", [], ""))
    assert "调查结果" not in client_for(cluster, "jtj").get(page.link).content.decode()


def test_short_text_answers_are_never_public(cluster):
    page = make(cluster)
    secret = "建议在人民路增设站点XYZ"
    browser = client_for(cluster, "jtj")
    assert submit(browser, page, **answers_for(cluster, page, text=secret)).status_code == 302
    with tenant_context(cluster.sites["jtj"]):
        assert QuestionnaireAnswer.objects.filter(text=secret).exists()
    assert secret not in browser.get(page.link + "?done=1").content.decode()
    opens_at, closes_at = period("closed")
    with tenant_context(cluster.sites["jtj"]):  # the clock moves past the closing time
        QuestionnairePage.objects.filter(pk=page.pk).update(opens_at=opens_at, closes_at=closes_at)
    assert secret not in client_for(cluster, "jtj").get(page.link).content.decode()
    entry = CatalogueEntry.objects.get(tenant=cluster.sites["jtj"], page_id=page.pk)
    assert secret not in entry.body_text
    results = f"/admin/participation/questionnaires/{page.pk}/"
    assert secret in client_for(cluster, "jtj", cluster.user("jtj", "editor")).get(results).content.decode()
    assert secret in client_for(cluster, "jtj", cluster.user(None, "web_office")).get(results).content.decode()
    anonymous = client_for(cluster, "jtj").get(results)
    assert anonymous.status_code == 302 and secret not in anonymous.content.decode()
    outsider = client_for(cluster, "jtj", cluster.user("jyj", "editor")).get(results)
    assert outsider.status_code in (302, 403) and secret not in outsider.content.decode()


def test_a_questionnaire_is_listed_in_its_column_and_in_the_catalogue(cluster):
    page = make(cluster)
    with tenant_context(cluster.sites["jtj"]):
        assert page.pk in [item.pk for item in column("hdjl").items()]
        column_link = column("hdjl").get_url()
    entry = CatalogueEntry.objects.get(tenant=cluster.sites["jtj"], page_id=page.pk)
    assert entry.content_type == "questionnaire" and entry.content_type_label == "调查问卷"
    assert page.title in client_for(cluster, "jtj").get(column_link).content.decode()
    connection.set_schema_to_public()


def test_the_admin_add_and_edit_screens_open_for_an_editor(cluster):
    page = make(cluster)
    with tenant_context(cluster.sites["jtj"]):
        hdjl = column("hdjl").pk
    editor = client_for(cluster, "jtj", cluster.user("jtj", "editor"))
    assert editor.get(f"/admin/pages/add/interaction_pages/questionnairepage/{hdjl}/").status_code == 200
    edit = editor.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert "您最常用的出行方式" in edit and 'name="questions-TOTAL_FORMS"' in edit
    # The 征集调查 menu entry: for the site's editors, not for its 保密审查员.
    assert "/admin/participation/comments/" in editor.get("/admin/").content.decode()
    secrecy = client_for(cluster, "jtj", cluster.user("jtj", "secrecy_officer")).get("/admin/")
    assert "/admin/participation/comments/" not in secrecy.content.decode()
