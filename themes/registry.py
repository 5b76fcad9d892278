"""The template sets the project ships: each is a directory ``themes/templates/themes/<key>/``.

A Theme record picks one template set and adds design tokens; several themes may share a set.
What a site admin may change on top of a theme (issue 3: logo, banner images, footer data) is a
property of the template set's layout, so it is declared here next to the sets.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

TEMPLATE_SETS = {
    "blue": "政务蓝",
    "red": "中国红",
    "topic": "专题",
}
DEFAULT_TEMPLATE_SET = "blue"


def template_set_choices():
    return list(TEMPLATE_SETS.items())


@dataclass(frozen=True)
class BrandingLimits:
    """What a template set accepts from a site's own branding (the ``cms.SiteBranding`` setting).

    The header shows the logo in a 3rem square (48 CSS px, 96 px on a high-density screen), so a
    logo must be roughly square and at least 96 px; a banner fills the header band behind the
    site name, so it must be a wide strip.
    """

    site_logo: bool = True
    logo_min_px: int = 96
    logo_ratio: tuple = (0.8, 1.25)  # width / height
    site_banner: bool = True
    banner_min_width: int = 1200
    banner_ratio: tuple = (4.0, 12.0)  # width / height

    def logo_errors(self, width, height):
        """Reasons (for people) why a ``width`` × ``height`` image cannot be this set's logo."""
        if not self.site_logo:
            return [_("当前主题不允许更换网站标志。")]
        errors = []
        if min(width, height) < self.logo_min_px:
            errors.append(
                _("标志图片为 %(w)d×%(h)d 像素，宽和高都不能小于 %(min)d 像素。")
                % {"w": width, "h": height, "min": self.logo_min_px}
            )
        low, high = self.logo_ratio
        if not low <= width / height <= high:
            errors.append(_("标志图片须接近正方形（宽高比在 %(low)s 到 %(high)s 之间）。") % {"low": low, "high": high})
        return errors

    def banner_errors(self, width, height):
        """Reasons (for people) why a ``width`` × ``height`` image cannot be this set's banner."""
        if not self.site_banner:
            return [_("当前主题不显示页头横幅，不能设置横幅图片。")]
        errors = []
        if width < self.banner_min_width:
            errors.append(
                _("横幅图片宽 %(w)d 像素，不能小于 %(min)d 像素。") % {"w": width, "min": self.banner_min_width}
            )
        low, high = self.banner_ratio
        if not low <= width / height <= high:
            errors.append(
                _("横幅图片须为横向长条（宽是高的 %(low)g 到 %(high)g 倍），如 1920×240 像素。")
                % {"low": low, "high": high}
            )
        return errors


# 中国红 has a centred red masthead with a gold rule: no picture behind the site name.
BRANDING_LIMITS = {
    "blue": BrandingLimits(),
    "red": BrandingLimits(site_banner=False),
    # 专题: the banner band under the navigation is wider and taller than a header strip (1920×480).
    "topic": BrandingLimits(banner_ratio=(2.5, 6.0)),
}


def branding_limits(template_set):
    return BRANDING_LIMITS.get(template_set) or BRANDING_LIMITS[DEFAULT_TEMPLATE_SET]
