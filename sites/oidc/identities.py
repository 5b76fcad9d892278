"""From a verified ID token to one of our users: matched by (issuer, subject), created without roles."""

import hashlib
import re
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from sites.models import SiteGroup

from .models import Identity

_UNSAFE_USERNAME = re.compile(r"[^\w.@+-]")


def _mixes_latin_with_other_letters(name):
    letters = [char for char in name if char.isalpha()]
    return any(char.isascii() for char in letters) and any(not char.isascii() for char in letters)


def _username_for(issuer, subject, claims):
    """A readable user name that no other user has: the provider's, else one made from the subject.

    The name is a label only (the link is ``Identity``): a local account that happens to carry the
    same name is never taken over, the new user gets a suffix instead.
    """
    User = get_user_model()
    suffix = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:8]
    wanted = str(claims.get("preferred_username") or "").strip() or str(claims.get("email") or "").split("@")[0]
    base = _UNSAFE_USERNAME.sub("", unicodedata.normalize("NFKC", wanted))[:120]
    if _mixes_latin_with_other_letters(base):  # "аdmin" with a Cyrillic а would read as "admin"
        base = ""
    base = base or "tyrz"
    for candidate in (base, f"{base}-{suffix}"):
        if not User.objects.filter(username__iexact=candidate).exists():
            return candidate
    longer = hashlib.sha256(f"{issuer}\n{subject}\n2".encode()).hexdigest()[:16]
    return f"{base}-{longer}"


def _refresh_profile(user, claims):
    """Name and e-mail follow the provider (they identify nobody here; the subject does)."""
    changed = []
    name = str(claims.get("name") or "").strip()[:50]
    if name and user.full_name != name:
        user.full_name = name
        changed.append("full_name")
    email = str(claims.get("email") or "").strip()[:254]
    if email and claims.get("email_verified", True) is not False and user.email != email:
        user.email = email
        changed.append("email")
    if changed:
        user.save(update_fields=changed)


def user_for(issuer, claims):
    """(user, created): the user linked to ``issuer`` + ``claims["sub"]``, created on first login.

    A new user has no role and no usable password: the web office grants roles (sites.roles),
    and a password login cannot open the account.
    """
    subject = str(claims["sub"])
    identity = Identity.objects.of(issuer, subject).select_related("user").first()
    created = False
    if identity is None:
        User = get_user_model()
        try:
            with transaction.atomic():
                user = User(username=_username_for(issuer, subject, claims))
                user.set_unusable_password()
                user.save()
                identity = Identity.objects.create(user=user, issuer=issuer, subject=subject)
                created = True
        except IntegrityError:  # the same person's second tab won the race
            identity = Identity.objects.of(issuer, subject).select_related("user").get()
    Identity.objects.filter(pk=identity.pk).update(last_login_at=timezone.now())
    _refresh_profile(identity.user, claims)
    return identity.user, created


def second_factor_asserted(claims):
    """The provider says the person passed a second factor: ``amr`` or a strong ``acr``.

    RFC 8176 names the methods (``mfa``, ``otp``, ``hwk`` …); which count is a setting
    (``CMS_OIDC_MFA_AMR``), as is the list of ``acr`` values a deployment trusts
    (``CMS_OIDC_STRONG_ACR``, empty by default: a level name means nothing until the province
    says what it stands for).
    """
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    if {str(value) for value in amr} & set(settings.CMS_OIDC_MFA_AMR):
        return True
    acr = claims.get("acr")
    return bool(acr) and str(acr) in set(settings.CMS_OIDC_STRONG_ACR)


def has_any_role(user):
    """A role on some site, or a cluster-wide one (or a break-glass superuser)."""
    return user.is_superuser or SiteGroup.objects.filter(group__user=user).exists()


def sites_with_roles(user):
    """The sites where ``user`` holds a role (for the no-role page: where to go instead)."""
    return [group.tenant for group in SiteGroup.objects.filter(group__user=user, tenant__isnull=False)]
