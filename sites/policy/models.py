"""What the login rules remember of each user: the password's age and history, recovery codes.

The TOTP devices are django-otp's (``otp_totp.TOTPDevice``). All of it lives in the public schema,
with the users.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PasswordState(models.Model):
    """When the user's password was last set, and whether its owner must change it at next login."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_state")
    changed_at = models.DateTimeField(_("密码设置时间"))
    # Set by someone else (an admin, a command): the owner changes it before anything else.
    must_change = models.BooleanField(_("须修改初始密码"), default=False)

    class Meta:
        verbose_name = _("密码状态")
        verbose_name_plural = _("密码状态")

    def __str__(self):
        return f"{self.user_id}: {self.changed_at:%Y-%m-%d %H:%M}"


class PasswordHistory(models.Model):
    """One earlier password of a user, as Django's hasher stored it (never the password itself)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.user_id}: {self.created_at:%Y-%m-%d %H:%M}"


class RecoveryCode(models.Model):
    """A one-time recovery code of the second factor, stored hashed; ``used_at`` spends it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("恢复码")
        verbose_name_plural = _("恢复码")

    def __str__(self):
        return f"{self.user_id}: {'已使用' if self.used_at else '未使用'}"
