"""Figures for the annual reports: 互动交流 per site and period, and 依申请公开 in the categories of
table 三 of the national 信息公开年报 template (收到和处理政府信息公开申请情况).

The application figures balance the way the template's reviewers check them:
上年结转 + 本年新收 = 本年度办理结果（总计）+ 结转下年度继续办理. An application is received on the
day receipt was confirmed (条例 art. 31(3)), or the day it was submitted while not yet confirmed
(it is on the desk already and must be carried over if unanswered); it is finished on the local
date it was answered. So one received in December and answered in January is 本年新收 and
结转下年度 in December's report and 上年结转 with its outcome in January's.

Dates are local (Asia/Shanghai): an answer given at 00:30 on 1 January belongs to the new year.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from . import workdays
from .models import (
    OUTCOME_REASONS,
    ApplicantType,
    ApplicationStatus,
    DisclosureApplication,
    Kind,
    Message,
    Outcome,
    Status,
)


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive

    @classmethod
    def year(cls, year):
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    def __contains__(self, day):
        return day is not None and self.start <= day <= self.end

    @property
    def label(self):
        if (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31) and (
            self.start.year == self.end.year
        ):
            return f"{self.start.year}年"
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"


def _local_date(moment):
    return timezone.localdate(moment) if moment else None


# --- 互动交流 --------------------------------------------------------------------------------------


@dataclass
class MessageFigures:
    received: int = 0
    answered: int = 0
    invalid: int = 0
    published: int = 0
    overdue: int = 0
    forwarded_in: int = 0
    open_at_end: int = 0
    handling_workdays: list = field(default_factory=list)
    by_kind: dict = field(default_factory=dict)

    @property
    def average_workdays(self):
        """Average working days from receipt to the approved answer (None when nothing was answered)."""
        if not self.handling_workdays:
            return None
        return round(sum(self.handling_workdays) / len(self.handling_workdays), 1)


def message_figures(tenant, period, today=None):
    """Messages the site handles (written to it and kept, or forwarded to it) in ``period``.

    * received: received in the period; answered / invalid / published: finished in the period;
    * overdue: received in the period and answered after its due date, or still open past it at
      the end of the period (or today, if the period has not ended yet).
    """
    today = today or timezone.localdate()
    cutoff = min(period.end, today)
    figures = MessageFigures(by_kind={kind.value: {"label": kind.label, "received": 0, "answered": 0} for kind in Kind})
    overrides = workdays._overrides()
    rows = (
        Message.objects.of_site(tenant)
        .filter(received_on__lte=period.end)
        .values("tenant_id", "kind", "status", "received_on", "due_date", "answered_at", "published_page_id")
    )
    for row in rows:
        answered_on = _local_date(row["answered_at"])
        received_here = row["received_on"] in period
        if received_here:
            figures.received += 1
            figures.by_kind[row["kind"]]["received"] += 1
            if row["tenant_id"] != tenant.pk:
                figures.forwarded_in += 1
        if row["status"] == Status.ANSWERED and answered_on in period:
            figures.answered += 1
            figures.by_kind[row["kind"]]["answered"] += 1
            figures.handling_workdays.append(workdays.workdays_between(row["received_on"], answered_on, overrides))
            if row["published_page_id"]:
                figures.published += 1
        if row["status"] == Status.INVALID and answered_on in period:
            figures.invalid += 1
        finished_by_cutoff = answered_on is not None and answered_on <= cutoff
        if received_here:
            late_answer = finished_by_cutoff and row["status"] == Status.ANSWERED and answered_on > row["due_date"]
            still_late = not finished_by_cutoff and row["due_date"] < cutoff
            if late_answer or still_late:
                figures.overdue += 1
        if not finished_by_cutoff:
            figures.open_at_end += 1
    return figures


# --- 依申请公开: table 三 of the 年报 template -------------------------------------------------------

# Where each statutory answer form is counted. 已主动公开 (告知获取途径) is an answer that gives the
# information: 予以公开. 非本机关 is 本机关不掌握相关政府信息 (art. 36(5)), a 无法提供.
OUTCOME_ROW = {
    Outcome.PUBLISHED_ALREADY: ("disclosed", ""),
    Outcome.DISCLOSED: ("disclosed", ""),
    Outcome.PARTIAL: ("partial", ""),
    Outcome.NOT_OURS: ("unavailable", "not_held"),
    Outcome.OTHER: ("other", "other"),
}
OTHER_REASONS = [
    ("no_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("no_fee", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other", "其他"),
]
COLUMNS = [(ApplicantType.CITIZEN.value, "自然人"), (ApplicantType.LEGAL.value, "法人或其他组织"), ("total", "总计")]


@dataclass
class Row:
    key: str
    label: str
    level: int = 0  # 0: a section, 1: an outcome, 2: a reason under it
    counts: dict = field(default_factory=lambda: {key: 0 for key, _label in COLUMNS})

    def add(self, applicant_type):
        self.counts[applicant_type] = self.counts.get(applicant_type, 0) + 1
        self.counts["total"] += 1

    @property
    def cells(self):
        return [self.counts[key] for key, _label in COLUMNS]


def _table_rows():
    rows = [
        Row("new", "一、本年新收政府信息公开申请数量"),
        Row("carried_in", "二、上年结转政府信息公开申请数量"),
        Row("results", "三、本年度办理结果"),
        Row("disclosed", "（一）予以公开", 1),
        Row("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1),
        Row("refused", "（三）不予公开", 1),
    ]
    numbered = [
        ("refused", OUTCOME_REASONS[Outcome.REFUSED]),
        ("unavailable", OUTCOME_REASONS[Outcome.UNAVAILABLE]),
        ("not_processed", OUTCOME_REASONS[Outcome.NOT_PROCESSED]),
        ("other", OTHER_REASONS),
    ]
    headings = {"unavailable": "（四）无法提供", "not_processed": "（五）不予处理", "other": "（六）其他处理"}
    for section, reasons in numbered:
        if section in headings:
            rows.append(Row(section, headings[section], 1))
        for number, (reason, label) in enumerate(reasons, start=1):
            rows.append(Row(f"{section}:{reason}", f"{number}. {label}", 2))
    rows.append(Row("total", "（七）总计", 1))
    rows.append(Row("carried_out", "四、结转下年度继续办理"))
    return rows


@dataclass
class ApplicationTable:
    period: Period
    rows: list

    def row(self, key):
        return next(row for row in self.rows if row.key == key)

    def count(self, key, column="total"):
        return self.row(key).counts[column]

    @property
    def balanced(self):
        """上年结转 + 本年新收 = 总计 + 结转下年度: the check the template's reviewers make."""
        return self.count("new") + self.count("carried_in") == self.count("total") + self.count("carried_out")


