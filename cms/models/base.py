"""What every page of a site shares: themed templates, site navigation and the honest publish time."""

import hashlib
import logging
import re
import secrets

from django.db import models, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from sites.access import current_site
from sites.hosts import site_url
from themes.resolver import theme_for_request, themed_template_names

from ..forms import SitePageForm
from ..structure import fits_under
from ..text import read_page
from ..visibility import SitePageManager, listed

logger = logging.getLogger(__name__)


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
    # The browser's slug script and Python's slugify disagree on some punctuation (《》、·…):
    # the slug is still the title's when only punctuation, spaces and a clash suffix differ.
    title_letters = _letters(title)
    return bool(title_letters) and title_letters in {_letters(slug), _letters(re.sub(r"-\d+$", "", slug))}


def _letters(text):
    """``text`` lower-cased with everything but letters and digits removed."""
    return re.sub(r"[\W_]+", "", (text or "").lower())


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
    * A page type with a ``catalogue_type`` (its short type name: ``"article"``) is an item of the
      cluster catalogue (publishing.catalogue), which finds such types in the app registry, the way
      Wagtail's search finds ``search_fields``. ``catalogue_values()`` is the page's catalogue row;
      subclasses add their own columns (``catalogue_metadata``: fields that are row columns of
      their own and so are left out of the row's body text).
    """

    # The short type name of the cluster catalogue, search filters and the API; None: not catalogued.
    catalogue_type = None
    catalogue_metadata = ()

    # New pages of item types get ``new_item_slug()`` unless the editor chose a slug; columns and
    # home pages keep Wagtail's behaviour (their standard slugs are set explicitly).
    ascii_item_slug = True
    # Page types per column class (cms.structure): the column classes this type is added under
    # (None: any), and whether it is structure that only the site admin and the web office add.
    column_classes = None
    structure = False
    base_form_class = SitePageForm
    # ``objects.listed()``: the one visibility rule (cms.visibility).
    objects = SitePageManager()

    class Meta:
        abstract = True

    @classmethod
    def can_create_at(cls, parent):
        return super().can_create_at(parent) and fits_under(cls, parent)

    def can_move_to(self, parent):
        return super().can_move_to(parent) and fits_under(type(self), parent)

    def _known_parent(self):
        if self.path:
            return self.get_parent()
        return getattr(self, "_cached_parent_obj", None)

    def _stored_slug(self):
        if self.pk is None:
            return None
        return Page.objects.filter(pk=self.pk).values_list("slug", flat=True).first()

    def settle_slug(self):
        """Give a new item page an ASCII slug when its slug was left to the system, and keep an
        existing item's slug when what arrives is only the title's slug again.

        The second case is the admin's autosave: it creates the page (which gets ``t<date>_<n>``)
        while the browser's slug field still holds the slug its script made from the Chinese
        title, and the next save of the same screen sent that slug back through the edit view.
        """
        if not self.ascii_item_slug:
            return
        if self.pk is None:
            if is_automatic_slug(self.slug, self.title):
                self.slug = new_item_slug(self._known_parent())
            return
        self.slug = self.kept_slug(self.slug, self.title, self._stored_slug())

    @staticmethod
    def kept_slug(slug, title, stored):
        """``slug`` unless it is the title's automatic slug replacing a different stored one."""
        if stored and slug != stored and is_automatic_slug(slug, title):
            return stored
        return slug

    def slug_for_form(self, slug, title):
        """The slug an item gets from its admin form: the editor's; for a new item left to the
        system, the system's from the title; for a saved item, its own when the form sends the
        title's automatic slug (``settle_slug``)."""
        if not self.ascii_item_slug:
            return slug
        if self.pk is None:
            return new_item_slug(title=title) if is_automatic_slug(slug, title) else slug
        return self.kept_slug(slug, title, self._stored_slug())

    def full_clean(self, *args, **kwargs):
        self.settle_slug()
        return super().full_clean(*args, **kwargs)

    def template_variants(self, request):
        """Template names inside a theme, most specific first; subclasses add variants."""
        return [self.template]

    def get_template(self, request, *args, **kwargs):
        return themed_template_names(request, self.template_variants(request))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["theme"] = theme_for_request(request)
        home = self.site_home()
        context["site_home"] = home
        context["nav_columns"] = listed(home.get_children()).in_menu() if home else []
        # The first-level column this page belongs to (tree paths are 4 characters a level).
        context["nav_active_path"] = self.path[: Page.steplen * 3] if self.depth >= 3 else ""
        context["breadcrumbs"] = self.get_ancestors().filter(depth__gt=1) if self.depth > 2 else []
        return context

    def absolute_url(self, request=None):
        """This page at its site's primary host, with the scheme and port the cluster is served on
        (the request's, else CMS_PUBLIC_SCHEME/CMS_PUBLIC_PORT; sites/hosts.py). Wagtail's
        ``get_full_url`` takes the port stored in the Site record when the site was made: with
        ``make run PORT=8100`` it pointed at 8000."""
        parts = self.get_url_parts(request)
        if not parts:
            return ""
        path = parts[2] or "/"
        return site_url(current_site(), path, request) or self.get_full_url(request) or ""

    def meta_description(self):
        """``<meta name="description">``: the page's own description, its summary, else its site's."""
        text = self.search_description or getattr(self, "summary", "") or getattr(self, "intro", "") or ""
        if not isinstance(text, str):
            text = ""
        if not text.strip():
            home = self if self.depth == 2 else self.site_home()
            text = getattr(home.specific if home else None, "intro", "") or ""
        if not text.strip():
            site = current_site()
            text = f"{site.name}（{site.sponsor or site.name}主办）" if site else ""
        return " ".join(strip_tags(text).split())[:160]

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

    # --- The page's row in the cluster catalogue ----------------------------------------------

    def catalogue_text(self):
        """The row's body text: the page type's own text fields (not Wagtail's, no choices, not
        ``catalogue_metadata``), one line per field, StreamField pieces joined by spaces."""
        texts, _documents = read_page(self, exclude=self.catalogue_metadata)
        by_field = {}
        for piece in texts:
            if piece.compact is not None:
                by_field.setdefault(piece.field.name, []).append(piece.compact)
        parts = (" ".join(pieces).strip() for pieces in by_field.values())
        return "\n".join(part for part in parts if part)

    def catalogue_column(self):
        """The nearest column (a page with a ``column_class``) above this page, or None."""
        for ancestor in self.get_ancestors().specific().order_by("-depth"):
            if getattr(ancestor, "column_class", None):
                return ancestor
        return None

    def catalogue_thumbnail(self):
        """The URL of a 320×200 rendition of the page's first image, or ""."""
        for field in self._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model._meta.label == "wagtailimages.Image":
                image = getattr(self, field.name)
                if image is not None:
                    try:
                        return image.get_rendition("fill-320x200").url
                    except Exception:  # noqa: BLE001 - a broken image file must not block publishing
                        logger.warning("no thumbnail for page %s", self.pk, exc_info=True)
        return ""

    def catalogue_values(self):
        """The catalogue row of this live page, as field values of ``CatalogueEntry``."""
        body = self.catalogue_text()
        summary = getattr(self, "summary", "") or self.search_description or body[:120]
        column = self.catalogue_column()
        return {
            "content_type_label": str(self._meta.verbose_name),
            "column_class": column.column_class if column else "",
            "column_title": column.title if column else "",
            "url": self.absolute_url() or "",
            "title": self.title,
            "summary": summary[:1000],
            "body_text": body,
            "published_at": self.first_published_at or timezone.now(),
            "last_published_at": self.last_published_at,
            "thumbnail_url": self.catalogue_thumbnail(),
        }
