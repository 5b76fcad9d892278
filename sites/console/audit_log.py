"""Reading the audit log: filtering ``AuditEvent`` by person, site, action, outcome and date, and its CSV.

Who reads what is decided here once (``visible_events``): the audit administrator (审计管理员,
三员分立) reads every event, with client addresses and user agents; a site admin reads their own
site's events only, without client addresses, and without the names typed into a failed login
(people type passwords there by mistake). The system and security administrators do not read the
log: it is the record of what they did.

The CSV follows the product's other exports (``publishing/review/audit.py``): UTF-8 with a BOM so
Excel keeps the Chinese, and every cell through ``sites.spreadsheet`` so no title runs as a formula.
"""

from __future__ import annotations

import datetime
import json

from django.db.models import Q
from django.utils import timezone

from .. import spreadsheet
from ..access import may_read_audit_log
from ..models import AuditEvent, Outcome

BOM = "\ufeff"
# 结果 and 浏览器 last: the columns before them keep their places for whoever reads older exports.
HEADINGS = ["时间", "站点", "操作", "操作代码", "操作人", "对象", "IP 地址", "详情", "结果", "浏览器"]
HIDDEN = "（仅审计管理员可见）"
# The target of these events is whatever was typed as a user name, sometimes a password.
TYPED_NAME_ACTIONS = {"login_failed", "login_locked"}

ACTION_LABELS = {
    "login": "登录",
    "logout": "退出",
    "login_failed": "登录失败",
    "audit_flood_suppressed": "匿名请求过多，本时段其余记录已省略",
    "login_locked": "登录被锁定",
    "sso_ticket_refused": "单点登录票据被拒绝",
    # 统一身份认证 (sites/oidc/)
    "oidc_login": "统一身份认证登录",
    "oidc_login_failed": "统一身份认证登录失败",
    "oidc_logout": "退出统一身份认证",
    "oidc_backchannel_logout": "统一身份认证通知退出",
    "oidc_backchannel_logout_refused": "拒绝统一身份认证退出通知",
    # 统一身份认证 over CAS (sites/cas/)
    "cas_login": "统一身份认证登录（票据方式）",
    "cas_login_failed": "统一身份认证登录失败（票据方式）",
    "cas_logout": "退出统一身份认证（票据方式）",
    "cas_single_logout": "统一身份认证通知退出（票据方式）",
    "cas_single_logout_refused": "拒绝统一身份认证退出通知（票据方式）",
    "local_password_refused": "拒绝本地密码登录",
    # 等保三级 login rules (sites/policy/)
    "mfa_enrolled": "绑定双因素验证器",
    "mfa_reset": "重置双因素验证",
    "mfa_reset_refused": "拒绝重置双因素验证",
    "mfa_code_failed": "双因素验证码错误",
    "mfa_recovery_used": "使用恢复码登录",
    "password_changed": "修改密码",
    "password_forced_change": "按要求修改密码",
    "session_expired": "会话超时",
    "role_granted": "授予角色",
    "role_revoked": "撤销角色",
    "role_refused": "拒绝授予角色",
    # 三员分立: the break-glass superuser (sites/break_glass.py)
    "break_glass_opened": "开启应急超级用户",
    "break_glass_ended": "结束应急超级用户",
    "break_glass_request": "应急超级用户操作",
    "createsuperuser_refused": "拒绝创建超级用户",
    "admin_duty_refused": "超出职责的访问被拒绝",
    # retention and the signed archive (sites/audit_archive.py)
    "audit_archived": "归档审计日志",
    "user_deactivated": "停用用户",
    "admin_account_change_refused": "拒绝修改管理员账号",
    "site_created": "开通站点",
    "site_status": "变更站点状态",
    "site_record_changed": "修改站点信息",
    "site_contact_changed": "修改联系方式",
    "domain_added": "添加域名",
    "domain_removed": "删除域名",
    "domain_primary_changed": "更换主域名",
    "site_backup": "备份站点",
    "backups_pruned": "删除过期备份",
    "site_restored": "恢复站点",
    "site_restore_refused": "拒绝恢复站点（签名不符）",
    "audit_exported": "导出审计日志",
    "theme_assigned": "更换主题",
    "theme_locked": "锁定主题",
    "theme_unlocked": "解除主题锁定",
    "theme_version_created": "新建主题版本",
    "theme_version_applied": "应用主题版本",
    "theme_rolled_back": "回滚主题版本",
    "theme_home_layout_changed": "调整首页版块",
    # 哀悼模式 (themes/mourning.py)
    "mourning_scheduled": "开启哀悼模式",
    "mourning_ended": "关闭哀悼模式",
    "mourning_refused": "拒绝哀悼模式操作",
    "submission_offered": "报送信息",
    "validity_changed": "变更有效性",
    "wordlist_created": "新建词库",
    "wordlist_changed": "修改词库",
    "wordlist_deleted": "删除词库",
    "wordlist_exported": "导出词库",
    "wordlist_imported": "导入词库",
    "wordentry_created": "添加词条",
    "wordentry_changed": "修改词条",
    "wordentry_deleted": "删除词条",
    "consultation.comment_moderated": "审核征集意见",
    "interaction.application_answered": "答复依申请公开",
    "interaction.applications_exported": "导出依申请公开",
    "interaction.attachment_downloaded": "下载互动附件",
    "interaction.attachment_refused": "拒绝下载互动附件",
    "interaction.deadlines_changed": "修改办理时限",
    "interaction.forwarded": "转办留言",
    "interaction.invalid": "不予受理留言",
    "interaction.messages_exported": "导出留言",
    "interaction.personal_data_viewed": "查看个人信息",
    "interaction.publication_refused": "答复未能公开",
    "interaction.record_opened": "打开互动记录",
    "interaction.reply_approved": "通过答复",
    "interaction.reply_blocked": "答复被拦截",
    "interaction.statistics_exported": "导出互动统计",
    "interaction.workday_override_added": "添加工作日调整",
    "interaction.workday_override_deleted": "删除工作日调整",
}


