"""发稿量 and the 政府网站工作年度报表: figures from known data, manual entries kept, the report's page in
the review chain, the exports, the screens' isolation and the January reminder.

The session's sites are shared with other tests: every figure is asserted as the difference made
by the rows this test creates, or on a year nobody else writes.
"""

import datetime
import io
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.models import TaskState, WorkflowState

from cms.models import ArticlePage, DisclosureDocumentPage, Genre, TopicPage
from interaction import services
from interaction.models import Message, Status
from interaction.pages.models import ConsultationPage, QuestionnairePage, QuestionnaireResponse
from publishing.catalogue.models import CatalogueEntry
from supervision.reports import annual, exports, figures, publication, reminders
from supervision.reports.models import AnnualReport
from supervision.traffic.models import DailyTotal
from tests.cms import content
from tests.factories import user_with_role
from tests.refusals import is_refused

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year


def values(tenant, year=THIS_YEAR):
    return annual.compute(tenant, year)["values"]


def published_by(editor, parent, page):
    """Publish ``page`` under ``parent`` from a revision written by ``editor`` (the 发稿 author)."""
    page.live = False
    page.owner = editor
    parent.add_child(instance=page)
    # As the chain's last approval does (publishing.review.chain.publish_approved).
    page.save_revision(user=editor).publish(user=editor, skip_permission_checks=True)
    page.refresh_from_db()
    return page


def message(cluster, code="jtj", **changes):
    data = {
        "kind": "consult",
        "subject": "公交线路调整咨询",
        "body": "请问 12 路公交车什么时候恢复原线路运行？",
        "name": "张三",
        "phone": "13812345678",
        "consent": True,
    }
    data.update(changes)
    return services.submit_message(cluster.sites[code], data)


@pytest.fixture
def jtj(cluster):
    connection.set_tenant(cluster.sites["jtj"])
    yield cluster.sites["jtj"]
    connection.set_schema_to_public()


# --- The annual report's figures -------------------------------------------------------------------


def test_report_figures_count_what_was_made(cluster, jtj):
    editor = cluster.user("jtj", "editor")
    before = values(jtj)
    for number in range(3):
        published_by(
            editor, content.column("gzdt"), ArticlePage(title=f"交通动态{number}", source="办公室", body="<p>正文</p>")
        )
    content.publish(content.column("gkxx"), content.InformationPage(title="机构简介", body="<p>本机关…</p>"))
    content.disclosure(title="关于道路运输管理的通知")
    content.publish(content.home(), TopicPage(title="安全生产月专题", slug="aqscy", intro="专题", body=[]))
    connection.set_schema_to_public()
    answered = message(cluster, subject="答复后公开的留言")
    message(cluster, subject="尚在办理的留言")
    Message.objects.filter(pk=answered.pk).update(
        status=Status.ANSWERED, answered_at=timezone.now(), published_page_id=12345
    )

    after = values(jtj)
    delta = {
        key: after[key] - before[key]
        for key in after
        if isinstance(after[key], int) and not isinstance(after[key], bool)
    }
    assert delta["info_total"] == 5  # 3 news, 1 overview, 1 disclosure; the topic page is counted apart
    assert delta["info_news"] == 3
    assert delta["info_overview"] == 1
    assert delta["info_disclosure"] == 1
    assert delta["topics_new"] == 1 and delta["topics_maintained"] == 1
    assert delta["messages_received"] == 2
    assert delta["messages_answered"] == 1
    assert delta["messages_published"] == 1
    assert after["site_name"] == jtj.name and after["site_type"] == "部门网站"
    assert after["home_url"].startswith("http") and "jtj.localhost" in after["home_url"]


def test_consultations_and_questionnaires_of_the_year(cluster, jtj):
    zone = timezone.get_current_timezone()
    opens, closes = datetime.datetime(2012, 3, 1, tzinfo=zone), datetime.datetime(2012, 3, 31, tzinfo=zone)
    consultation = content.publish(
        content.column("hdjl"),
        ConsultationPage(
            title="关于公交线网优化方案的意见征集",
            body="<p>征求意见稿</p>",
            opens_at=opens,
            closes_at=closes,
            feedback="<p>共收到意见 2 条，采纳 1 条。</p>",
        ),
    )
    consultation.add_comment(text="建议增加夜班线路。")
    consultation.add_comment(text="建议延长末班车时间。")
    survey = content.publish(
        content.column("hdjl"),
        QuestionnairePage(title="公交出行满意度调查", opens_at=opens, closes_at=closes, results_public=True),
    )
    QuestionnaireResponse.objects.create(page=survey)
    content.publish(
        content.column("hdjl"),
        ConsultationPage(
            title="上一年的征集",
            body="<p>稿</p>",
            opens_at=opens.replace(year=2011),
            closes_at=closes.replace(year=2011),
        ),
    )
    connection.set_schema_to_public()
    data = values(jtj, 2012)
    assert (data["surveys"], data["survey_opinions"], data["survey_results"]) == (2, 3, 2)


