"""The password policy: complexity, no reuse of recent passwords, age, forced first change.

Both validators sit in ``AUTH_PASSWORD_VALIDATORS``, so every screen that sets a password (the
admin's user screens, the account's own change, the reset link, the forced change, grant_role)
checks them. Django calls each validator's ``password_changed`` after a user with a new password
is saved: ``HistoryValidator`` records the change there, which is how a password set by someone
else (an admin, a command, seed_demo) is told from one the owner chose.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .context import current_request
from .models import PasswordHistory, PasswordState

CLASSES = (
    ("upper", str.isupper),
    ("lower", str.islower),
    ("digit", str.isdigit),
)


def character_classes(password):
    """How many of the four classes (upper case, lower case, digits, anything else) ``password`` uses."""
    found = set()
    for char in password:
        for name, test in CLASSES:
            if char.isascii() and test(char):
                found.add(name)
                break
        else:
            found.add("other")
    return len(found)


class ComplexityValidator:
    """At least ``CMS_PASSWORD_MIN_LENGTH`` characters of ``CMS_PASSWORD_MIN_CLASSES`` of the four classes."""

    def validate(self, password, user=None):
        length, classes = settings.CMS_PASSWORD_MIN_LENGTH, settings.CMS_PASSWORD_MIN_CLASSES
        errors = []
        if len(password) < length:
            errors.append(
                ValidationError(
                    ngettext("密码至少 %(n)d 个字符。", "密码至少 %(n)d 个字符。", length) % {"n": length},
                    code="password_too_short",
                )
            )
        if character_classes(password) < classes:
            errors.append(
                ValidationError(
                    _("密码须包含大写字母、小写字母、数字、其他字符中的至少 %(n)d 种。") % {"n": classes},
                    code="password_too_simple",
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        return _("至少 %(length)d 个字符，包含大写字母、小写字母、数字、其他字符中的至少 %(n)d 种。") % {
            "length": settings.CMS_PASSWORD_MIN_LENGTH,
            "n": settings.CMS_PASSWORD_MIN_CLASSES,
        }


class HistoryValidator:
    """Not the current password nor one of the last ``CMS_PASSWORD_HISTORY``; records every change."""

    def validate(self, password, user=None):
        if user is None or not getattr(user, "pk", None):
            return
        hashes = list(
            PasswordHistory.objects.filter(user_id=user.pk)
            .order_by("-created_at", "-pk")
            .values_list("password", flat=True)[: settings.CMS_PASSWORD_HISTORY]
        )
        current = get_user_model().objects.filter(pk=user.pk).values_list("password", flat=True).first()
        if current:
            hashes.append(current)
        if any(check_password(password, encoded) for encoded in hashes if encoded):
            raise ValidationError(
                _("新密码不能与最近 %(n)d 次使用过的密码相同。") % {"n": settings.CMS_PASSWORD_HISTORY},
                code="password_reused",
            )

    def password_changed(self, password, user=None):
        if user is None or not getattr(user, "pk", None):
            return
        record_password_change(user, by_owner=_set_by_owner(user))

    def get_help_text(self):
        return _("不能与最近 %(n)d 次使用过的密码相同。") % {"n": settings.CMS_PASSWORD_HISTORY}


def _set_by_owner(user):
    """True when the user chose this password: signed in as themself, or through a reset link they got."""
    if getattr(user, "_cms_password_set_by_owner", False):
        return True
    request = current_request()
    if request is None:
        return False  # a command, seed_demo, a script: someone else chose it
    actor = getattr(request, "user", None)
    if actor is not None and actor.is_authenticated:
        return actor.pk == user.pk
    # Anonymous: the reset link mailed to the owner (the only anonymous screen that sets a password).
    return True


def record_password_change(user, *, by_owner):
    from sites import audit

    PasswordHistory.objects.create(user_id=user.pk, password=user.password)
    keep = PasswordHistory.objects.filter(user_id=user.pk).order_by("-created_at", "-pk")[
        : settings.CMS_PASSWORD_HISTORY
    ]
    PasswordHistory.objects.filter(user_id=user.pk).exclude(pk__in=list(keep.values_list("pk", flat=True))).delete()
    PasswordState.objects.update_or_create(
        user_id=user.pk, defaults={"changed_at": timezone.now(), "must_change": not by_owner}
    )
    request = current_request()
    actor = getattr(request, "user", None) if request is not None else None
    audit.record(
        "password_changed",
        actor=actor if actor is not None and actor.is_authenticated else None,
        request=request,
        target=user.get_username(),
        by_owner=by_owner,
    )


def change_required(user):
    """Why ``user`` must change their password before anything else: "initial", "expired", or None."""
    if not settings.CMS_PASSWORD_POLICY_ENFORCED or not user.has_usable_password():
        return None
    state = PasswordState.objects.filter(user_id=user.pk).first()
    if state is None:
        # A password from before these rules: its age counts from now.
        PasswordState.objects.create(user_id=user.pk, changed_at=timezone.now())
        return None
    if state.must_change and settings.CMS_PASSWORD_INITIAL_CHANGE:
        return "initial"
    days = settings.CMS_PASSWORD_MAX_AGE_DAYS
    if days and state.changed_at + timedelta(days=days) <= timezone.now():
        return "expired"
    return None
