"""What every page of a site shares: themed templates, site navigation and the honest publish time."""

import hashlib
import re
import secrets

from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from ..forms import SitePageForm
from ..visibility import SitePageManager, listed


class ColumnClass(models.TextChoices):
    """The class of a column picks its list template and its freshness rule (19号)."""

    NEWS = "news", _("动态类")
    NOTICE = "notice", _("通知公告类")
    POLICY = "policy", _("政策文件类")
    DISCLOSURE = "disclosure", _("信息公开类")
    SERVICE = "service", _("办事服务类")
    INTERACTION = "interaction", _("互动交流类")
    STATIC = "static", _("静态信息类")


def _urlify(title):
    """The slug Wagtail's editor script derives from a title (``w-slug#urlify``, Unicode allowed)."""
    value = re.sub(r"[^\w\s-]", "", title.strip().lower())
    return re.sub(r"[-\s]+", "-", value)[:255].rstrip("-")


def is_automatic_slug(slug, title):
    """True for a slug the editor did not choose: empty, or Wagtail's non-ASCII slug of the title.

    ASCII slugs are kept whoever made them; only the Chinese slug Wagtail makes from a Chinese
    title (``-2`` etc. added on a clash) is taken as "left to the system".
    """
    if not slug:
        return True
    if slug.isascii():
        return False
    for base in {slugify(title or "", allow_unicode=True), _urlify(title or "")}:
        if base and (slug == base or re.fullmatch(re.escape(base) + r"-\d+", slug)):
            return True
    return False


def new_item_slug(parent=None, when=None, title=None):
    """A short ASCII slug ``t<YYYYMMDD>_<7 digits>`` (the date in Asia/Shanghai).

    Government sites use short ASCII URLs (``/zwdt/gzdt/t20261122_4830571/``); a Chinese title
    would otherwise give a percent-encoded URL three times its length.

    With ``title`` (the admin's forms) the digits follow from the title, as Wagtail's own slug
    does: the same title under the same column on the same day gives the same slug, so a form
    sent twice (a double click, an autosave racing the submit button) is refused as a duplicate
    instead of making two pages. Without it (pages made in code) the digits are random and free
    under ``parent``.
    """
    day = timezone.localtime(when or timezone.now()).strftime("%Y%m%d")
    if title:
        digest = int(hashlib.sha256(title.strip().encode()).hexdigest(), 16)
        return f"t{day}_{1_000_000 + digest % 9_000_000}"
    siblings = parent.get_children() if parent is not None else None
    while True:
        slug = f"t{day}_{1_000_000 + secrets.randbelow(9_000_000)}"
        if siblings is None or not siblings.filter(slug=slug).exists():
            return slug


class SitePage(Page):
    """Base of every page type of a site.

    * The template comes from the site's theme (``themes.resolver``); each theme's templates have
      their own names, so Django's cached loader can never serve one site's theme to another.
    * ``first_published_at`` is the real first publish time and never changes once set:
      伪造发稿日期 (back-dating) is a veto item of the national check (19号).
    """

    # New pages of item types get ``new_item_slug()`` unless the editor chose a slug; columns and
    # home pages keep Wagtail's behaviour (their standard slugs are set explicitly).
    ascii_item_slug = True
    base_form_class = SitePageForm
    # ``objects.listed()``: the one visibility rule (cms.visibility).
    objects = SitePageManager()

    class Meta:
        abstract = True

    def _known_parent(self):
        if self.path:
            return self.get_parent()
        return getattr(self, "_cached_parent_obj", None)

    def settle_slug(self):
        """Give a new item page an ASCII slug when its slug was left to the system."""
        if self.ascii_item_slug and self.pk is None and is_automatic_slug(self.slug, self.title):
            self.slug = new_item_slug(self._known_parent())

    def full_clean(self, *args, **kwargs):
        self.settle_slug()
        return super().full_clean(*args, **kwargs)

    def template_variants(self, request):
        """Template names inside a theme, most specific first; subclasses add variants."""
        return [self.template]

    def get_template(self, request, *args, **kwargs):
        from themes.resolver import themed_template_names

        return themed_template_names(request, self.template_variants(request))

    def get_context(self, request, *args, **kwargs):
        from themes.resolver import theme_for_request

        context = super().get_context(request, *args, **kwargs)
        context["theme"] = theme_for_request(request)
        home = self.site_home()
        context["site_home"] = home
        context["nav_columns"] = listed(home.get_children()).in_menu() if home else []
        # The first-level column this page belongs to (tree paths are 4 characters a level).
        context["nav_active_path"] = self.path[: Page.steplen * 3] if self.depth >= 3 else ""
        context["breadcrumbs"] = self.get_ancestors().filter(depth__gt=1) if self.depth > 2 else []
        return context

    def site_home(self):
        if self.depth == 2:
            return self
        return Page.objects.ancestor_of(self).filter(depth=2).first()

    # Wagtail saves the page and then sends page_published outside any transaction: a database
    # failure in between would leave a live page missing from the catalogue and the search index.
    # One transaction makes publishing all or nothing (tests/faults/test_database_restart.py).
    def publish(self, *args, **kwargs):
        with transaction.atomic():
            return super().publish(*args, **kwargs)

    def unpublish(self, *args, **kwargs):
        with transaction.atomic():
            return super().unpublish(*args, **kwargs)

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if getattr(request, "theme_preview", False):
            # A theme preview is for the web office only; never let a cache keep it.
            response["Cache-Control"] = "private, no-store"
        return response

    def settle_publish_time(self):
        """Keep the stored first publish time; stamp it now if the page goes live without one."""
        if self.pk is not None:
            stored = Page.objects.filter(pk=self.pk).values_list("first_published_at", flat=True).first()
            if stored is not None:
                self.first_published_at = stored
        if self.live and self.first_published_at is None:
            self.first_published_at = timezone.now()

    def save(self, *args, **kwargs):
        self.settle_slug()
        self.settle_publish_time()
        return super().save(*args, **kwargs)

    @property
    def publish_time(self):
        """The shown publish time: ``YYYY-MM-DD HH:MM`` in Asia/Shanghai, or "" before publishing."""
        if self.first_published_at is None:
            return ""
        return timezone.localtime(self.first_published_at).strftime("%Y-%m-%d %H:%M")