def test_portal_registration_data_is_copied(cluster):
    data = values(cluster.sites["portal"])
    assert data["site_type"] == "政府门户网站"
    assert data["site_identifier"] == "1234000001"
    assert data["icp_number"] == "测ICP备12345678号"
    assert data["police_record_number"] == "测公网安备 12345678901234号"
    assert data["sponsor"] == "测试市人民政府办公室"


def test_traffic_totals_and_the_note_without_data(cluster):
    jtj = cluster.sites["jtj"]
    DailyTotal.objects.create(tenant=jtj, day=datetime.date(2001, 3, 1), views=100, visitors=10)
    DailyTotal.objects.create(tenant=jtj, day=datetime.date(2001, 3, 2), views=50, visitors=5)
    with_data = annual.compute(jtj, 2001)
    assert with_data["values"]["views"] == 150 and with_data["values"]["visitors"] == 15
    without = annual.compute(jtj, 2002)
    assert without["values"]["views"] == 0 and without["values"]["visitors"] == 0
    assert any("没有访问日志统计数据" in note for note in without["notes"])


def test_manual_entries_survive_regeneration(cluster, client):
    jtj = cluster.sites["jtj"]
    admin = cluster.user("jtj", "site_admin")
    report = annual.generate(jtj, 2003)
    client.force_login(admin)
    url = "/admin/supervision/reports/annual/jtj/2003/"
    response = client.post(
        url,
        {
            "action": "save",
            "interviews": "4",
            "weibo_name": "测试交通发布",
            "security_monitoring": "1",
            "innovation": ["无障碍浏览"],
        },
        HTTP_HOST="jtj.localhost",
    )
    assert response.status_code == 302
    DailyTotal.objects.create(tenant=jtj, day=datetime.date(2003, 5, 1), views=7, visitors=3)
    assert client.post(url, {"action": "generate"}, HTTP_HOST="jtj.localhost").status_code == 302
    annual.generate(jtj, 2003)  # and once more outside the screen
    report.refresh_from_db()
    assert report.manual == {
        "interviews": 4,
        "weibo_name": "测试交通发布",
        "security_monitoring": True,
        "innovation": ["无障碍浏览"],
    }
    assert report.figures["values"]["views"] == 7
    shown = {
        label: value
        for _section, _group, label, value, _unit, field in annual.rows(report)
        if field.key in report.manual
    }
    assert shown["访谈期数"] == "4" and shown["是否建立安全监测预警机制"] == "是"


# --- The report's page goes through review ---------------------------------------------------------


def test_draft_enters_the_review_chain_and_is_not_live(cluster):
    jtj = cluster.sites["jtj"]
    admin = cluster.user("jtj", "site_admin")
    report = annual.generate(jtj, 2004)
    page = publication.submit_draft(report, user=admin)
    report.refresh_from_db()
    assert report.page_id == page.pk
    connection.set_tenant(jtj)
    page = DisclosureDocumentPage.objects.get(pk=page.pk)
    assert not page.live and page.genre == Genre.ANNUAL_REPORT
    assert page.get_parent().specific.slug == "gknb" or page.get_parent().get_parent().slug == "gknb"
    body = page.get_latest_revision_as_object().body
    assert "<table>" in body and 'rowspan="9"' in body  # 基本信息 spans its 9 rows, kept by the sanitiser
    assert "收到留言数量" in body
    state = WorkflowState.objects.for_instance(page).get(status=WorkflowState.STATUS_IN_PROGRESS)
    assert state.requested_by == admin
    assert state.current_task_state.task.specific.step == "first_review"
    connection.set_schema_to_public()
    assert not CatalogueEntry.objects.filter(tenant=jtj, page_id=page.pk).exists()
    assert publication.page_state(report)["in_review"] is True
    # Submitting again after regeneration keeps one page and one workflow in progress.
    annual.generate(jtj, 2004)
    again = publication.submit_draft(report, user=admin)
    assert again.pk == page.pk
    connection.set_tenant(jtj)
    assert WorkflowState.objects.for_instance(page).filter(status=WorkflowState.STATUS_IN_PROGRESS).count() == 1


