"""Sites (tenants), their hosts, the cluster's users, per-site roles and the audit log.

Everything here lives in the public schema.
"""

import re

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

# \Z, not $: "$" also matches before a final newline, and "jtj\n" is not a code. Match with fullmatch.
SITE_CODE_RE = re.compile(r"[a-z][a-z0-9]{1,29}\Z")
# RFC 1123 labels; underscores make Django's host validation reject every request.
HOST_RE = re.compile(r"(?=.{1,253}\Z)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\Z")


def validate_site_code(value):
    if not isinstance(value, str) or not SITE_CODE_RE.fullmatch(value):
        raise ValidationError(
            _("站点代码“%(code)s”无效：须以小写字母开头，只含小写字母和数字，2–30 个字符。"),
            params={"code": value},
        )
    if value in {"public", "site_template", "www", "admin", "api", "static", "media"}:
        raise ValidationError(_("站点代码“%(code)s”是保留字，请换一个。"), params={"code": value})


def validate_host(value):
    if not isinstance(value, str) or not HOST_RE.fullmatch(value):
        raise ValidationError(
            _("域名“%(host)s”无效：只能使用小写字母、数字、连字符和点，不能使用下划线。"),
            params={"host": value},
        )


class SiteKind(models.TextChoices):
    PORTAL = "portal", _("门户网站")
    DEPARTMENT = "department", _("部门网站")
    COUNTY = "county", _("县（市）门户")
    DISTRICT = "district", _("区门户")
    TOPIC = "topic", _("专题网站")


class SiteStatus(models.TextChoices):
    ACTIVE = "active", _("运行中")
    SUSPENDED = "suspended", _("暂停访问")
    ARCHIVED = "archived", _("已归档")


class TenantQuerySet(models.QuerySet):
    def sites(self):
        """Real sites: neither the public schema nor the provisioning template."""
        return self.exclude(schema_name__in=[settings.PUBLIC_SCHEMA_NAME, settings.CMS_TEMPLATE_SCHEMA])

    def serving(self):
        return self.sites().filter(status=SiteStatus.ACTIVE)


