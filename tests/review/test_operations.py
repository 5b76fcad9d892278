"""The worker (outbox + scheduled publishing on every site), the audit export, sanitising on save,
the demo step and the migration of existing sites' steps."""

import csv
import datetime
import io
import json
import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context
from wagtail.models import GroupApprovalTask, Task

from cms.models import ArticlePage, TopicPage
from cms.sanitize import sanitize_rich_text
from publishing.review.models import ConfidentialityRecord, ReviewStepTask, ScanReport
from sites.models import Role
from tests.cms import content
from tests.engines import RecordingEngine

from .conftest import approve_all, draft, submit

pytestmark = pytest.mark.django_db


# --- run_worker -----------------------------------------------------------------------------------


def test_run_worker_once_drains_the_outbox_and_runs_scheduled_publishing_on_every_site(cluster, settings, people):
    settings.CMS_OUTBOX_ENGINES = {"recorder": "tests.engines.RecordingEngine"}
    RecordingEngine.calls, RecordingEngine.down = [], False
    past = timezone.now() - datetime.timedelta(minutes=5)
    scheduled = {}
    for code in ("jtj", "jyj"):
        connection.set_tenant(cluster.sites[code])
        page = draft(cluster.user(code, Role.EDITOR), title=f"{code} 定时发布的通知")
        # What the chain's last approval leaves for a future go-live time: an approved revision.
        revision = page.get_latest_revision()
        revision.approved_go_live_at = past
        revision.save(update_fields=["approved_go_live_at"])
        expiring = content.article(title=f"{code} 到期下线的通知")
        ArticlePage.objects.filter(pk=expiring.pk).update(expire_at=past)
        scheduled[code] = (page.pk, expiring.pk)
    connection.set_schema_to_public()
    call_command("run_worker", "--once", stdout=open("/dev/null", "w"))
    for code, (page_id, expiring_id) in scheduled.items():
        with schema_context(code):
            assert ArticlePage.objects.get(pk=page_id).live, code
            expired = ArticlePage.objects.get(pk=expiring_id)
            assert not expired.live and expired.expired, code
    published = {(code, page_id) for code, page_id, _title in RecordingEngine.calls}
    assert ("jtj", scheduled["jtj"][0]) in published and ("jyj", scheduled["jyj"][0]) in published


def test_a_scheduled_blocked_revision_is_never_published_and_other_sites_still_run(cluster, people):
    connection.set_tenant(cluster.sites["jtj"])
    page = draft(people["editor"], body="<p>秘密★5年</p>")
    revision = page.get_latest_revision()
    revision.approved_go_live_at = timezone.now() - datetime.timedelta(minutes=1)
    revision.save(update_fields=["approved_go_live_at"])
    connection.set_tenant(cluster.sites["jyj"])
    other = draft(cluster.user("jyj", Role.EDITOR), title="jyj 定时")
    other_revision = other.get_latest_revision()
    other_revision.approved_go_live_at = timezone.now() - datetime.timedelta(minutes=1)
    other_revision.save(update_fields=["approved_go_live_at"])
    connection.set_schema_to_public()
    from publishing.catalogue.scheduling import run_scheduled_everywhere

    results = run_scheduled_everywhere()
    assert "PublishBlocked" in results["jtj"] and results["jyj"] == ""
    with schema_context("jtj"):
        assert not ArticlePage.objects.get(pk=page.pk).live
    with schema_context("jyj"):
        assert ArticlePage.objects.get(pk=other.pk).live


def test_compose_worker_runs_run_worker():
    import yaml

    from tests.deploy import DOCKER

    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))
    assert compose["services"]["worker"]["command"] == ["python", "manage.py", "run_worker"]


# --- The audit trail ------------------------------------------------------------------------------


def test_audit_csv_per_site_and_period(client, cluster, jtj, people):
    page = draft(people["editor"], title="关于审计导出的测试文章")
    submit(page, people["editor"])
    approve_all(page, people)
    today = timezone.localdate().isoformat()
    url = reverse("review:audit_export") + f"?from={today}&to={today}"
    client.force_login(people["site_admin"])
    response = client.get(url, HTTP_HOST="jtj.localhost")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff时间,站点,页面ID,标题,操作")
    lines = [line for line in text.splitlines() if "关于审计导出的测试文章" in line]
    actions = [line.split(",")[5] for line in lines]
    for action in ("wagtail.workflow.start", "wagtail.workflow.approve", "wagtail.publish"):
        assert action in actions, action
    assert any(str(people["secrecy_officer"]) in line and "保密审查" in line for line in lines)
    # Another period has none of it; an editor may not export; a bad date is refused.
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    old = client.get(reverse("review:audit_export") + f"?from={yesterday}&to={yesterday}", HTTP_HOST="jtj.localhost")
    assert "关于审计导出的测试文章" not in old.content.decode()
    assert (
        client.get(reverse("review:audit_export") + "?from=2026-13-01&to=x", HTTP_HOST="jtj.localhost").status_code
        == 400
    )
    client.force_login(people["editor"])
    refused = client.get(url, HTTP_HOST="jtj.localhost")
    assert refused.status_code in (302, 403) and "关于审计导出的测试文章" not in refused.content.decode()
    # Another site's admin exports their own site only.
    client.force_login(cluster.user("jyj", Role.SITE_ADMIN))
    other = client.get(url, HTTP_HOST="jyj.localhost")
    assert other.status_code == 200 and "关于审计导出的测试文章" not in other.content.decode("utf-8")


