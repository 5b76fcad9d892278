"""信息报送: offering a live item to a portal column, adopting, declining, withdrawing, statistics.

Every function checks who may act (``permissions``) and records an audit event; views stay thin.
Adoption copies nothing: the portal column lists the item from the catalogue (``aggregation``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_tenants.utils import schema_context

from cms.models import ColumnPage
from publishing.catalogue.models import CatalogueEntry
from serving import pagecache
from sites import audit
from sites.models import Tenant
from sites.scope import managed_sites

from . import permissions
from .models import Submission, SubmissionStatus


class SubmissionError(Exception):
    """A 信息报送 action that is not allowed or not possible; the message is for people."""


def target_sites(tenant):
    """Where ``tenant`` may offer items: its parent site (the portal it belongs to)."""
    if tenant is None or tenant.parent_id is None:
        return Tenant.objects.none()
    return Tenant.objects.serving().filter(pk=tenant.parent_id)


def relayable(via):
    """Items ``via`` adopted from its own sites that it may offer on up (信息报送 on up the levels):
    adopted submissions to ``via`` whose original is still in the catalogue."""
    live = CatalogueEntry.objects.live().filter(tenant=OuterRef("source_tenant"), page_id=OuterRef("page_id"))
    return Submission.objects.filter(target_tenant=via, status=SubmissionStatus.ADOPTED).filter(Exists(live))


def relays_from(via, submissions):
    """For adopted ``submissions`` to ``via``: the offers ``via`` made of the same originals to its
    parent, ``{(source site id, page id): [Submission, ...]}`` (what the “继续报送” column shows)."""
    keys = {(s.source_tenant_id, s.page_id) for s in submissions}
    if not keys:
        return {}
    relays = {}
    query = Q()
    for source_id, page_id in keys:
        query |= Q(source_tenant_id=source_id, page_id=page_id)
    offers = Submission.objects.filter(query, target_tenant__in=target_sites(via)).select_related("target_tenant")
    for offer_row in offers.exclude(status=SubmissionStatus.WITHDRAWN).order_by("-offered_at"):
        relays.setdefault((offer_row.source_tenant_id, offer_row.page_id), []).append(offer_row)
    return relays


def column_choices(tenant):
    """Form choices ``"<site code>:<column id>"`` → ``"<site> · <column>"`` for an offering site."""
    choices = []
    for target in target_sites(tenant):
        with schema_context(target.schema_name):
            for column in ColumnPage.objects.live().filter(accepts_submissions=True).order_by("path"):
                path = [a.title for a in column.get_ancestors().filter(depth__gt=2)] + [column.title]
                choices.append((f"{target.code}:{column.pk}", f"{target.name} · {' › '.join(path)}"))
    return choices


def _target_column(target, column_id):
    with schema_context(target.schema_name):
        return ColumnPage.objects.live().filter(pk=column_id, accepts_submissions=True).first()


@transaction.atomic
def offer(*, source, page_id, target, column_id, user, note="", request=None, via=None):
    """Offer the live item ``page_id`` of ``source`` to column ``column_id`` of ``target``.

    With ``via`` (a portal that adopted the item from ``source``, e.g. a city that adopted a
    county's item), ``via`` offers it on to its own parent (the province): the submission keeps
    its origin (``source`` and its page), so the province lists and links the county's original,
    and the item travels only while it is live and public there (the catalogue holds nothing
    else) and only once adopted at each level below.
    """
    offering = via or source
    if not permissions.can_offer(user, offering):
        raise SubmissionError(_("只有本站编辑或站点管理员可以报送信息。"))
    if not target_sites(offering).filter(pk=target.pk).exists():
        raise SubmissionError(_("只能向本站的上级门户报送信息。"))
    if via is not None and not relayable(via).filter(source_tenant=source, page_id=page_id).exists():
        raise SubmissionError(_("只能继续报送本站已采用、原文仍在发布的信息。"))
    entry = CatalogueEntry.objects.filter(tenant=source, page_id=page_id).first()
    if entry is None:
        raise SubmissionError(_("只能报送已发布的信息。"))
    column = _target_column(target, column_id)
    if column is None:
        raise SubmissionError(_("所选栏目不存在或不接受信息报送。"))
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                source_tenant=source,
                page_id=page_id,
                entry=entry,
                title=entry.title,
                url=entry.url,
                target_tenant=target,
                target_column_id=column.pk,
                target_column_title=column.title,
                offered_by=user,
                note=note,
            )
    except IntegrityError as exc:
        raise SubmissionError(_("该信息已报送到这个栏目，正在等待处理或已被采用。")) from exc
    audit.record(
        "submission_offered",
        actor=user,
        tenant_code=offering.code,
        target=f"{entry.title} → {target.code}:{column.title}"[:200],
        request=request,
        submission=submission.pk,
        **({"origin": source.code} if via is not None else {}),
    )
    return submission


def _source_still_live(submission):
    if not CatalogueEntry.objects.filter(tenant=submission.source_tenant, page_id=submission.page_id).exists():
        raise SubmissionError(_("原文已撤下，不能采用。"))


@dataclass(frozen=True)
class Transition:
    """One decision on an open offer: who may make it, from which side, what it records."""

    side: str  # "target": the portal decides; "source": the offering site takes its offer back
    permitted: Callable  # (user, site) -> bool
    refusal: str  # shown when ``permitted`` says no
    event: str  # the audit event
    purges: bool = False  # the portal's column listing changes
    reason_required: str = ""  # if set, a reason must be given, else this is shown
    check: Callable | None = None  # (submission) -> None, raises SubmissionError


TRANSITIONS = {
    SubmissionStatus.ADOPTED: Transition(
        side="target",
        permitted=permissions.can_decide,
        refusal=_lazy("只有门户的编辑或站点管理员可以采用报送信息。"),
        event="submission_adopted",
        purges=True,
        check=_source_still_live,
    ),
    SubmissionStatus.DECLINED: Transition(
        side="target",
        permitted=permissions.can_decide,
        refusal=_lazy("只有门户的编辑或站点管理员可以处理报送信息。"),
        event="submission_declined",
        reason_required=_lazy("不采用时必须填写理由。"),
    ),
    SubmissionStatus.WITHDRAWN: Transition(
        side="source",
        permitted=permissions.can_offer,
        refusal=_lazy("只有本站编辑或站点管理员可以撤回报送。"),
        event="submission_withdrawn",
    ),
}
# Only an open offer is decided; a decided one stays as it is.
DECIDABLE_FROM = SubmissionStatus.OFFERED


def offers_made_by(site):
    """The offers ``site`` made, all to its parent: its own items, and the items it adopted from its
    own sites and offered on. A relay keeps its origin as ``source_tenant`` (the county), so the
    origin's row to the province is the city's offer, not the county's: the county may not take it back."""
    if site is None or site.parent_id is None:
        return Submission.objects.none()
    adopted_here = Submission.objects.filter(
        target_tenant=site,
        status=SubmissionStatus.ADOPTED,
        source_tenant=OuterRef("source_tenant"),
        page_id=OuterRef("page_id"),
    )
    return Submission.objects.filter(target_tenant_id=site.parent_id).filter(
        Q(source_tenant=site) | Exists(adopted_here)
    )


def _open_submission(pk, *, side, site):
    queryset = Submission.objects.select_for_update()
    if side == "target":
        queryset = queryset.filter(target_tenant=site)
    else:
        queryset = queryset.filter(pk__in=offers_made_by(site).values("pk"))
    submission = queryset.filter(pk=pk).first()
    if submission is None:
        # Another site's submission is reported exactly like a missing one: nothing leaks.
        raise SubmissionError(_("报送记录不存在。"))
    if submission.status != DECIDABLE_FROM:
        raise SubmissionError(_("该报送已处理（%(status)s）。") % {"status": submission.get_status_display()})
    return submission


@transaction.atomic
def _decide(pk, status, *, site, user, request=None, reason=""):
    """Move the open offer ``pk`` seen from ``site`` to ``status``: the one transition.

    Checks the actor's permission, the reason where one is required and that the offer is still
    open, runs the rule's own ``check``, saves, records the audit event and
    purges the portal's pages if the column listing changes.
    """
    rule = TRANSITIONS[status]
    if not rule.permitted(user, site):
        raise SubmissionError(str(rule.refusal))
    reason = (reason or "").strip()
    if rule.reason_required and not reason:
        raise SubmissionError(str(rule.reason_required))
    submission = _open_submission(pk, side=rule.side, site=site)
    if rule.check is not None:
        rule.check(submission)
    submission.status = status
    submission.decided_by, submission.decided_at = user, timezone.now()
    fields = ["status", "decided_by", "decided_at"]
    details = {}
    if rule.side == "target":
        details["source"] = submission.source_tenant.code
    if rule.reason_required:
        submission.reason = reason
        fields.append("reason")
        details["reason"] = reason
    submission.save(update_fields=fields)
    audit.record(
        rule.event,
        actor=user,
        tenant_code=site.code,
        target=submission.title[:200],
        request=request,
        submission=submission.pk,
        **details,
    )
    if rule.purges:
        pagecache.purge_site(site)
    return submission


def adopt(pk, *, site, user, request=None):
    """Adopt an offer made to ``site`` (the portal being administered)."""
    return _decide(pk, SubmissionStatus.ADOPTED, site=site, user=user, request=request)


def decline(pk, *, site, user, reason, request=None):
    """Decline an offer made to ``site``; the reason is mandatory and shown to the offering editor."""
    return _decide(pk, SubmissionStatus.DECLINED, site=site, user=user, request=request, reason=reason)


def withdraw(pk, *, site, user, request=None):
    """The offering site takes back an offer that has not been decided yet."""
    return _decide(pk, SubmissionStatus.WITHDRAWN, site=site, user=user, request=request)


# --- What each person sees ---------------------------------------------------------------------


def visible_submissions(user, site):
    """Submissions shown in ``site``'s admin: those it made and those made to it, nothing else.

    The web office sees every submission from the public host (``site`` None).
    """
    if site is None:
        return Submission.objects.all() if permissions.is_web_office(user) else Submission.objects.none()
    if not permissions.can_view_site(user, site):
        return Submission.objects.none()
    return Submission.objects.filter(Q(source_tenant=site) | Q(target_tenant=site))


# --- Statistics ----------------------------------------------------------------------------------


def statistics_targets(user, site, *, wide=False):
    """The sites whose received offers ``site``'s statistics count for ``user``, and whether the
    view is widened: ``site`` alone; with ``wide``, None (every offer) for the cluster's web office
    and its subtree (a Tenant queryset) for a city's on a site of it (sites.scope). Others keep
    ``site`` alone whatever they ask."""
    if not wide or not permissions.sees_wider_statistics(user, site):
        return [site], False
    if permissions.is_web_office(user):
        return None, True
    return managed_sites(user), True


def adoption_statistics(*, target=None, targets=None, since=None):
    """Offers and adoptions per offering site and month: ``{"months": [...], "rows": [...]}``.

    ``target`` limits to offers made to one portal (its admin), ``targets`` to offers made to any
    of several sites (a city web office's subtree); neither is the whole cluster (web office).
    Months are Asia/Shanghai calendar months of the offer.
    """
    submissions = Submission.objects.exclude(status=SubmissionStatus.WITHDRAWN)
    if target is not None:
        submissions = submissions.filter(target_tenant=target)
    if targets is not None:
        submissions = submissions.filter(target_tenant__in=targets)
    if since is not None:
        submissions = submissions.filter(offered_at__gte=since)
    counts = (
        submissions.annotate(month=TruncMonth("offered_at", tzinfo=timezone.get_current_timezone()))
        .values("source_tenant__code", "source_tenant__name", "month")
        .annotate(
            offered=Count("pk"),
            adopted=Count("pk", filter=Q(status=SubmissionStatus.ADOPTED)),
            declined=Count("pk", filter=Q(status=SubmissionStatus.DECLINED)),
        )
        .order_by("source_tenant__code", "month")
    )
    months = sorted({row["month"].strftime("%Y-%m") for row in counts})
    sites = OrderedDict()
    for row in counts:
        site = sites.setdefault(
            row["source_tenant__code"],
            {
                "code": row["source_tenant__code"],
                "name": row["source_tenant__name"],
                "months": {},
                "offered": 0,
                "adopted": 0,
                "declined": 0,
            },
        )
        month = row["month"].strftime("%Y-%m")
        site["months"][month] = {"offered": row["offered"], "adopted": row["adopted"], "declined": row["declined"]}
        for key in ("offered", "adopted", "declined"):
            site[key] += row[key]
    rows = []
    for site in sites.values():
        site["cells"] = [site["months"].get(month, {"offered": 0, "adopted": 0, "declined": 0}) for month in months]
        site["rate"] = round(100 * site["adopted"] / site["offered"]) if site["offered"] else 0
        rows.append(site)
    rows.sort(key=lambda site: (-site["adopted"], site["code"]))
    return {"months": months, "rows": rows}


def bar_chart_svg(statistics, width=640, bar_height=22):
    """A horizontal bar chart (adopted vs offered per site) as inline SVG, drawn on the server.

    No third-party script or CDN: the admin must work inside the government network, and an SVG
    with <title> elements and a text label per bar stays readable by screen readers.
    """
    rows = statistics["rows"]
    label_width, gap = 160, 10
    height = max(1, len(rows)) * (bar_height + gap) + 30
    scale_max = max([row["offered"] for row in rows] + [1])
    plot = width - label_width - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="adoption-chart" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" aria-labelledby="adoption-chart-title">',
        f'<title id="adoption-chart-title">{escape(_("各单位报送与采用数量"))}</title>',
    ]
    for index, row in enumerate(rows):
        y = index * (bar_height + gap) + 5
        offered_w = round(plot * row["offered"] / scale_max)
        adopted_w = round(plot * row["adopted"] / scale_max)
        name = escape(row["name"])
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar_height * 0.7:.0f}" text-anchor="end" font-size="13">{name}</text>'
            f'<rect class="bar-offered" x="{label_width}" y="{y}" width="{offered_w}" height="{bar_height}" '
            f'fill="#c7d2e0"><title>{name} {escape(_("报送"))} {row["offered"]}</title></rect>'
            f'<rect class="bar-adopted" x="{label_width}" y="{y}" width="{adopted_w}" height="{bar_height}" '
            f'fill="#0b4f9c"><title>{name} {escape(_("采用"))} {row["adopted"]}</title></rect>'
            f'<text x="{label_width + offered_w + 6}" y="{y + bar_height * 0.7:.0f}" font-size="12">'
            f"{row['adopted']}/{row['offered']}</text>"
        )
    legend_y = height - 8
    parts.append(
        f'<rect x="{label_width}" y="{legend_y - 10}" width="12" height="12" fill="#0b4f9c"/>'
        f'<text x="{label_width + 16}" y="{legend_y}" font-size="12">{escape(_("采用"))}</text>'
        f'<rect x="{label_width + 70}" y="{legend_y - 10}" width="12" height="12" fill="#c7d2e0"/>'
        f'<text x="{label_width + 86}" y="{legend_y}" font-size="12">{escape(_("报送"))}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