class Tenant(TenantMixin):
    """One government website of the cluster, with the data the national checks require."""

    name = models.CharField(_("网站名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    code = models.CharField(_("站点代码"), max_length=30, unique=True, validators=[validate_site_code])
    kind = models.CharField(_("类型"), max_length=20, choices=SiteKind.choices, default=SiteKind.DEPARTMENT)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级站点"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    site_identifier = models.CharField(
        _("政府网站标识码"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^\d{10}\Z", _("政府网站标识码为 10 位数字。"))],
    )
    sponsor = models.CharField(_("主办单位"), max_length=100, blank=True)
    organizer = models.CharField(_("承办单位"), max_length=100, blank=True)
    icp_number = models.CharField(_("ICP备案号"), max_length=50, blank=True)
    police_record_number = models.CharField(_("公安机关备案号"), max_length=50, blank=True)
    police_record_url = models.URLField(_("公安机关备案链接"), blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    contact_address = models.CharField(_("联系地址"), max_length=200, blank=True)
    org_code = models.CharField(
        _("组织机构代码"),
        max_length=18,
        blank=True,
        help_text=_("用于生成政府信息公开索引号，如 014207264。"),
        validators=[RegexValidator(r"^[0-9A-Z]{9,18}\Z", _("组织机构代码为 9–18 位数字或大写字母。"))],
    )
    status = models.CharField(_("状态"), max_length=20, choices=SiteStatus.choices, default=SiteStatus.ACTIVE)
    # The web office decides whether a site's own admins may keep the footer's phone and address up to date.
    admins_may_edit_contact = models.BooleanField(
        _("允许站点管理员修改联系方式"),
        default=False,
        help_text=_("开启后，本站站点管理员可在后台修改页脚的联系电话和联系地址。"),
    )
    is_template = models.BooleanField(_("模板"), default=False, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    # Schemas are created by provisioning (a copy of the template), never implicitly on save.
    auto_create_schema = False
    auto_drop_schema = False

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("站点")
        verbose_name_plural = _("站点")
        ordering = ["id"]

    def __str__(self):
        return self.name or self.schema_name

    @property
    def primary_domain(self):
        # Through ``domains.all()`` so that a list with prefetched domains asks nothing more.
        return next((domain for domain in self.domains.all() if domain.is_primary), None)

    def base_url(self, port=None):
        """The public root URL of this site, as readers reach it."""
        domain = self.primary_domain
        if domain is None:
            return ""
        scheme = getattr(settings, "CMS_PUBLIC_SCHEME", "http")
        port = port if port is not None else getattr(settings, "CMS_PUBLIC_PORT", "")
        return f"{scheme}://{domain.domain}{f':{port}' if port else ''}"

    @property
    def admin_host(self):
        """The host of this site's admin: its admin-only host when it has one (内网采编), else the
        primary host; None without either. Reads ``domains`` (prefetch it for lists)."""
        domains = list(self.domains.all())
        domain = next((d for d in domains if d.is_admin_host), None) or next((d for d in domains if d.is_primary), None)
        return domain.domain if domain else None


class Domain(DomainMixin):
    """A host name of a site: one primary public host, optional aliases and an admin host."""

    domain = models.CharField(_("域名"), max_length=253, unique=True, db_index=True, validators=[validate_host])
    is_admin_host = models.BooleanField(_("后台专用域名"), default=False)

    class Meta:
        verbose_name = _("域名")
        verbose_name_plural = _("域名")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"], condition=models.Q(is_primary=True), name="one_primary_domain_per_site"
            )
        ]

    def clean(self):
        self.domain = (self.domain or "").lower()
        validate_host(self.domain)


class User(AbstractUser):
    """One account for the whole cluster; what it may do on a site comes from that site's roles."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    organisation = models.CharField(_("所在单位"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name or self.username

    def delete(self, using=None, keep_parents=False):
        """Deactivate instead: other sites' revisions and the audit log keep pointing at the user."""
        self.is_active = False
        self.save(update_fields=["is_active"])
        return (0, {})


class Role(models.TextChoices):
    SITE_ADMIN = "site_admin", _("站点管理员")
    EDITOR = "editor", _("编辑")
    REVIEWER = "reviewer", _("审核员")
    SECRECY_OFFICER = "secrecy_officer", _("保密审查员")
    # 互动交流 and 依申请公开: the only site role that sees the citizens' personal data (interaction/).
    HANDLER = "handler", _("互动办理员")
    # 三员分立: the web office (网站办) is three cluster-wide administrators, none of them a superuser
    # (sites/access.py says what each may do). ``WEB_OFFICE`` is the system administrator's old name.
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")

    @classmethod
    def site_roles(cls):
        return [cls.SITE_ADMIN, cls.EDITOR, cls.REVIEWER, cls.SECRECY_OFFICER, cls.HANDLER]

    @classmethod
    def administrator_roles(cls):
        """The three cluster-wide administrators (三员); nobody holds two of them by default."""
        return [cls.SYSTEM_ADMIN, cls.SECURITY_ADMIN, cls.AUDIT_ADMIN]

    @classmethod
    def _missing_(cls, value):
        return cls.SYSTEM_ADMIN if value == "web_office" else None  # the value before 三员分立

    @classmethod
    def from_label(cls, text):
        """Accept the Chinese label (编辑) or the value (editor); 网站办 / web_office is the system administrator."""
        if text in ("web_office", "网站办"):
            return cls.SYSTEM_ADMIN
        for role in cls:
            if text in (role.value, str(role.label)):
                return role
        raise ValueError(text)


# The system administrator's old name (网站办): existing call sites keep reading it.
Role.WEB_OFFICE = Role.SYSTEM_ADMIN


class SiteGroupQuerySet(models.QuerySet):
    def for_schema(self, schema_name):
        """Groups that count on the given site: its own groups and cluster-wide ones."""
        return self.filter(models.Q(tenant__schema_name=schema_name) | models.Q(tenant__isnull=True))


class SiteGroup(models.Model):
    """Binds an auth Group to one site and one role (or to the whole cluster when tenant is empty).

    Django permissions are global; binding each group to a site lets the authentication backend
    count only the groups of the site being served.
    """

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="site_binding")
    tenant = models.ForeignKey(Tenant, null=True, blank=True, on_delete=models.CASCADE, related_name="role_groups")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)

    objects = SiteGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("站点角色组")
        verbose_name_plural = _("站点角色组")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "role"], name="one_group_per_site_role"),
            models.UniqueConstraint(
                fields=["role"], condition=models.Q(tenant__isnull=True), name="one_cluster_group_per_role"
            ),
        ]

    def __str__(self):
        return self.group.name


