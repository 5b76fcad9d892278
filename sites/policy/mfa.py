"""The second factor: who must use one, enrolment of a TOTP device, codes and recovery codes.

A code is accepted once: django-otp's ``TOTPDevice`` remembers the last time step it accepted
(``last_t``) and refuses that step and earlier ones; the check runs with the device row locked,
so two requests carrying the same code cannot both pass. Wrong codes are throttled on the
device (1, 2, 4 … seconds, ``OTP_TOTP_THROTTLE_FACTOR``) and after ``CMS_MFA_MAX_FAILURES``
in a row the second factor is refused for ``CMS_LOGIN_LOCKOUT_SECONDS``: the throttle lives on
the device, so a new session or another address does not reset it. Recovery codes count
against the same throttle.
"""

import base64
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from sites import audit
from sites.models import Role, SiteGroup

from .models import RecoveryCode

RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def requires_second_factor(user):
    """True when ``user`` must sign in with a second factor (``CMS_MFA_REQUIRED_ROLES``).

    Entries: ``superuser`` (any superuser, the break-glass account included), ``cluster`` (any
    cluster-wide role: 网站办 and the three administrators), or a role value (``site_admin``,
    ``editor`` …) held on any site.
    """
    if not settings.CMS_MFA_ENFORCED or user is None or not getattr(user, "is_authenticated", False):
        return False
    required = set(settings.CMS_MFA_REQUIRED_ROLES)
    if "superuser" in required and user.is_superuser:
        return True
    bindings = SiteGroup.objects.filter(group__user=user)
    # A cluster-wide role, or an administrator's role bound to a portal (a city's web office,
    # sites/scope.py), which manages a whole subtree of sites.
    cluster_roles = Q(tenant__isnull=True) | Q(role__in=Role.administrator_roles())
    if "cluster" in required and bindings.filter(cluster_roles).exists():
        return True
    roles = required - {"superuser", "cluster"}
    return bool(roles) and bindings.filter(role__in=roles).exists()


def confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_second_factor(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


# --- enrolment -----------------------------------------------------------------------------------


# An enrolment left unfinished this long is abandoned: its device (and the key its QR code showed) goes.
UNCONFIRMED_DEVICE_DAYS = 1


def prune_unconfirmed_devices(user=None, *, now=None):
    """Delete unconfirmed devices older than ``UNCONFIRMED_DEVICE_DAYS`` (of ``user``, or everyone's).

    A device made before django-otp recorded ``created_at`` has none: it is older than any cut-off.
    Returns how many were deleted.
    """
    cutoff = (now or timezone.now()) - timedelta(days=UNCONFIRMED_DEVICE_DAYS)
    rows = TOTPDevice.objects.filter(confirmed=False).filter(Q(created_at__lt=cutoff) | Q(created_at__isnull=True))
    if user is not None:
        rows = rows.filter(user=user)
    return rows.delete()[0]


def pending_device(user):
    """The user's unconfirmed device (made once, kept until confirmed, so the QR code stays the same).

    An abandoned one (older than ``UNCONFIRMED_DEVICE_DAYS``) is removed first: a key shown a day ago
    may have been seen by someone else, and the enrolment starts again with a new one.
    """
    prune_unconfirmed_devices(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)
    return device


def secret_of(device):
    """The device's key in Base32, as authenticator apps take it typed in."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(device):
    """The ``otpauth://`` URL of ``device`` as an inline SVG QR code, made here (no outside service)."""
    import segno

    out = BytesIO()
    segno.make(device.config_url, error="m").save(out, kind="svg", scale=5, border=2, xmldecl=False, svgns=True)
    return out.getvalue().decode()


def confirm_enrolment(user, device, code, request=None):
    """Confirm ``device`` with its first code; on success the user's recovery codes (shown once)."""
    if not verify_device(device, code):
        audit.record("mfa_code_failed", actor=user, request=request, target=user.get_username(), step="enrol")
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        codes = new_recovery_codes(user)
    audit.record("mfa_enrolled", actor=user, request=request, target=user.get_username())
    return codes


class ResetRefused(Exception):
    """A second-factor reset this actor may not make here; the message is for the screen."""


def reset_refusal(actor, user):
    """Why ``actor`` may not reset ``user``'s second factor on the admin screen (a message), or None.

    The rule (三员分立): only the security administrator resets, never their own factor (whoever
    holds their session or password would otherwise drop the factor that protects it), and never
    an administrator's account: a superuser or a holder of one of the three administrator roles
    (cluster-wide or bound to a portal). A security administrator who could reset the system
    administrator's factor, then have the system administrator's password set (or know it), would
    take over a second administrator's duties, as the system administrator once could by setting
    the security administrator's password. Those resets are made on the server only:
    ``manage.py reset_second_factor --user U --reason …`` (audited like this screen).
    """
    from sites.access import is_security_admin
    from sites.wagtail_hooks import holds_administration

    if not is_security_admin(actor):
        return _("只有安全管理员可以重置双因素验证。")
    if actor.pk == user.pk:
        return _("不能重置自己的双因素验证，请另一位安全管理员在服务器上用命令行处理。")
    if holds_administration(user):
        return _("管理员账号的双因素验证不能在后台重置，请在服务器上用命令行 reset_second_factor 处理。")
    if not user.is_active:
        return _("该用户已停用。")
    return None


def reset_second_factor(user, *, reason, actor=None, request=None, via="screen"):
    """Remove the user's devices and recovery codes and end their sessions: they enrol again at next login.

    Their sessions end too: a session verified with the lost (maybe stolen) factor must not outlive it.
    Returns how many devices were removed. ``reason`` is required and goes to the audit log.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ResetRefused(_("请填写重置原因。"))
    with transaction.atomic():
        devices = TOTPDevice.objects.filter(user=user).delete()[0]
        codes = RecoveryCode.objects.filter(user=user).delete()[0]
        sessions = end_sessions_of(user)
    audit.record(
        "mfa_reset",
        actor=actor,
        request=request,
        target=user.get_username(),
        reason=reason[:500],
        via=via,
        devices=devices,
        recovery_codes=codes,
        sessions=sessions,
    )
    return devices


def end_sessions_of(user):
    """Delete every live session of ``user``, signed in or waiting for the second factor (every host's)."""
    from django.contrib.sessions.models import Session

    from .login_flow import PENDING_KEY

    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = session.get_decoded()
        pending = data.get(PENDING_KEY)
        pending_user = pending.get("user") if isinstance(pending, dict) else None
        if str(user.pk) in (str(data.get("_auth_user_id")), str(pending_user)):
            session.delete()
            ended += 1
    return ended


def new_recovery_codes(user):
    """Replace the user's recovery codes with ``CMS_MFA_RECOVERY_CODES`` new ones; returns them in clear."""
    codes = [
        "-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(5)) for _ in range(2))
        for _ in range(settings.CMS_MFA_RECOVERY_CODES)
    ]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=make_password(code.replace("-", ""))) for code in codes
    )
    return codes