# --- Exports ---------------------------------------------------------------------------------------


def test_xlsx_reads_back_with_the_right_cells(cluster):
    jtj = cluster.sites["jtj"]
    DailyTotal.objects.create(tenant=jtj, day=datetime.date(2005, 6, 1), views=321, visitors=45)
    report = annual.generate(jtj, 2005)
    report.manual = {"interviews": 2, "weibo_name": '=HYPERLINK("http://evil.example","点此")'}
    report.save()
    sheet = load_workbook(io.BytesIO(exports.xlsx_bytes(report))).active
    assert sheet["A1"].value == f"{jtj.name}2005年政府网站工作年度报表"
    cells = {row[1]: row for row in sheet.iter_rows(min_row=3, values_only=True) if row[1]}
    assert cells["网站名称"][2] == jtj.name
    assert cells["网站总访问量"][2] == 321 and cells["网站总访问量"][3] == "次"
    assert cells["独立用户访问总量"][2] == 45
    assert cells["访谈期数"][2] == 2
    # A formula typed into a manual field stays text.
    weibo = next(row for row in sheet.iter_rows(min_row=3) if row[1].value == "名称" and "微博" in row[0].value)
    assert weibo[2].data_type == "s" and weibo[2].value.startswith("'=")


def test_pdf_starts_with_the_pdf_signature(cluster):
    # make test installs chromium (scripts/system-packages.sh), as for the browser tests: no skip.
    assert exports.chromium_path() is not None
    report = annual.generate(cluster.sites["jtj"], 2006)
    assert exports.pdf_bytes(report).startswith(b"%PDF")


def test_missing_chromium_is_a_clear_message_not_a_500(cluster, client, settings):
    settings.CMS_CHROMIUM = "/nonexistent/chromium"
    report = annual.generate(cluster.sites["jtj"], 2007)
    with pytest.raises(exports.PdfUnavailable, match="Chromium"):
        exports.pdf_bytes(report)
    client.force_login(cluster.user("jtj", "site_admin"))
    response = client.get(
        "/admin/supervision/reports/annual/jtj/2007/?format=pdf", HTTP_HOST="jtj.localhost", follow=True
    )
    assert response.status_code == 200
    assert "未找到 Chromium 浏览器" in response.content.decode()


def test_command_generates_and_writes_the_xlsx(cluster, tmp_path):
    target = tmp_path / "report.xlsx"
    out = StringIO()
    call_command("annual_report", "--site", "jtj", "--year", "2008", "--xlsx", str(target), stdout=out)
    assert "2008年政府网站工作年度报表" in out.getvalue()
    assert load_workbook(target).active["A1"].value.endswith("2008年政府网站工作年度报表")
    assert AnnualReport.objects.filter(tenant=cluster.sites["jtj"], year=2008).exists()


# --- 发稿量 ----------------------------------------------------------------------------------------


def _approve_chain(page, people):
    for role, data in (
        ("reviewer", {"comment": "同意"}),
        ("site_admin", {}),
        ("secrecy_officer", {"disclosure_attribute": "proactive", "opinion": "不涉密，同意公开。"}),
    ):
        page = type(page).objects.get(pk=page.pk)
        state = page.current_workflow_task_state
        state.task.specific.on_action(state, people[role], "approve", **data)


