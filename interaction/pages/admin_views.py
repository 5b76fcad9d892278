"""The staff side of 征集调查 in each site's Wagtail admin: moderating comments, reading answers.

Every view decides access on the server (``moderation.can_moderate`` on the site whose admin this
is, or 403), whatever the menu hides. Rows come from the site's schema only, so an id of another
site's comment is simply not found (404). Each decision is written to the audit log.
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from sites import audit

from . import moderation
from .consultation import CommentStatus, ConsultationComment, ConsultationPage
from .questionnaire import QuestionnairePage

PAGE_SIZE = 50
ACTIONS = {
    "approve": (CommentStatus.APPROVED, False, "已公开该意见。"),
    "adopt": (CommentStatus.APPROVED, True, "已公开该意见并标记为采纳。"),
    "reject": (CommentStatus.REJECTED, False, "该意见不予公开。"),
}


def moderator_site(request):
    site = moderation.site_for_request()
    if not moderation.can_moderate(request.user, site):
        raise PermissionDenied("您在本站没有审核征集意见的权限。")
    return site


def comments(request):
    site = moderator_site(request)
    status = request.GET.get("status", CommentStatus.PENDING)
    queryset = ConsultationComment.objects.select_related("page").order_by("-submitted_at", "-pk")
    if status in CommentStatus.values:
        queryset = queryset.filter(status=status)
    else:
        status = ""
    page_id = request.GET.get("page_id", "")
    if page_id.isdigit():
        queryset = queryset.filter(page_id=int(page_id))
    paginator = Paginator(queryset, PAGE_SIZE)
    listing = paginator.get_page(request.GET.get("p"))
    rows = [(comment, moderation.shown_contact(comment, request.user, site)) for comment in listing]
    return render(
        request,
        "interaction_pages/admin/comments.html",
        {
            "rows": rows,
            "listing": listing,
            "status": status,
            "statuses": CommentStatus.choices,
            "page_id": page_id,
            "consultations": ConsultationPage.objects.order_by("-pk"),
            "questionnaires": QuestionnairePage.objects.order_by("-pk"),
        },
    )


@require_POST
def moderate(request, comment_id):
    site = moderator_site(request)
    comment = get_object_or_404(ConsultationComment, pk=comment_id)
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, "未知的操作。")
    else:
        status, adopted, done = action
        comment.moderate(status, request.user, adopted=adopted)
        audit.record(
            "consultation.comment_moderated",
            actor=request.user,
            tenant_code=site.code,
            target=str(comment.pk),
            request=request,
            status=status,
            adopted=adopted,
            page=comment.page_id,
        )
        messages.success(request, done)
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/admin/") and "//" not in back else "interaction_pages:comments")


def questionnaire_results(request, page_id):
    moderator_site(request)
    page = get_object_or_404(QuestionnairePage, pk=page_id)
    return render(
        request,
        "interaction_pages/admin/questionnaire.html",
        {
            "questionnaire": page,
            "results": page.results(),
            "text_answers": page.text_answers(),
            "response_count": page.response_count(),
        },
    )
