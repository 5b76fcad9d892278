"""Audit logins and keep the in-process host map fresh."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import audit
from .middleware import invalidate_domain_map
from .models import Domain, LoginFailure, Tenant


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    # Only this address's failures: a correct login must not lift an attacker's lock elsewhere.
    LoginFailure.objects.filter(username__iexact=user.get_username(), ip_address=audit.client_ip(request)).delete()
    audit.record("login", actor=user, request=request, target=user.get_username())


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record("logout", actor=user, request=request, target=user.get_username())


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "")[:150]
    LoginFailure.objects.create(username=username, ip_address=audit.client_ip(request))
    audit.record("login_failed", request=request, target=username, username=username)


@receiver([post_save, post_delete], sender=Domain)
@receiver([post_save, post_delete], sender=Tenant)
def on_site_or_domain_change(sender, instance, **kwargs):
    # Now, and again after commit: a request between the two must not keep a map that the
    # transaction's outcome (commit or rollback) makes wrong.
    invalidate_domain_map()
    transaction.on_commit(invalidate_domain_map)
    # The site's cached pages go too: serving listens to the same signals (serving/pagecache.py).