def received_date(application):
    return application.received_on or _local_date(application.submitted_at)


def finished_date(application):
    """The local date the application left the desk, or None while it is open."""
    if application.status == ApplicationStatus.ANSWERED:
        return _local_date(application.answered_at)
    if application.status == ApplicationStatus.WITHDRAWN:
        event = application.events.filter(action="withdrawn").order_by("-at").first()
        return _local_date(event.at if event else application.answered_at or application.submitted_at)
    return None


def _result_keys(application):
    if application.status == ApplicationStatus.WITHDRAWN:
        return ["other", "other:other"]
    outcome = Outcome(application.outcome) if application.outcome else Outcome.OTHER
    if outcome in OUTCOME_ROW:
        section, reason = OUTCOME_ROW[outcome]
    else:
        section, reason = outcome.value, application.outcome_reason
    keys = [section]
    if reason:
        keys.append(f"{section}:{reason}")
    return keys


def application_table(tenant, period):
    """Table 三 for ``tenant`` (a Tenant, or None for the whole cluster) over ``period``."""
    rows = _table_rows()
    by_key = {row.key: row for row in rows}
    queryset = DisclosureApplication.objects.all() if tenant is None else DisclosureApplication.objects.of_site(tenant)
    queryset = queryset.filter(submitted_at__date__lte=period.end + datetime.timedelta(days=1))
    for application in queryset.prefetch_related("events"):
        received = received_date(application)
        if received is None or received > period.end:
            continue
        finished = finished_date(application)
        applicant = application.applicant_type
        if finished is not None and finished < period.start:
            continue  # finished in an earlier period: in none of this period's rows
        if received < period.start:
            by_key["carried_in"].add(applicant)
        else:
            by_key["new"].add(applicant)
        if finished is not None and finished <= period.end:
            for key in _result_keys(application):
                if key in by_key:
                    by_key[key].add(applicant)
            by_key["total"].add(applicant)
        else:
            by_key["carried_out"].add(applicant)
    return ApplicationTable(period=period, rows=rows)