def test_export_audit_command_writes_the_file(tmp_path, jtj, people, cluster):
    page = draft(people["editor"], title="命令行导出的文章")
    submit(page, people["editor"])
    approve_all(page, people)
    connection.set_schema_to_public()
    today = timezone.localdate().isoformat()
    target = tmp_path / "audit.csv"
    call_command("export_audit", "--site", "jtj", "--from", today, "--to", today, "--output", str(target))
    data = target.read_bytes()
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8")
    assert "命令行导出的文章" in text and "wagtail.workflow.approve" in text
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("export_audit", "--site", "nosuch", "--from", today, "--to", today)


FORMULA_TITLES = ["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


def test_audit_csv_writes_formula_titles_as_text(client, cluster, jtj, people):
    """A title a spreadsheet would run as a formula is exported with a leading ', a plain one unchanged."""
    plain = "关于公交线路调整的通知"
    for number, title in enumerate([plain, *FORMULA_TITLES]):
        submit(draft(people["editor"], title=title, slug=f"formula-{number}"), people["editor"])
    today = timezone.localdate().isoformat()
    client.force_login(people["site_admin"])
    response = client.get(reverse("review:audit_export") + f"?from={today}&to={today}", HTTP_HOST="jtj.localhost")
    assert response.status_code == 200
    titles = {row[3] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert plain in titles  # positive control: ordinary text is written as it is
    for title in FORMULA_TITLES:
        assert "'" + title in titles and title not in titles, title
    # The command writes the same file.
    connection.set_schema_to_public()
    target = io.StringIO()
    call_command("export_audit", "--site", "jtj", "--from", today, "--to", today, stdout=target)
    exported = {row[3] for row in csv.reader(io.StringIO(target.getvalue().lstrip("\ufeff")))}
    assert "'=cmd|' /C calc'!A0" in exported and plain in exported


@pytest.mark.parametrize(
    "value, written",
    [
        ("=1+1", "'=1+1"),
        ("+86 0771", "'+86 0771"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("交通运输局", "交通运输局"),
        ("a=b", "a=b"),
        ("", ""),
        (-1, -1),
        (None, None),
    ],
)
def test_a_cell_that_would_start_a_formula_is_marked_as_text(value, written):
    from sites.spreadsheet import original_cell, safe_cell

    assert safe_cell(value) == written
    assert original_cell(safe_cell(value)) == value


# --- Sanitising on save ---------------------------------------------------------------------------

HOSTILE = (
    '<p>正文<script>alert(1)</script><img src=x onerror="alert(2)"></p>'
    '<p><a href="javascript:alert(3)">链接</a><a href="https://evil.example.com/x">外链</a></p>'
    '<svg onload="alert(4)"><circle/></svg><p onclick="alert(5)" style="x:expression(alert(6))">段落</p>'
    '<iframe src="javascript:alert(7)"></iframe><a href="data:text/html;base64,PHNjcmlwdD4=">数据</a>'
)


class ExecutableMarkup(HTMLParser):
    """Collects what a browser would execute: active elements, event handlers, script URLs."""

    def __init__(self, tags):
        super().__init__()
        self.tags = tags
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in self.tags:
            self.found.append(tag)
        for name, value in attrs:
            value = (value or "").strip().lower().replace("\t", "")
            if name.startswith("on") or value.startswith(("javascript:", "data:text", "vbscript:")):
                self.found.append(f"{tag}[{name}={value}]")


def executable_markup(html, tags=("script", "iframe", "object", "embed", "svg", "math", "style")):
    """Executable markup in ``html``; for a whole themed page pass ``tags=("iframe", "object")`` (the
    theme's own scripts and icons are not content), its inline scripts are searched for the payload."""
    parser = ExecutableMarkup(tags)
    parser.feed(html)
    inline = re.findall(r"<script[^>]*>(.*?)</script>", html, flags=re.S)
    return parser.found + [script for script in inline if "alert(" in script]


def test_sanitize_rich_text_keeps_wagtails_internal_links_and_images():
    html = (
        '<p><a linktype="page" id="3">站内</a><a href="https://evil.example.com/">外</a></p>'
        '<embed alt="图" embedtype="image" format="left" id="5"/><p><a linktype="page" id="3 onclick=x">坏</a></p>'
    )
    cleaned = sanitize_rich_text(html + HOSTILE)
    assert '<a linktype="page" id="3">站内</a>' in cleaned
    assert '<embed alt="图" embedtype="image" format="left" id="5"/>' in cleaned
    assert 'rel="noopener noreferrer"' in cleaned and 'data-external="1"' in cleaned
    assert "<a>坏</a>" in cleaned
    # Wagtail's own image embed is rendered by Wagtail as an <img>; nothing else active is left.
    assert executable_markup(cleaned, tags=("script", "iframe", "object", "svg", "math", "style")) == []
    assert "<script" not in cleaned and "onerror" not in cleaned and "javascript:" not in cleaned


def test_rich_text_and_streamfield_html_are_sanitised_on_save_and_in_revisions(jtj, people):
    page = draft(people["editor"], body=HOSTILE)
    stored = ArticlePage.objects.get(pk=page.pk)
    assert executable_markup(stored.body) == [] and "正文" in stored.body
    revision_body = stored.get_latest_revision().content["body"]
    assert executable_markup(revision_body) == []
    # A live page's edits exist only as a revision (the admin does not save the row): cleaned too.
    live = content.article(title="已发布文章")
    edited = ArticlePage.objects.get(pk=live.pk)
    edited.body = HOSTILE
    revision = edited.save_revision(user=people["editor"])
    assert executable_markup(revision.content["body"]) == []
    topic = content.publish(content.home(), TopicPage(title="专题", slug="zt-xss", body=[("paragraph", HOSTILE)]))
    assert executable_markup(str(topic.body)) == [] and "段落" in str(topic.body)


def test_a_hostile_payload_saved_through_the_admin_never_renders_as_markup(client, cluster, jtj, people):
    page = draft(people["editor"], title="经后台保存的文章")
    entity_urls = ["javascript:alert(1)", "jav&#x09;ascript:alert(2)", '" onmouseover="alert(3)', "data:text/html,x"]
    blocks = [
        {
            "key": f"k{index}",
            "type": "unstyled",
            "text": f"链接{index} <script>alert(9)</script><img src=x onerror=alert(8)>",
            "depth": 0,
            "inlineStyleRanges": [],
            "entityRanges": [{"offset": 0, "length": 3, "key": index}],
        }
        for index in range(len(entity_urls))
    ]
    entity_map = {
        str(index): {"type": "LINK", "mutability": "MUTABLE", "data": {"url": url}}
        for index, url in enumerate(entity_urls)
    }
    client.force_login(people["editor"])
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        {
            "title": page.title,
            "slug": page.slug,
            "source": "办公室",
            "summary": '<script>alert("summary")</script>',
            "body": json.dumps({"blocks": blocks, "entityMap": entity_map}),
            "attachments-count": "0",
        },
        HTTP_HOST="jtj.localhost",
    )
    assert response.status_code == 302
    stored = ArticlePage.objects.get(pk=page.pk)
    # It went through the sanitiser (Wagtail's data-block-key attributes are not on the allow-list).
    assert "data-block-key" not in stored.body and "链接0" in stored.body
    submit(stored, people["editor"])
    approve_all(stored, people)
    live = ArticlePage.objects.get(pk=page.pk)
    assert live.live
    html = client.get(live.url, HTTP_HOST="jtj.localhost").content.decode()
    assert "链接0" in html
    assert executable_markup(html, tags=("iframe", "object", "embed")) == []
    assert "alert(9)" not in html.replace("&lt;script&gt;alert(9)&lt;/script&gt;", "")


# --- The demo step and the migration --------------------------------------------------------------


def test_demo_step_gives_a_reviewed_item_with_its_sheet_and_a_blocked_draft(cluster, jtj):
    from demo import review as demo

    connection.set_schema_to_public()
    demo.seed(step=lambda text: None)
    demo.seed(step=lambda text: None)  # idempotent
    with schema_context("jtj"):
        reviewed = ArticlePage.objects.get(title=demo.REVIEWED_TITLE)
        assert reviewed.live
        record = ConfidentialityRecord.objects.get(page=reviewed)
        assert record.approved and len(record.steps) == 3
        blocked = ArticlePage.objects.get(title=demo.BLOCKED_TITLE)
        assert not blocked.live
        report = ScanReport.objects.get(revision=blocked.latest_revision)
        assert report.verdict == "block" and report.findings[0]["text"] == "秘密★1年"


def test_existing_sites_plain_steps_become_review_steps(jtj):
    from importlib import import_module

    migration = import_module("publishing.review.migrations.0002_existing_steps_become_review_steps")
    from django.contrib.auth.models import Group

    old = GroupApprovalTask.objects.create(name="jtj·保密审查")
    old.groups.set([Group.objects.get(name="jtj·保密审查员")])
    unrelated = GroupApprovalTask.objects.create(name="网站办自定义任务")
    with connection.schema_editor() as editor:
        migration.convert(apps, editor)
        migration.convert(apps, editor)  # idempotent
    converted = Task.objects.get(pk=old.pk).specific
    assert isinstance(converted, ReviewStepTask) and converted.step == "confidentiality_review"
    assert converted.name == "jtj·保密审查" and list(converted.groups.all()) == list(old.groups.all())
    assert type(Task.objects.get(pk=unrelated.pk).specific) is GroupApprovalTask
