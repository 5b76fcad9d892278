"""The site's own logo and header banner, set by its site admin within what the theme allows.

A theme (web office) fixes colours and layout; a site admin changes only its logo, banner images
and footer data (design §1). Each template set declares what it accepts (``themes.registry``);
what it does not accept is refused here and, should the web office later switch the site to a
theme that does not show it, simply not shown. A change purges the site's cached pages
(``serving.pagecache.on_branding_change``).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from sites.access import current_site
from themes.registry import branding_limits
from themes.resolver import site_theme
from themes.svg import check_svg_upload, is_svg_name

# The permission a site admin needs for this screen (the model's own change permission).
EDIT_PERMISSION = "cms.change_sitebranding"

HELP = _(
    "<p>网站标志显示在页头网站名称左侧，未上传时使用主题的默认标志；须接近正方形，不小于 96×96 像素，"
    "建议使用透明背景的 PNG 或 WebP。</p>"
    "<p>页头横幅显示在网站名称后面（政务蓝主题），为横向长条，宽不小于 1200 像素、宽是高的 4 到 12 倍，"
    "如 1920×240 像素。中国红主题不显示横幅。主色和版式由网站办选定的主题决定，站点不能修改。</p>"
)


@dataclass(frozen=True)
class ShownBranding:
    """What the header shows: the site's images the theme accepts (None: the theme's default)."""

    logo: object = None
    banner: object = None


@register_setting(icon="image")
class SiteBranding(BaseSiteSetting):
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("网站标志"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("留空则使用主题的默认标志"),
    )
    banner = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("页头横幅"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("留空则使用主题的页头底色"),
    )

    panels = [HelpPanel(content=HELP, heading=_("主题允许的范围")), FieldPanel("logo"), FieldPanel("banner")]

    class Meta:
        verbose_name = _("网站标志与横幅")
        verbose_name_plural = _("网站标志与横幅")

    @staticmethod
    def limits_for(theme):
        return branding_limits(getattr(theme, "template_set", ""))

    def clean(self):
        super().clean()
        limits = self.limits_for(site_theme(current_site()))
        errors = {}
        if self.logo_id and (problems := self.svg_logo_errors()):
            errors["logo"] = problems
        elif self.logo_id and (problems := limits.logo_errors(self.logo.width, self.logo.height)):
            errors["logo"] = problems
        if self.banner_id and (problems := limits.banner_errors(self.banner.width, self.banner.height)):
            errors["banner"] = problems
        if errors:
            raise ValidationError(errors)

    def svg_logo_errors(self):
        """An SVG logo that could run code on every page of the site is refused (themes.svg).

        The image library takes no SVG today (WAGTAILIMAGES_EXTENSIONS); this holds should it
        ever be allowed, and for an SVG image stored some other way.
        """
        if not is_svg_name(self.logo.file.name):
            return []
        try:
            with self.logo.file.open("rb") as stored:
                check_svg_upload(stored)
        except ValidationError as error:
            return error.messages
        except OSError:
            return []
        return []

    def shown(self, theme):
        """The images the header shows under ``theme``; what the theme does not allow is left out."""
        limits = self.limits_for(theme)
        logo = self.logo if self.logo_id and limits.site_logo else None
        banner = self.banner if self.banner_id and limits.site_banner else None
        return ShownBranding(logo=logo, banner=banner)

    @classmethod
    def shown_for_request(cls, request, theme):
        """The branding shown on a page of this request's site (nothing on the public schema)."""
        if request is None or connection.schema_name == settings.PUBLIC_SCHEMA_NAME:
            return ShownBranding()
        cached = getattr(request, "_shown_branding", None)
        if cached is None:
            try:
                cached = cls.for_request(request).shown(theme)
            except cls.DoesNotExist:  # no Wagtail Site in this schema (a half-made site)
                cached = ShownBranding()
            request._shown_branding = cached
        return cached