def action_label(action):
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    return f"其他操作（{action}）"


def outcome_label(outcome):
    try:
        return str(Outcome(outcome).label)
    except ValueError:
        return outcome or str(Outcome.SUCCESS.label)


def visible_events(user, site=None):
    """The events ``user`` may read: all for the audit administrator, ``site``'s own for its site admin."""
    if may_read_audit_log(user):
        return AuditEvent.objects.all()
    if site is None:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(tenant_code=site.code)


def day_bounds(date_from, date_to):
    """Aware [start, end) for whole days in the site's time zone (Asia/Shanghai); either may be None."""
    start = end = None
    if date_from:
        start = timezone.make_aware(datetime.datetime.combine(date_from, datetime.time.min))
    if date_to:
        end = timezone.make_aware(datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min))
    return start, end


def filtered(events, *, full=False, person="", site="", action="", outcome="", date_from=None, date_to=None, q=""):
    """``events`` narrowed by the viewer's filters (all optional). Without ``full`` (a site admin),
    the text typed into a failed login is never matched: a search would read it back letter by letter."""
    typed = Q() if full else Q(action__in=TYPED_NAME_ACTIONS)
    if person:
        matches = Q(actor_username__icontains=person) | Q(actor__full_name__icontains=person)
        events = events.filter(matches & ~typed) if not full else events.filter(matches)
    if site:
        events = events.filter(tenant_code=site)
    if action:
        events = events.filter(action=action)
    if outcome:
        events = events.filter(outcome=outcome)
    start, end = day_bounds(date_from, date_to)
    if start:
        events = events.filter(created_at__gte=start)
    if end:
        events = events.filter(created_at__lt=end)
    if q:
        events = events.filter(Q(target__icontains=q) & ~typed) if not full else events.filter(target__icontains=q)
    return events.order_by("-created_at", "-id")


def present(event, *, full):
    """One event as the viewer shows it; ``full`` for the audit administrator (addresses, typed names)."""
    target, actor = event.target, event.actor_username or "系统"
    if not full and event.action in TYPED_NAME_ACTIONS:
        target = actor = HIDDEN  # a failed login's "actor" is the typed text too
    return {
        "time": timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M"),
        "site": event.tenant_code,
        "action": action_label(event.action),
        "code": event.action,
        "outcome": outcome_label(event.outcome),
        "actor": actor,
        "target": target,
        "ip": (event.ip_address or "") if full else HIDDEN,
        "user_agent": event.user_agent if full else HIDDEN,
        "detail": json.dumps(event.detail, ensure_ascii=False) if (full and event.detail) else "",
    }


def write_csv(out, events, *, full):
    """Write ``events`` as CSV (with its BOM) to the text stream ``out``; returns the number of rows."""
    out.write(BOM)
    writer = spreadsheet.writer(out)
    writer.writerow(HEADINGS)
    count = 0
    for event in events.iterator(chunk_size=2000):
        row = present(event, full=full)
        writer.writerow(
            [
                timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                row["site"],
                row["action"],
                row["code"],
                row["actor"],
                row["target"],
                row["ip"],
                row["detail"],
                row["outcome"],
                row["user_agent"],
            ]
        )
        count += 1
    return count
