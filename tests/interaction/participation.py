"""Helpers for the 征集调查 tests: consultations and questionnaires in each state, made as editors do."""

import datetime

from django.test import Client
from django.utils import timezone

from interaction.pages.models import ConsultationPage, QuestionKind, QuestionnairePage, QuestionnaireQuestion
from tests.cms.content import column, publish

DAY = datetime.timedelta(days=1)


def period(state):
    """(opens_at, closes_at) for a page that is upcoming, open or closed now."""
    now = timezone.now()
    return {
        "upcoming": (now + DAY, now + 10 * DAY),
        "open": (now - DAY, now + 10 * DAY),
        "closed": (now - 20 * DAY, now - DAY),
    }[state]


def consultation(state="open", title="关于《城市公共交通条例（征求意见稿）》公开征求意见的公告", **fields):
    opens_at, closes_at = period(state)
    fields.setdefault("body", "<p>第一条 为了规范城市公共交通，制定本条例。</p>")
    fields.setdefault("summary", "现将条例草案公开征求社会各界意见。")
    fields.setdefault("organiser", "市交通运输局政策法规科")
    page = ConsultationPage(title=title, opens_at=opens_at, closes_at=closes_at, **fields)
    return with_link(publish(column("hdjl"), page))


def questionnaire(state="open", title="公交出行满意度调查问卷", **fields):
    opens_at, closes_at = period(state)
    page = QuestionnairePage(title=title, opens_at=opens_at, closes_at=closes_at, **fields)
    page.questions = [
        QuestionnaireQuestion(text="您最常用的出行方式", kind=QuestionKind.SINGLE, options="公交\n地铁\n自驾"),
        QuestionnaireQuestion(
            text="您希望改进哪些方面", kind=QuestionKind.MULTIPLE, options="准点率\n车厢环境\n线路覆盖", required=False
        ),
        QuestionnaireQuestion(text="其他意见建议", kind=QuestionKind.TEXT, required=False),
    ]
    return with_link(publish(column("hdjl"), page))


def with_link(page):
    """The page with ``link``, its path on the site's host, read while the site's schema is active."""
    page.link = page.get_url()
    return page


def questions(page):
    single, multiple, text = page.ordered_questions()
    return single, multiple, text


def client_for(cluster, code, user=None, **kwargs):
    client = Client(HTTP_HOST=cluster.host(code), **kwargs)
    if user is not None:
        client.force_login(user)
    return client
