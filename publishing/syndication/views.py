"""Admin screens of 信息报送 and 变更有效性, on each site's own admin host.

Thin: the rules (who may act, what happens) are in ``services``, ``validity`` and ``permissions``.
The site is always the one being served (``request.tenant``), never a parameter, so nobody can act
on another site's records by editing a URL.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import Page

from cms.models import DisclosureDocumentPage
from sites.access import current_site

from . import permissions, services
from . import validity as validity_service
from .forms import DeclineForm, OfferForm, ValidityForm
from .models import SubmissionStatus


def _site():
    site = current_site()
    if site is None:
        raise Http404
    return site


def index(request):
    site = _site()
    if not permissions.can_view_site(request.user, site):
        raise PermissionDenied
    visible = services.visible_submissions(request.user, site).select_related(
        "source_tenant", "target_tenant", "offered_by", "decided_by"
    )
    received = visible.filter(target_tenant=site)
    decided = list(received.exclude(status=SubmissionStatus.OFFERED)[:50])
    can_offer = permissions.can_offer(request.user, site)
    relays = services.relays_from(site, decided) if can_offer else {}
    for submission in decided:
        submission.relayed = relays.get((submission.source_tenant_id, submission.page_id), [])
        open_relays = [r for r in submission.relayed if r.status != SubmissionStatus.DECLINED]
        submission.may_offer_on = can_offer and submission.status == SubmissionStatus.ADOPTED and not open_relays
    return render(
        request,
        "syndication/index.html",
        {
            "site": site,
            "pending": received.filter(status=SubmissionStatus.OFFERED),
            "decided": decided,
            "made": visible.filter(source_tenant=site)[:100],
            "can_decide": permissions.can_decide(request.user, site),
            "can_offer": can_offer,
            "offers_on": services.target_sites(site).exists(),
            "receives": site.children.exists(),
            "decline_form": DeclineForm(),
        },
    )


def offer(request, page_id):
    site = _site()
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        raise Http404
    if not permissions.can_offer(request.user, site):
        raise PermissionDenied
    choices = services.column_choices(site)
    form = OfferForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        code, column_id = form.target_parts()
        target = services.target_sites(site).filter(code=code).first()
        try:
            if target is None:
                raise services.SubmissionError(_("只能向本站的上级门户报送信息。"))
            services.offer(
                source=site,
                page_id=page.pk,
                target=target,
                column_id=column_id,
                user=request.user,
                note=form.cleaned_data["note"],
                request=request,
            )
        except services.SubmissionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已报送“%(title)s”，请等待门户处理。") % {"title": page.title})
            return redirect("syndication:index")
    return render(request, "syndication/offer.html", {"page": page, "form": form, "has_targets": bool(choices)})


def offer_on(request, pk):
    """信息报送 on up: ``site`` (a city) offers an item it adopted from one of its sites (a county)
    to its own parent (the province). Only an adopted submission to this very site whose original is
    still live qualifies (``services.relayable``); another site's record answers 404 like a missing one."""
    site = _site()
    if not permissions.can_offer(request.user, site):
        raise PermissionDenied
    adopted = services.relayable(site).select_related("source_tenant").filter(pk=pk).first()
    if adopted is None:
        raise Http404
    choices = services.column_choices(site)
    form = OfferForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        code, column_id = form.target_parts()
        target = services.target_sites(site).filter(code=code).first()
        try:
            if target is None:
                raise services.SubmissionError(_("只能向本站的上级门户报送信息。"))
            services.offer(
                source=adopted.source_tenant,
                page_id=adopted.page_id,
                target=target,
                column_id=column_id,
                user=request.user,
                note=form.cleaned_data["note"],
                request=request,
                via=site,
            )
        except services.SubmissionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已继续报送“%(title)s”，请等待上级门户处理。") % {"title": adopted.title})
            return redirect("syndication:index")
    return render(
        request,
        "syndication/offer.html",
        {"page": adopted, "origin": adopted.source_tenant, "form": form, "has_targets": bool(choices)},
    )


@require_POST
def adopt(request, pk):
    site = _site()
    try:
        submission = services.adopt(pk, site=site, user=request.user, request=request)
    except services.SubmissionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已采用“%(title)s”。") % {"title": submission.title})
    return redirect("syndication:index")


@require_POST
def decline(request, pk):
    site = _site()
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("不采用时必须填写理由。"))
        return redirect("syndication:index")
    try:
        submission = services.decline(
            pk, site=site, user=request.user, reason=form.cleaned_data["reason"], request=request
        )
    except services.SubmissionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已退回“%(title)s”。") % {"title": submission.title})
    return redirect("syndication:index")


@require_POST
def withdraw(request, pk):
    site = _site()
    try:
        services.withdraw(pk, site=site, user=request.user, request=request)
    except services.SubmissionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已撤回报送。"))
    return redirect("syndication:index")


def statistics(request):
    site = _site()
    if not permissions.can_view_statistics(request.user, site):
        raise PermissionDenied
    targets, wide = services.statistics_targets(request.user, site, wide=request.GET.get("scope") == "all")
    stats = services.adoption_statistics(targets=targets)
    return render(
        request,
        "syndication/statistics.html",
        {
            "site": site,
            "stats": stats,
            "chart": mark_safe(services.bar_chart_svg(stats)),  # noqa: S308 - built with escape() throughout
            "whole_cluster": wide and targets is None,
            "subtree": wide and targets is not None,
            "may_widen": permissions.sees_wider_statistics(request.user, site),
            "web_office": permissions.is_web_office(request.user),
        },
    )


def change_validity(request, page_id):
    site = _site()
    page = DisclosureDocumentPage.objects.filter(pk=page_id).first()
    if page is None:
        raise Http404
    if not validity_service.can_change(request.user, site):
        raise PermissionDenied
    form = ValidityForm(request.POST or None, initial={"validity": page.current_validity})
    if request.method == "POST" and form.is_valid():
        try:
            validity_service.change_validity(
                page,
                form.cleaned_data["validity"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except validity_service.ValidityError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("“%(title)s”的有效性已变更，所有显示该文件的页面同步更新。") % {"title": page.title}
            )
            return redirect(reverse("wagtailadmin_explore", args=[page.get_parent().pk]))
    return render(request, "syndication/validity.html", {"page": page, "form": form})