class Outcome(models.TextChoices):
    SUCCESS = "success", _("成功")
    FAILURE = "failure", _("失败")
    DENIED = "denied", _("拒绝")


# 网络安全法 art. 21: logs are kept at least six months. The database refuses to delete a younger
# entry whatever the setting says (migration 0007); the setting may only ask for longer.
MIN_AUDIT_RETENTION_DAYS = 180


def audit_retention_days():
    """``CMS_AUDIT_RETENTION_DAYS`` (default 180); a shorter period is a configuration error."""
    from django.core.exceptions import ImproperlyConfigured

    days = getattr(settings, "CMS_AUDIT_RETENTION_DAYS", MIN_AUDIT_RETENTION_DAYS)
    if not isinstance(days, int) or days < MIN_AUDIT_RETENTION_DAYS:
        raise ImproperlyConfigured(
            f"CMS_AUDIT_RETENTION_DAYS 不能少于 {MIN_AUDIT_RETENTION_DAYS} 天（网络安全法第二十一条）。"
        )
    return days


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("the audit log is append-only")

    def delete(self):
        raise PermissionError("the audit log is append-only")


class AuditEvent(models.Model):
    """Append-only record of logins, role changes and site provisioning.

    A database trigger (migrations 0002 and 0007) refuses UPDATE, and DELETE of anything younger than
    180 days or outside ``archive_audit`` (sites/audit_archive.py), so even raw SQL cannot rewrite it.
    """

    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    action = models.CharField(_("操作"), max_length=50, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False
    )
    actor_username = models.CharField(_("操作人"), max_length=150, blank=True)
    tenant_code = models.CharField(_("站点"), max_length=30, blank=True, db_index=True)
    target = models.CharField(_("对象"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=300, blank=True, default="")
    outcome = models.CharField(
        _("结果"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS, db_index=True
    )
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the audit log is append-only")


class LoginFailure(models.Model):
    """Failed logins, counted per user name and per client IP for the lockout."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")

    def __str__(self):
        return f"{self.username} @ {self.ip_address}"


class SignOnTicket(models.Model):
    """A one-time, short-lived ticket that lets a site host join a session of the sign-on host.

    The ticket travels in a redirect URL, so it carries a random nonce, never the session key.
    ``binding`` is the SHA-256 of a nonce in a cookie of the browser that started the round trip
    (sites/sso.py): a ticket URL opened in another browser is refused (no login CSRF).
    """

    nonce = models.CharField(max_length=64, unique=True)
    session_key = models.CharField(max_length=40)
    host = models.CharField(max_length=253)
    binding = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("单点登录票据")
        verbose_name_plural = _("单点登录票据")

    def __str__(self):
        return f"{self.host} {self.created_at:%Y-%m-%d %H:%M}"


class BreakGlassQuerySet(models.QuerySet):
    def in_force(self, now=None):
        from django.utils import timezone

        return self.filter(ended_at__isnull=True, expires_at__gt=now or timezone.now())


class BreakGlass(models.Model):
    """A time-limited superuser, opened only by ``manage.py break_glass`` (sites/break_glass.py).

    No administrator is a superuser (三员分立); in an emergency an operator on the server makes one
    for N minutes. Every change it makes through the admin is audited, and when the time is up the
    next request (or ``break_glass --end``) takes the superuser away again.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass")
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    opened_at = models.DateTimeField(_("开启时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = BreakGlassQuerySet.as_manager()

    class Meta:
        verbose_name = _("应急超级用户")
        verbose_name_plural = _("应急超级用户")
        ordering = ["-opened_at"]

    def __str__(self):
        return f"{self.user_id} {self.opened_at:%Y-%m-%d %H:%M}"
