"""Login lockout that slows a password guesser without shutting the account's owner out.

Failures are counted per (user name, client IP) pair, and per client IP across user names. A
count per user name alone let anyone lock any account, the web office's included, with five
wrong passwords from anywhere; per pair, the guesser locks only their own address and the owner
signs in from theirs. A cluster-wide ceiling per account is deliberately absent: whatever its
height, reaching it from the guesser's addresses would shut the owner out from a fresh one too.

A lock lasts ``CMS_LOGIN_LOCKOUT_SECONDS`` from the failure that set it off, and attempts during
it neither count nor extend it: the owner trying the right password while locked does not push
the end back. The login form refuses locked attempts before any password is checked (so they
leave no failure row); a row written by another path while locked is skipped here just the same.
"""

import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import LoginFailure

# Failure rows read per check: each lock ends a run of at most max-failures counted rows, and
# locked attempts through the form write none, so a real history stays far below this.
MAX_ROWS = 500


@dataclass(frozen=True)
class Lock:
    """An active lock: ``scope`` is "account" (this user name from this IP) or "ip" (this IP)."""

    scope: str
    until: object  # an aware datetime

    @property
    def minutes_left(self):
        seconds = (self.until - timezone.now()).total_seconds()
        return max(1, math.ceil(seconds / 60))

    def message(self):
        if self.scope == "ip":
            return _("登录失败次数过多，本机地址已临时锁定，%(minutes)d 分钟后再试。") % {"minutes": self.minutes_left}
        return _("账号已临时锁定，%(minutes)d 分钟后再试。") % {"minutes": self.minutes_left}


def lock_end(times, max_failures, seconds):
    """The end of the lock that ``times`` (ascending failure times) leave, or None.

    ``max_failures`` failures within ``seconds`` of each other start a lock that ends ``seconds``
    after the last of them; failures before that end are ignored, and counting starts afresh.
    """
    if max_failures <= 0:
        return None
    window = timedelta(seconds=seconds)
    end = None
    counted = []
    for when in times:
        if end is not None and when < end:
            continue
        counted = [earlier for earlier in counted if earlier > when - window]
        counted.append(when)
        if len(counted) >= max_failures:
            end, counted = when + window, []
    return end


def _times(failures, horizon):
    rows = failures.filter(created_at__gte=horizon).order_by("-created_at").values_list("created_at", flat=True)
    return sorted(rows[:MAX_ROWS])


def current_lock(username, ip):
    """The lock that refuses a login as ``username`` from ``ip`` now, or None."""
    seconds = settings.CMS_LOGIN_LOCKOUT_SECONDS
    now = timezone.now()
    # A lock active now began in the last window; its failures and a lock before it, in the two before.
    horizon = now - timedelta(seconds=3 * seconds)
    checks = []
    if ip:
        failures = LoginFailure.objects.filter(ip_address=ip)
        checks.append(("ip", failures, settings.CMS_LOGIN_MAX_FAILURES_PER_IP))
        if username:
            failures = failures.filter(username__iexact=username)
            checks.append(("account", failures, settings.CMS_LOGIN_MAX_FAILURES_PER_USER))
    elif username:
        # No address at all (a request without REMOTE_ADDR): the user name is all there is to count.
        failures = LoginFailure.objects.filter(ip_address__isnull=True, username__iexact=username)
        checks.append(("account", failures, settings.CMS_LOGIN_MAX_FAILURES_PER_USER))
    locks = []
    for scope, failures, max_failures in checks:
        end = lock_end(_times(failures, horizon), max_failures, seconds)
        if end is not None and end > now:
            locks.append(Lock(scope, end))
    return max(locks, key=lambda lock: lock.until, default=None)