def test_publishing_figures_by_column_month_editor_and_review_turnaround(cluster, jtj):
    editor = user_with_role("jtj_writer_figures", "editor", jtj)
    editor.full_name = "王撰稿"
    editor.save()
    people = {role: cluster.user("jtj", role) for role in ("reviewer", "site_admin", "secrecy_officer")}
    before = figures.site_figures(jtj, THIS_YEAR)
    for number in range(2):
        page = ArticlePage(
            title=f"经审核发布的动态{number}", source="办公室", body="<p>正文</p>", live=False, owner=editor
        )
        content.column("gzdt").add_child(instance=page)
        page.save_revision(user=editor)
        page.get_workflow().start(page, editor)
        _approve_chain(page, people)
    first_step = TaskState.objects.filter(
        task__name__endswith="编辑初审",
        status=TaskState.STATUS_APPROVED,
        revision__object_id__in=[
            str(pk)
            for pk in ArticlePage.objects.filter(title__startswith="经审核发布的动态").values_list("pk", flat=True)
        ],
    ).order_by("pk")
    for state, hours in zip(first_step, (2, 4), strict=True):
        TaskState.objects.filter(pk=state.pk).update(started_at=state.finished_at - datetime.timedelta(hours=hours))
    assert ArticlePage.objects.filter(title__startswith="经审核发布的动态", live=True).count() == 2
    connection.set_schema_to_public()

    after = figures.site_figures(jtj, THIS_YEAR)
    assert after["total"] - before["total"] == 2
    assert {row["editor"]: row["count"] for row in after["by_editor"]}["王撰稿"] == 2
    month = timezone.localdate().strftime("%Y-%m")
    assert {row["month"]: row["count"] for row in after["by_month"]}[month] >= 2
    mine = [row for row in after["rows"] if row["editor"] == "王撰稿"]
    assert mine == [{"month": month, "column": "工作动态", "editor": "王撰稿", "count": 2}]
    review = {step["step"]: step for step in after["review"]}
    assert (
        review["first_review"]["approvals"] - {s["step"]: s for s in before["review"]}["first_review"]["approvals"] == 2
    )
    if before["review"][0]["approvals"] == 0:
        assert review["first_review"]["median_hours"] == 3.0
    month_only = figures.site_figures(jtj, THIS_YEAR, timezone.localdate().month)
    assert month_only["period"] == f"{THIS_YEAR}年{timezone.localdate().month}月"


def test_csv_export_guards_against_formulas(cluster, client, jtj):
    editor = user_with_role("jtj_formula_editor", "editor", jtj)
    editor.full_name = "=cmd|'/c calc'!A0"
    editor.save()
    published_by(editor, content.column("gzdt"), ArticlePage(title="普通动态", source="办公室", body="<p>正文</p>"))
    connection.set_schema_to_public()
    client.force_login(cluster.user("jtj", "site_admin"))
    response = client.get(f"/admin/supervision/reports/figures/?year={THIS_YEAR}&format=csv", HTTP_HOST="jtj.localhost")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "站点代码,站点,月份,栏目,编辑,发稿量" in text
    assert "'=cmd|'/c calc'!A0" in text or "\"'=cmd|'/c calc'!A0\"" in text
    assert "\n=cmd" not in text and ",=cmd" not in text


# --- Who sees what ---------------------------------------------------------------------------------


def test_site_admin_sees_only_their_site(cluster, client):
    annual.generate(cluster.sites["jyj"], 2009)
    annual.generate(cluster.sites["jtj"], 2009)
    client.force_login(cluster.user("jtj", "site_admin"))
    own = {"HTTP_HOST": "jtj.localhost"}
    # Positive controls: the same screens open for their own site.
    assert client.get("/admin/supervision/reports/figures/", **own).status_code == 200
    assert client.get("/admin/supervision/reports/annual/jtj/2009/", **own).status_code == 200
    assert client.get("/admin/supervision/reports/annual/", **own).status_code == 200
    # Another site's figures and report, through their own site's admin (Wagtail turns the 403 of
    # an admin view into a redirect to the dashboard with a message).
    host = "jtj.localhost"
    assert is_refused(client.get("/admin/supervision/reports/figures/?year=2026&site=jyj", **own), host)
    assert is_refused(client.get("/admin/supervision/reports/annual/jyj/2009/", **own), host)
    assert is_refused(client.get("/admin/supervision/reports/annual/jyj/2009/?format=xlsx", **own), host)
    assert is_refused(client.post("/admin/supervision/reports/annual/jyj/2009/", {"action": "generate"}, **own), host)
    assert is_refused(client.post("/admin/supervision/reports/annual/", {"site": "jyj", "year": "2009"}, **own), host)
    assert AnnualReport.objects.get(tenant=cluster.sites["jyj"], year=2009).updated_by is None
    # And through the other site's admin.
    other = "jyj.localhost"
    assert is_refused(client.get("/admin/supervision/reports/figures/", HTTP_HOST=other), other)
    assert is_refused(client.get("/admin/supervision/reports/annual/jyj/2009/", HTTP_HOST=other), other)
    listing = client.get("/admin/supervision/reports/annual/", **own).content.decode()
    assert cluster.sites["jyj"].name not in listing


