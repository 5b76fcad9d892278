"""Force-publishing by the web office, and the review afterwards (事后审查) by the site's officer.

Only the web office may publish outside the chain, always with a reason, and never content whose
scan blocks it (涉密信息不上网 binds everybody). The item stays flagged until the site's secrecy
officer has reviewed it.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from sites.access import has_site_role, is_web_office
from sites.models import Role

from . import scanning
from .chain import PublishBlocked, display_name
from .models import ForcePublication


def can_force_publish(user):
    return is_web_office(user)


def can_review_afterwards(user):
    return has_site_role(user, Role.SECRECY_OFFICER)


def can_see_oversight(user):
    return is_web_office(user) or has_site_role(user, Role.SECRECY_OFFICER, Role.SITE_ADMIN)


@transaction.atomic
def force_publish(page, user, reason):
    """Publish the page's latest revision outside the chain; returns the ForcePublication row."""
    if not can_force_publish(user):
        raise PermissionDenied("只有网站办可以强制发布。")
    reason = (reason or "").strip()
    if not reason:
        raise PermissionDenied("强制发布必须填写理由。")
    page = page.specific
    revision = page.get_latest_revision()
    if revision is None:
        raise PermissionDenied("该页面没有可发布的版本。")
    report = scanning.report_for(revision)
    if report.is_blocking:
        raise PublishBlocked("保密检查结论为禁止发布（涉密信息不上网），网站办也不能发布。")
    record = ForcePublication.objects.create(
        page=page,
        page_title=page.title,
        revision=revision,
        published_by=user,
        published_by_name=display_name(user),
        reason=reason,
        scan_verdict=report.verdict,
    )
    log(
        instance=page,
        action="review.force_publish",
        user=user,
        data={"reason": reason, "record": record.pk},
        revision=revision,
    )
    # Publishing cancels a chain in progress (WAGTAIL_WORKFLOW_CANCEL_ON_PUBLISH).
    # 三员分立: the system administrator holds no page permission; can_force_publish is the check.
    revision.publish(user=user, skip_permission_checks=True)
    return record


@transaction.atomic
def review_afterwards(record, user, opinion):
    if not can_review_afterwards(user):
        raise PermissionDenied("只有本站保密审查员可以进行事后审查。")
    record = ForcePublication.objects.select_for_update().get(pk=record.pk)
    if not record.is_pending:
        raise PermissionDenied("该记录已完成事后审查。")
    record.reviewed_by = user
    record.reviewed_by_name = display_name(user)
    record.reviewed_at = timezone.now()
    record.review_opinion = opinion.strip()
    record.save(update_fields=["reviewed_by", "reviewed_by_name", "reviewed_at", "review_opinion"])
    if record.page is not None:
        log(
            instance=record.page.specific,
            action="review.after_review",
            user=user,
            data={"opinion": record.review_opinion, "record": record.pk},
        )
    return record
