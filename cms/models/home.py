"""The home page of a site, arranged by its site admin from the blocks the theme offers."""

from django.db import connection, models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField

from ..blocks import HOME_BLOCKS
from .articles import ArticlePage
from .base import SitePage


class SiteHomePage(SitePage):
    """The home page of one site; its children are the site's first-level columns."""

    intro = models.TextField(_("网站简介"), blank=True)
    body = StreamField(HOME_BLOCKS, verbose_name=_("首页版块"), blank=True)

    ascii_item_slug = False  # the home page is the site root: slug "home"
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.ColumnPage", "cms.TopicPage", "cms.InformationPage"]
    max_count_per_parent = 1

    content_panels = SitePage.content_panels + [FieldPanel("intro"), FieldPanel("body")]

    class Meta:
        verbose_name = _("网站首页")
        verbose_name_plural = _("网站首页")

    def template_variants(self, request):
        # 门户 and 部门/县区 homes have different layouts; the theme may ship one per kind.
        kind = getattr(getattr(request, "tenant", None) or connection.tenant, "kind", "")
        return [f"cms/site_home_page_{kind}.html", self.template]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if not self.body:
            # A site whose admin has not arranged blocks yet still shows its newest items.
            context["latest"] = ArticlePage.objects.listed().descendant_of(self).order_by("-first_published_at")[:10]
        return context
