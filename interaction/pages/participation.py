"""What 意见征集 and 调查问卷 share: the clock that opens and closes them, the abuse guards, the page cache.

* **The clock.** A consultation or a questionnaire is 未开始 before ``opens_at``, 征集中 until
  ``closes_at`` and 已结束 after: derived from the time on every request, never stored, so no job
  has to flip a flag at midnight and nobody can leave a closed page taking comments.
* **Abuse.** The app's one per-address counter and honeypot (interaction/abuse.py): counted per
  hour under the public schema's key prefix, so one client is counted once however many site hosts
  it posts to; the honeypot is a field a person never sees. The counter is per address, never global: a flood from one
  address never blocks the other citizens.
* **The page cache** (serving.pagecache) keeps anonymous GETs. A page showing a form carries a CSRF
  token that belongs to one browser, and its counts move with every submission: while open these
  pages are marked ``private, no-cache`` and never stored. A closed page is cached like any other;
  a moderation decision changes what it shows, so moderation purges the site (``purge_pages``).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _

from serving import pagecache
from sites.access import current_site

from .. import abuse, services

# The field a person never sees (hidden by CSS, skipped by the keyboard and screen readers); a
# bot that fills every input fills it too.
HONEYPOT_FIELD = abuse.HONEYPOT_FIELD


class Phase(models.TextChoices):
    UPCOMING = "upcoming", _("未开始")
    OPEN = "open", _("征集中")
    CLOSED = "closed", _("已结束")


def phase(opens_at, closes_at, now=None):
    """The phase at ``now`` (default: the clock). Either bound may be empty: open from/until forever."""
    now = now or timezone.now()
    if opens_at and now < opens_at:
        return Phase.UPCOMING
    if closes_at and now >= closes_at:
        return Phase.CLOSED
    return Phase.OPEN


class ParticipationPeriod:
    """What a consultation and a questionnaire share: a period (``opens_at``/``closes_at`` fields of
    the page), its phase, the badge a column list shows, and the check that the period makes sense.
    ``period_label`` names the close field in the error (征集截止时间 / 调查截止时间)."""

    period_label = "截止时间"

    def clean(self):
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": f"{self.period_label}必须晚于开始时间。"})

    def phase(self, now=None):
        return phase(self.opens_at, self.closes_at, now)

    def phase_label(self):
        return Phase(self.phase()).label

    @property
    def kind(self):
        """The badge a column's list shows before the title (as it shows a reply's 留言类型)."""
        return f"{self._meta.verbose_name}·{self.phase_label()}"

    def is_open(self, now=None):
        return self.phase(now) == Phase.OPEN

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if self.phase() != Phase.CLOSED:
            # Open: a form with this browser's CSRF token; upcoming: it opens by the clock, and a
            # cached copy would go on saying 未开始. Only a closed page is the same for everybody.
            keep_out_of_cache(response)
        return response


def local_minute(value):
    """``YYYY-MM-DD HH:MM`` in Asia/Shanghai, or ""."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def clean_text(value):
    """Plain text as the person wrote it, without control characters. HTML in it stays text: the
    templates escape it on output (autoescape), so ``<script>`` shows as the characters typed."""
    return services.clean_text(value, 0)[0]


def limit_per_ip():
    """Submissions per client address and hour, comments and questionnaires together (0: no limit)."""
    return getattr(settings, "CMS_PARTICIPATION_LIMIT_PER_IP", 20)


def allow_submission(request, limit=None):
    """Count one submission from the request's address with the app's one counter
    (interaction/abuse.py); (allowed, seconds until the window ends)."""
    try:
        abuse.check_participation(request, limit_per_ip() if limit is None else limit)
    except abuse.RateLimited as limited:
        return False, limited.retry_after
    return True, 0


def rate_limited_message(retry_after):
    return f"提交过于频繁，请 {max(1, retry_after // 60)} 分钟后再试。"


honeypot_filled = abuse.honeypot_filled


def keep_out_of_cache(response):
    """A response only this browser may keep (a form with its CSRF token, counts that move)."""
    patch_cache_control(response, private=True, no_cache=True)
    return response


def purge_pages():
    """Make the current site's cached pages stale (now and after commit): a moderation decision
    changes what a closed consultation shows, and the page cache would otherwise keep the old
    page for ``CMS_PAGE_CACHE_SECONDS``."""
    tenant = current_site()
    if tenant is not None and tenant.pk and not tenant.is_template:
        pagecache.purge_site(tenant)
