"""Wiring the review chain into Wagtail's admin.

* Nobody publishes with Wagtail's own "Publish" button: editors have no publish permission, and
  the web office publishes outside the chain only through 强制发布, with a reason. The button is
  removed, and a forged request for it (edit, create, bulk) is refused.
* Every item's header links to its 审核信息 (scan findings in context, steps, 保密审查单).
* After submitting, the editor is told at once when the scan sent the item back, and why.
"""

from django.contrib import messages as django_messages
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.action_menu import ActionMenuItem
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.models import Page, TaskState, WorkflowState

from sites.models import Role
from sites.sso import safe_next

from . import chain, oversight, scanning, urls, views
from .models import ForcePublication


@hooks.register("register_admin_urls")
def register_review_urls():
    return [path("review/", include((urls.urlpatterns, "review"), namespace="review"))]


@hooks.register("register_log_actions")
def register_review_log_actions(actions):
    actions.register_action("review.restart", _("修改后重新审核"), _("审核期间内容被修改，审核从第一个环节重新开始"))
    actions.register_action("review.force_publish", _("强制发布"), _("网站办强制发布（待事后审查）"))
    actions.register_action("review.after_review", _("事后审查"), _("保密审查员完成事后审查"))


# --- The page's 审核信息 --------------------------------------------------------------------------------


class ReviewInfoButton(PageMenuItem):
    label = _("审核信息")
    icon_name = "clipboard-list"
    url_name = "review:page"

    def is_shown(self, user):
        return self.page.specific_class is not None and self.page.permissions_for_user(user).can_edit()


@hooks.register("register_page_header_buttons")
def review_header_buttons(page, user, view_name, next_url=None):
    if page.depth > 1:
        yield ReviewInfoButton(page=page, priority=12)


@hooks.register("register_page_listing_more_buttons")
def review_listing_buttons(page, user, next_url=None):
    if page.depth > 1:
        yield ReviewInfoButton(page=page, priority=12)


# --- No direct publishing ----------------------------------------------------------------------------


class ForcePublishMenuItem(ActionMenuItem):
    label = _("强制发布（网站办）")
    name = "action-force-publish"
    icon_name = "warning"

    def is_shown(self, context):
        return context["view"] == "edit" and oversight.can_force_publish(context["request"].user)

    def get_url(self, parent_context):
        return reverse("review:force_publish", args=[parent_context["page"].pk])


# The review chain's action is the screen's main button; 保存草稿 and the rest are under the arrow.
# Wagtail makes the first item of the list the button: the first of these names found goes first.
PRIMARY_ACTIONS = ("action-page-locked", "action-submit", "action-restart-workflow", "approve")


@hooks.register("construct_page_action_menu")
def remove_publish_button(menu_items, request, context):
    menu_items[:] = [item for item in menu_items if getattr(item, "name", "") != "action-publish"]
    if context.get("view") == "edit" and oversight.can_force_publish(request.user):
        menu_items.append(ForcePublishMenuItem(order=90))
    for name in PRIMARY_ACTIONS:
        primary = next((item for item in menu_items if getattr(item, "name", "") == name), None)
        if primary is not None:
            menu_items.remove(primary)
            menu_items.insert(0, primary)
            break


def _refuse_direct_publish(request, page):
    messages.error(request, "不能直接发布：稿件须经审核流程发布；网站办如确需发布，请使用“强制发布”并填写理由。")
    if oversight.can_force_publish(request.user) and page.pk:
        return redirect("review:force_publish", page.pk)
    return redirect("wagtailadmin_pages:edit", page.pk)


@hooks.register("before_publish_page")
def refuse_publish_button(request, page):
    return _refuse_direct_publish(request, page)


@hooks.register("before_bulk_action")
def refuse_bulk_publish(request, action_type, objects, action_class_instance):
    if action_type == "publish" and any(isinstance(obj, Page) for obj in objects):
        django_messages.error(request, "批量发布不可用：每篇稿件须经审核流程发布。")
        return redirect(safe_next(request.GET.get("next"), request) or reverse("wagtailadmin_home"))
    return None


# --- Telling the editor what the scan found ------------------------------------------------------------


def _auto_rejection(page):
    """The system's rejection of the page's current chain (scan block), or None."""
    state = WorkflowState.objects.for_instance(page).filter(status=WorkflowState.STATUS_NEEDS_CHANGES).first()
    task_state = state.current_task_state if state else None
    if task_state and task_state.status == TaskState.STATUS_REJECTED and task_state.finished_by_id is None:
        return task_state
    return None


def _report_findings(request, page):
    rejection = _auto_rejection(page)
    if rejection is None:
        return
    report = scanning.report_for(rejection.revision)
    button = messages.button(reverse("review:page", args=[page.pk]), "查看检查结果")
    messages.error(request, scanning.findings_comment(report), buttons=[button])


@hooks.register("after_edit_page")
def findings_after_edit(request, page):
    _report_findings(request, page)
    if request.POST.get("action-workflow-action"):
        # 通过 / 退回 from the edit screen's menu: confirmed as on 审核信息.
        views.tell_decision(request, chain.last_decision(page, request.user))


@hooks.register("after_create_page")
def findings_after_create(request, page):
    _report_findings(request, page)


@hooks.register("before_edit_page")
def findings_on_edit_screen(request, page):
    """Show the latest scan's verdict on the edit screen, with the way to the findings in context."""
    if request.method != "GET":
        return
    revision = page.get_latest_revision()
    if revision is None:
        return
    report = scanning.report_for(revision)
    if not report.findings and not report.unchecked:
        return
    button = messages.button(reverse("review:page", args=[page.pk]), "查看检查结果")
    conclusion = report.conclusion
    text = f"保密检查：{conclusion.headline}，{conclusion.counts}"
    if report.unchecked:
        text += f"，{len(report.unchecked)} 个附件未能自动检查"
    if report.is_blocking:
        messages.error(request, text + "。含禁止发布的内容，不能提交发布。", buttons=[button])
    else:
        messages.warning(request, text + "，请审核人员逐一核对。", buttons=[button])


# --- 事后审查 and the audit export ----------------------------------------------------------------------


class AfterReviewMenuItem(MenuItem):
    """事后审查, with the number of force-published items still waiting as its badge."""

    def is_shown(self, request):
        return oversight.can_see_oversight(request.user)

    def render_component(self, request):
        component = super().render_component(request)
        pending = ForcePublication.objects.pending().count()
        if pending:
            component.label = f"{self.label}（{pending} 待审）"
        return component


@hooks.register("register_admin_menu_item")
def register_after_review_menu_item():
    return AfterReviewMenuItem("事后审查", reverse("review:after_review"), icon_name="warning", order=250)


class AuditExportMenuItem(MenuItem):
    def is_shown(self, request):
        return oversight.is_web_office(request.user) or oversight.has_site_role(request.user, Role.SITE_ADMIN)


@hooks.register("register_settings_menu_item")
def register_audit_export_menu_item():
    return AuditExportMenuItem("审计记录导出", reverse("review:audit_export"), icon_name="history", order=620)


class PendingAfterReviewPanel(Component):
    name = "pending_after_review"
    order = 90
    template_name = "review/home_pending_panel.html"

    def __init__(self, records):
        self.records = records

    def get_context_data(self, parent_context):
        return {"records": self.records}


@hooks.register("construct_homepage_panels")
def pending_after_review_panel(request, panels):
    if oversight.can_see_oversight(request.user):
        records = list(ForcePublication.objects.pending()[:10])
        if records:
            panels.append(PendingAfterReviewPanel(records))