def test_a_mistyped_year_is_refused_not_a_500(cluster, client):
    client.force_login(cluster.user("jtj", "site_admin"))
    host = {"HTTP_HOST": "jtj.localhost"}
    response = client.post("/admin/supervision/reports/annual/", {"site": "jtj", "year": "20255"}, follow=True, **host)
    assert response.status_code == 200 and "年度应为" in response.content.decode()
    assert client.post("/admin/supervision/reports/annual/jtj/0/", {"action": "generate"}, **host).status_code == 404
    assert not AnnualReport.objects.filter(tenant=cluster.sites["jtj"], year__in=[0, 20255]).exists()


@pytest.mark.parametrize("role", ["editor", "reviewer", "secrecy_officer", "handler"])
def test_other_roles_see_nothing(cluster, client, role):
    annual.generate(cluster.sites["jtj"], 2010)
    client.force_login(cluster.user("jtj", role))
    host = {"HTTP_HOST": "jtj.localhost"}
    for url in (
        "/admin/supervision/reports/figures/",
        "/admin/supervision/reports/annual/",
        "/admin/supervision/reports/annual/jtj/2010/",
    ):
        assert is_refused(client.get(url, **host), "jtj.localhost"), url
    # The menu (rendered from JSON by the sidebar) does not offer the screens.
    assert "/admin/supervision/reports/" not in client.get("/admin/", **host).content.decode()


def test_web_office_sees_every_site(cluster, client):
    annual.generate(cluster.sites["jyj"], 2011)
    client.force_login(cluster.user(None, "web_office"))
    host = {"HTTP_HOST": "jtj.localhost"}
    response = client.get("/admin/supervision/reports/figures/?year=2026&site=jyj", **host)
    assert response.status_code == 200 and cluster.sites["jyj"].name in response.content.decode()
    everything = client.get("/admin/supervision/reports/figures/?year=2026", **host).content.decode()
    assert cluster.sites["jyj"].name in everything and cluster.sites["portal"].name in everything
    assert client.get("/admin/supervision/reports/annual/jyj/2011/", **host).status_code == 200
    assert "/admin/supervision/reports/figures/" in client.get("/admin/", **host).content.decode()


# --- The January reminder --------------------------------------------------------------------------


def test_january_reminder_once_a_week_until_published(cluster):
    jtj = cluster.sites["jtj"]
    admin = cluster.user("jtj", "site_admin")
    admin.email = "jtj-admin@example.gov.cn"
    admin.save()
    year = 2030  # the report for 2029 is due by 2030-01-31

    def sent(day):
        mail.outbox.clear()
        codes = [code for code, _recipients in reminders.january_reminders(day)]
        mine = [message for message in mail.outbox if admin.email in message.to]
        return "jtj" in codes, mine

    assert sent(datetime.date(year, 1, 1)) == (False, [])  # reminders start on 2 January
    reminded, messages = sent(datetime.date(year, 1, 2))
    assert reminded and len(messages) == 1 and "2029年政府网站工作年度报表" in messages[0].subject
    assert sent(datetime.date(year, 1, 2)) == (False, [])  # run twice the same day: one e-mail
    assert sent(datetime.date(year, 1, 8)) == (False, [])  # six days later: not yet
    reminded, messages = sent(datetime.date(year, 1, 9))
    assert reminded and len(messages) == 1
    assert sent(datetime.date(year, 2, 6)) == (False, [])  # after January: none

    # Published: no more reminders.
    connection.set_tenant(jtj)
    page = content.disclosure(title="2029年政府网站工作年度报表", genre=Genre.ANNUAL_REPORT, document_number="")
    connection.set_schema_to_public()
    AnnualReport.objects.create(tenant=jtj, year=2029, page_id=page.pk)
    assert reminders.is_published(jtj, 2029)
    assert sent(datetime.date(year, 1, 16)) == (False, [])


def test_remind_command_takes_an_explicit_day(cluster):
    out = StringIO()
    call_command("annual_report", "--remind", "--today", "2031-03-01", stdout=out)
    assert "2031-03-01：发送 0 个站点的年度报表提醒。" in out.getvalue()
