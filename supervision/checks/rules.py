"""The rules of the national check (国办秘函〔2019〕19号) as one table: codes, thresholds and weights.

Every threshold and every weight the checks, the score and the alarms use is here and nowhere
else; docs/supervision.md explains them. A rule's code is stable: it is stored in each day's
result, printed by ``manage.py supervise --json`` and linked from the dashboards.

Weights follow the national check's shape: veto items (单项否决) fail a site whatever its points;
the other items are deductions from 100 points, each capped so that one kind of defect cannot
hide all others; under 60 points fails.
"""

from django.conf import settings

PASS_MARK = 60
FULL_MARKS = 100

# code: label, thresholds, and the deduction (points per finding, cap per rule).
RULES = {
    "homepage_stale": {
        "label": "首页不更新",
        # 19号: the homepage with no new item for 2 weeks is a veto; counties remind on day 10 and 12.
        "days": 14,
        "remind_on_days": (10, 12),
        "points": 0,
        "cap": 0,
    },
    "column_stale": {
        "label": "栏目不更新",
        # 19号: 动态 columns 2 weeks; notice and policy columns 6 months (183 days).
        "days": {"news": 14, "notice": 183, "policy": 183},
        "remind_on_days": {"news": (10, 12), "notice": (153, 176), "policy": (153, 176)},
        # 19号: 5 stale columns, or 10 should-update columns not updated for a long time, is a veto.
        "veto_count": 5,
        "long_stale_days": 365,
        "long_stale_veto_count": 10,
        "points": 2,
        "cap": 20,
    },
    "empty_column": {
        "label": "空白栏目",
        # 19号: 5 or more blank columns is a veto.
        "veto_count": 5,
        "points": 4,
        "cap": 20,
    },
    "unanswered_message": {
        "label": "互动回应超期",
        # 19号: a valid message unanswered for more than 3 months is a veto.
        "veto_months": 3,
        "points": 2,
        "cap": 20,
    },
    "availability": {
        "label": "站点无法访问",
        # 19号: a page taking 15 s or failing in 5% of the probes over a week is a veto.
        "window_days": 7,
        "slow_seconds": 15,
        "veto_rate": 0.05,
        # An alarm before the veto: 2% of failed probes, or any failure in the last day.
        "alarm_rate": 0.02,
        "points_per_percent": 2,
        "cap": 10,
    },
    "broken_link": {
        "label": "不可用链接",
        # 19号: a broken link on the homepage costs more than one on an inner page.
        "points_homepage": 1,
        "points": 0.1,
        "cap": 10,
    },
    "broken_attachment": {
        "label": "不可用附件",
        "points_homepage": 1,
        "points": 0.5,
        "cap": 10,
    },
    "wording_error": {
        "label": "严重表述错误",
        # A wrong leader name or title, or a name from the web office's list, is a veto (19号:
        # 严重表述错误); a common 错别字 costs points.
        "typo_points": 0.5,
        "cap": 10,
    },
    "footer_missing": {
        "label": "网站底部信息缺失",
        "points": 2,
        "cap": 10,
    },
}


def rule(code):
    """The rule's row, with overrides from ``settings.SUPERVISION_RULES`` ({code: {key: value}})."""
    row = dict(RULES[code])
    row.update(getattr(settings, "SUPERVISION_RULES", {}).get(code, {}))
    return row


def label(code):
    return RULES[code]["label"] if code in RULES else code
