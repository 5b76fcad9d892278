"""The cluster catalogue follows every publish, unpublish, move and delete, in the same transaction."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from publishing.catalogue.engines import drain
from publishing.catalogue.models import CatalogueEntry, OutboxEvent
from tests.cms import content
from tests.engines import RecordingEngine

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorder(settings):
    settings.CMS_OUTBOX_ENGINES = {"recorder": "tests.engines.RecordingEngine"}
    RecordingEngine.calls = []
    RecordingEngine.down = False
    yield RecordingEngine
    RecordingEngine.down = False


@pytest.fixture
def jtj(cluster):
    connection.set_tenant(cluster.sites["jtj"])
    return cluster.sites["jtj"]


def row(tenant, page):
    return CatalogueEntry.objects.filter(tenant=tenant, page_id=page.pk).first()


def test_publishing_writes_the_row_and_an_outbox_event(jtj, recorder):
    article = content.article(title="市交通运输局召开冬季安全生产会议")
    entry = row(jtj, article)
    assert entry is not None
    assert entry.content_type == "article"
    assert entry.column_class == "news"
    assert entry.url == iri_to_uri("http://jtj.localhost/zwdt/gzdt/" + article.slug + "/")
    assert "压实安全生产责任" in entry.body_text
    assert entry.published_at == article.first_published_at
    events = OutboxEvent.objects.filter(tenant_code="jtj", page_id=article.pk)
    assert [(e.engine, e.action) for e in events] == [("recorder", "publish")]


def test_disclosure_metadata_is_in_the_row(jtj, recorder):
    document = content.disclosure()
    entry = row(jtj, document)
    assert entry.content_type == "disclosure"
    assert entry.index_number == document.index_number and entry.index_number.startswith("014207265/")
    assert entry.document_number == "江交发〔2026〕12号"
    assert entry.validity == document.validity
    assert entry.written_date == document.written_date


def test_unpublish_and_delete_remove_the_row(jtj, recorder):
    first, second = content.article(title="第一条"), content.article(title="第二条")
    first.unpublish()
    assert row(jtj, first) is None
    second.delete()
    assert row(jtj, second) is None
    actions = list(OutboxEvent.objects.filter(tenant_code="jtj").order_by("id").values_list("action", flat=True))
    # Wagtail unpublishes a live page before deleting it; the delete then finds no row left.
    assert actions == ["publish", "publish", "unpublish", "unpublish"]


def test_a_move_rewrites_url_and_column(jtj, recorder):
    article = content.article(title="移动到通知公告")
    notices = content.column("tzgg")
    article.move(notices, pos="last-child")
    entry = row(jtj, article)
    assert entry.column_class == "notice"
    assert entry.url.endswith(iri_to_uri("/tzgg/" + article.slug + "/"))


def test_a_rolled_back_publish_leaves_no_row(jtj, recorder):
    from cms.models import ArticlePage

    column = content.column("gzdt")
    page = column.add_child(instance=ArticlePage(title="回滚的发布", live=False))
    with pytest.raises(RuntimeError), transaction.atomic():
        page.save_revision().publish()
        assert row(jtj, page) is not None  # written inside the publish transaction
        raise RuntimeError("the publish fails after the catalogue was written")
    assert row(jtj, page) is None
    assert not OutboxEvent.objects.filter(page_id=page.pk, tenant_code="jtj").exists()


def test_drafts_never_reach_the_catalogue(jtj, recorder):
    from cms.models import ArticlePage

    page = content.column("gzdt").add_child(instance=ArticlePage(title="只是草稿", live=False))
    page.save_revision()
    assert row(jtj, page) is None


def test_outbox_retries_with_backoff_and_loses_nothing(jtj, recorder):
    article = content.article(title="引擎故障期间发布")
    connection.set_schema_to_public()
    recorder.down = True
    assert drain() == (0, 1)
    event = OutboxEvent.objects.get(page_id=article.pk, tenant_code="jtj")
    assert event.attempts == 1 and event.done_at is None and "unavailable" in event.last_error
    assert event.next_attempt_at > timezone.now()
    assert drain() == (0, 0)  # not due yet
    recorder.down = False
    assert drain(now=timezone.now() + timedelta(minutes=5)) == (1, 0)
    assert recorder.calls == [("jtj", article.pk, "引擎故障期间发布")]
    assert OutboxEvent.objects.pending().count() == 0


def test_several_changes_of_one_item_are_applied_once(jtj, recorder):
    article = content.article(title="多次修改")
    article.title = "多次修改（更正）"
    article.save_revision().publish()
    connection.set_schema_to_public()
    assert drain() == (2, 0)
    assert recorder.calls == [("jtj", article.pk, "多次修改（更正）")]


def test_run_worker_command_once_drains_the_outbox(jtj, recorder, capsys):
    content.article(title="命令行处理发件箱")
    connection.set_schema_to_public()
    call_command("run_worker", "--once", "--no-schedule")
    assert len(recorder.calls) == 1
    assert "已处理 1" in capsys.readouterr().out


def test_reconcile_reports_and_repairs_differences(jtj, recorder, capsys):
    kept, renamed, lost = content.article(title="保留"), content.article(title="改名"), content.article(title="丢失")
    connection.set_schema_to_public()
    CatalogueEntry.objects.filter(page_id=renamed.pk, tenant=jtj).update(title="错误的标题")
    CatalogueEntry.objects.filter(page_id=lost.pk, tenant=jtj).delete()
    ghost = CatalogueEntry.objects.get(page_id=kept.pk, tenant=jtj)
    ghost.pk, ghost.page_id = None, 999999
    ghost.save()
    call_command("reconcile_catalog", "--site", "jtj", "--dry-run", verbosity=0)
    assert "缺少 1 条，过期 1 条，多余 1 条" in capsys.readouterr().out
    assert CatalogueEntry.objects.get(page_id=renamed.pk, tenant=jtj).title == "错误的标题"
    call_command("reconcile_catalog", "--site", "jtj", verbosity=0)
    assert CatalogueEntry.objects.get(page_id=renamed.pk, tenant=jtj).title == "改名"
    assert CatalogueEntry.objects.filter(page_id=lost.pk, tenant=jtj).exists()
    assert not CatalogueEntry.objects.filter(page_id=999999, tenant=jtj).exists()
    call_command("reconcile_catalog", "--site", "jtj", "--dry-run", verbosity=0)
    assert "缺少 0 条，过期 0 条，多余 0 条" in capsys.readouterr().out


def _body_text_as_written_before(page):
    """The body text as the catalogue computed it before pages described their own rows."""
    import html

    from django.db import models
    from django.utils.html import strip_tags
    from wagtail.fields import RichTextField, StreamField
    from wagtail.models import Page

    metadata = ["index_number", "document_number", "publisher", "written_date", "topic_category", "genre"]
    metadata += ["keywords", "validity"]
    parts = []
    for field in page._meta.concrete_fields:
        if field.model is Page or field.choices or field.name in metadata:
            continue
        if not isinstance(field, (RichTextField, StreamField, models.CharField, models.TextField)):
            continue
        value = getattr(page, field.name)
        if value in (None, ""):
            continue
        if isinstance(field, StreamField):
            text = " ".join(strip_tags(str(part)) for part in field.stream_block.get_searchable_content(value))
        elif isinstance(field, RichTextField):
            text = html.unescape(strip_tags(value))
        else:
            text = str(value)
        if text.strip():
            parts.append(text.strip())
    return "\n".join(parts)


def test_rows_written_before_still_match_their_pages(jtj, recorder, capsys):
    """Pages describe their own rows now (catalogue_values); the text is what it was, so
    reconcile finds rows written earlier current."""
    from wagtail.models import Page

    pages = content.every_page_type()
    topic = pages["topic"]
    topic.body = [
        ("paragraph", "<p>第一段&amp;说明。</p><p>第二段</p>"),
        ("quick_links", {"title": "", "links": [{"title": "链接一", "page": None, "url": ""}]}),
        ("paragraph", "<p>末段</p>"),
    ]
    topic.save_revision().publish()
    attached = content.article(
        title="带附件的文章",
        body="<p>甲</p><p>乙 &lt;丙&gt;</p>",
        attachments=[
            ("attachment", {"document": content.document(), "title": "附件一"}),
            ("attachment", {"document": content.document(), "title": ""}),
            ("attachment", {"document": content.document(), "title": "附件三"}),
        ],
    )
    checked = 0
    for page in [*pages.values(), attached]:
        page = Page.objects.get(pk=page.pk).specific
        if getattr(page, "catalogue_type", None):
            assert page.catalogue_text() == _body_text_as_written_before(page), page.title
            checked += 1
    assert checked == 7
    call_command("reconcile_catalog", "--site", "jtj", "--dry-run", verbosity=0)
    assert "缺少 0 条，过期 0 条，多余 0 条" in capsys.readouterr().out
