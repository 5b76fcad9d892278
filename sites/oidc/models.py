"""Who a person is at the province's identity service, and which of our users that is.

A user is matched by the provider's issuer and its stable subject (``iss`` + ``sub``), never by
e-mail or name: those change and can be chosen by whoever registers at the provider, and two
provinces' services may both have a ``sub`` of ``10001``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdentityQuerySet(models.QuerySet):
    def of(self, issuer, subject):
        return self.filter(issuer=issuer, subject=subject)


class Identity(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identities", verbose_name=_("用户")
    )
    issuer = models.CharField(_("身份认证服务"), max_length=255)
    subject = models.CharField(_("用户标识（sub）"), max_length=255)
    created_at = models.DateTimeField(_("首次登录"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("最近登录"), null=True, blank=True)

    objects = IdentityQuerySet.as_manager()

    class Meta:
        verbose_name = _("统一身份认证账号")
        verbose_name_plural = _("统一身份认证账号")
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="one_user_per_oidc_subject")]

    def __str__(self):
        return f"{self.subject} @ {self.issuer}"


class ProviderSessionQuerySet(models.QuerySet):
    def of_logout(self, issuer, *, subject=None, sid=None):
        """The sessions a logout token names: by ``sid`` when it has one (and ``sub`` too when both)."""
        rows = self.filter(issuer=issuer)
        if sid:
            rows = rows.filter(sid=sid)
        if subject:
            rows = rows.filter(subject=subject)
        return rows if (sid or subject) else self.none()


class ProviderSession(models.Model):
    """One of our sessions opened by a login at the provider, and the provider's session (``sid``) it came from.

    The provider's back-channel logout names its own session (``sid``) or the person (``sub``), never
    ours; this row is how we find our session key (one key, valid on every host: sites/sso.py). It is
    written when the login completes (after the second factor, if one is asked), so it names the final
    key, not the one the login started with.
    """

    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    sid = models.CharField(max_length=255, blank=True)
    session_key = models.CharField(max_length=40)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProviderSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("统一身份认证会话")
        verbose_name_plural = _("统一身份认证会话")
        indexes = [
            models.Index(fields=["issuer", "sid"], name="oidc_session_by_sid"),
            models.Index(fields=["issuer", "subject"], name="oidc_session_by_sub"),
            models.Index(fields=["session_key"], name="oidc_session_by_key"),
        ]

    def __str__(self):
        return f"{self.subject} @ {self.issuer} ({self.sid or '-'})"


class SpentLogoutToken(models.Model):
    """A logout token's ``jti`` seen once, kept until the token would have expired: a replay is refused."""

    issuer = models.CharField(max_length=255)
    jti = models.CharField(max_length=255)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("已用退出令牌")
        verbose_name_plural = _("已用退出令牌")
        constraints = [models.UniqueConstraint(fields=["issuer", "jti"], name="one_use_per_logout_token")]
        indexes = [models.Index(fields=["expires_at"], name="oidc_spent_logout_expiry")]

    def __str__(self):
        return f"{self.jti} @ {self.issuer}"
