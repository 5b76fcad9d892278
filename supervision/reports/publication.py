"""Putting the annual report on the site: a draft 政府信息公开文件 (体裁 年度报告) in the site's
政府信息公开年报 column (slug ``gknb``), submitted into the site's own review chain.

Nothing is published here: the report goes through 初审 → 复审 → 保密审查 like any item (先审后发),
and the chain's last approval publishes it (publishing/review/chain.py). Regenerating after
submission writes a new revision; an edit in review restarts the chain from its first step.
"""

from django.utils import timezone
from django_tenants.utils import tenant_context
from wagtail.models import WorkflowState

from cms.models import AnnualReportIndexPage, ColumnPage, DisclosureDocumentPage, Genre, TopicCategory
from publishing.review import chain

from . import annual, exports

REPORT_COLUMN = "gknb"


class PublicationError(Exception):
    """The report cannot be put on the site; the message is for people."""


def _parent():
    column = ColumnPage.objects.filter(slug=REPORT_COLUMN).first()
    if column is None:
        raise PublicationError("本站没有“政府信息公开年报”栏目（gknb），无法生成年度报表页面。")
    index = AnnualReportIndexPage.objects.child_of(column).first()
    return index or column


def _fill(page, report):
    page.title = annual.title(report)
    page.genre = Genre.ANNUAL_REPORT
    page.topic_category = TopicCategory.GENERAL
    page.keywords = "年度报表 政府网站"
    page.summary = f"{report.tenant.name}{report.year}年政府网站工作年度报表（国办函〔2018〕12号）。"
    page.body = str(exports.table_html(report))
    if page.written_date is None:
        page.written_date = timezone.localdate()


def submit_draft(report, user=None):
    """Write the report's page as a draft revision by ``user`` (None: 系统) and start the site's
    review chain on it; returns the page. The report remembers the page."""
    with tenant_context(report.tenant):
        page = None
        if report.page_id:
            page = DisclosureDocumentPage.objects.filter(pk=report.page_id).first()
        if page is None:
            page = DisclosureDocumentPage(live=False, owner=user, slug=f"wzgzndbb-{report.year}", written_date=None)
            _fill(page, report)
            _parent().add_child(instance=page)
        else:
            _fill(page, report)
        page.save_revision(user=user)
        page = DisclosureDocumentPage.objects.get(pk=page.pk)
        # In review already: saving the revision restarted the chain (publishing.review's
        # post_save receiver). Sent back for changes: resubmitting resumes that workflow.
        returned = WorkflowState.objects.for_instance(page).filter(status=WorkflowState.STATUS_NEEDS_CHANGES).first()
        if returned is not None:
            returned.resume(user)
        elif chain.current_state(page) is None:
            workflow = page.get_workflow()
            if workflow is None:
                raise PublicationError("本站没有审核流程，不能提交年度报表。")
            workflow.start(page, user)
        page.refresh_from_db()
    report.page_id = page.pk
    report.submitted_at = timezone.now()
    report.save(update_fields=["page_id", "submitted_at"])
    return page


def page_state(report):
    """{"live": bool, "in_review": bool, "step": name or ""} of the report's page, or None."""
    if not report.page_id:
        return None
    with tenant_context(report.tenant):
        page = DisclosureDocumentPage.objects.filter(pk=report.page_id).first()
        if page is None:
            return None
        state = chain.current_state(page)
        task_state = state.current_task_state if state else None
        return {
            "live": page.live,
            "in_review": state is not None,
            "step": task_state.task.name if task_state else "",
            "url": page.full_url if page.live else "",
        }