# --- verification --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    message: str


def _normalise(code):
    return "".join((code or "").split()).lower()


def throttle_refusal(device):
    """Why ``device`` takes no code now (a Refusal), or None."""
    now = timezone.now()
    if device.throttling_failure_count >= settings.CMS_MFA_MAX_FAILURES and device.throttling_failure_timestamp:
        until = device.throttling_failure_timestamp + timedelta(seconds=settings.CMS_LOGIN_LOCKOUT_SECONDS)
        if until > now:
            minutes = max(1, math.ceil((until - now).total_seconds() / 60))
            return Refusal(_("验证码错误次数过多，已临时锁定，%(minutes)d 分钟后再试。") % {"minutes": minutes})
        return None
    allowed, data = device.verify_is_allowed()
    if not allowed:
        seconds = 1
        if data and data.get("locked_until"):
            seconds = max(1, math.ceil((data["locked_until"] - now).total_seconds()))
        return Refusal(_("验证码错误次数过多，请 %(seconds)d 秒后再试。") % {"seconds": seconds})
    return None


def verify_device(device, code):
    """True when ``code`` is the device's code for now and no code of this time step was accepted yet."""
    code = _normalise(code)
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if throttle_refusal(locked) is not None:
            return False
        if not (code.isdigit() and len(code) == locked.digits):
            locked.throttle_increment(commit=True)
            return False
        ok = locked.verify_token(code)
    device.refresh_from_db()
    return ok


def verify_second_factor(user, code, request=None):
    """Check a TOTP code or a recovery code of ``user``: None when accepted, else a Refusal.

    Every refusal and every recovery code used is audited.
    """
    device = confirmed_device(user)
    if device is None:
        return Refusal(_("尚未绑定身份验证器。"))
    refusal = throttle_refusal(device)
    if refusal is not None:
        audit.record("mfa_code_failed", actor=user, request=request, target=user.get_username(), reason="throttled")
        return refusal
    code = _normalise(code)
    if "-" in code or (code and not code.isdigit()):
        if _spend_recovery_code(user, code):
            left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
            audit.record("mfa_recovery_used", actor=user, request=request, target=user.get_username(), left=left)
            return None
        with transaction.atomic():
            TOTPDevice.objects.select_for_update().get(pk=device.pk).throttle_increment(commit=True)
        audit.record("mfa_code_failed", actor=user, request=request, target=user.get_username(), kind="recovery")
        return Refusal(_("恢复码无效或已使用。"))
    if verify_device(device, code):
        return None
    audit.record("mfa_code_failed", actor=user, request=request, target=user.get_username(), kind="totp")
    device.refresh_from_db()
    wrong = Refusal(_("验证码错误或已使用，请等待身份验证器显示新的验证码。"))
    if device.throttling_failure_count >= settings.CMS_MFA_MAX_FAILURES:
        return throttle_refusal(device) or wrong  # this failure started the lock: say so
    return wrong


def _spend_recovery_code(user, code):
    with transaction.atomic():
        for row in RecoveryCode.objects.select_for_update().filter(user=user, used_at__isnull=True):
            if check_password(code.replace("-", ""), row.code_hash):
                row.used_at = timezone.now()
                row.save(update_fields=["used_at"])
                return True
    return False
