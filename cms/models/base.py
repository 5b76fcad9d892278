"""What every page of a site shares: themed templates, site navigation and the honest publish time."""

from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page


class ColumnClass(models.TextChoices):
    """The class of a column picks its list template and its freshness rule (19号)."""

    NEWS = "news", _("动态类")
    NOTICE = "notice", _("通知公告类")
    POLICY = "policy", _("政策文件类")
    DISCLOSURE = "disclosure", _("信息公开类")
    SERVICE = "service", _("办事服务类")
    INTERACTION = "interaction", _("互动交流类")
    STATIC = "static", _("静态信息类")


def current_site():
    """The site (tenant) whose schema is active: the source of org_code, names and footer data.

    ``schema_context`` (commands, seeding) sets only a stand-in with the schema name: load the
    real site record then.
    """
    from django_tenants.utils import get_tenant_model

    tenant = getattr(connection, "tenant", None)
    Tenant = get_tenant_model()
    if isinstance(tenant, Tenant):
        return tenant
    return Tenant.objects.filter(schema_name=connection.schema_name).first()


class SitePage(Page):
    """Base of every page type of a site.

    * The template comes from the site's theme (``themes.resolver``); each theme's templates have
      their own names, so Django's cached loader can never serve one site's theme to another.
    * ``first_published_at`` is the real first publish time and never changes once set:
      伪造发稿日期 (back-dating) is a veto item of the national check (19号).
    """

    class Meta:
        abstract = True

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
        context["nav_columns"] = home.get_children().live().in_menu() if home else []
        # The first-level column this page belongs to (tree paths are 4 characters a level).
        context["nav_active_path"] = self.path[: Page.steplen * 3] if self.depth >= 3 else ""
        context["breadcrumbs"] = self.get_ancestors().filter(depth__gt=1) if self.depth > 2 else []
        return context

    def site_home(self):
        if self.depth == 2:
            return self
        return Page.objects.ancestor_of(self).filter(depth=2).first()

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
        self.settle_publish_time()
        return super().save(*args, **kwargs)

    @property
    def publish_time(self):
        """The shown publish time: ``YYYY-MM-DD HH:MM`` in Asia/Shanghai, or "" before publishing."""
        if self.first_published_at is None:
            return ""
        return timezone.localtime(self.first_published_at).strftime("%Y-%m-%d %H:%M")
