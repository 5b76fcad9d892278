"""Shared themes (public schema), managed by the web office, and which site uses which."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .layouts import clean_layouts
from .registry import DEFAULT_TEMPLATE_SET, TEMPLATE_SETS, template_set_choices
from .svg import check_svg_upload, is_svg_name

HEX_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
# WCAG 2.1 AA: 4.5:1 for text (white text on the main colour: header, navigation, buttons);
# 3:1 for the accents, used for borders, icons and large text (1.4.11 non-text contrast).
MAIN_CONTRAST = 4.5
ACCENT_CONTRAST = 3.0
MAX_COLOURS = 3  # 网页设计规范: one main colour, at most three in all


def palette_errors(colours):
    """Why ``colours`` (main colour first) break the design rule, as sentences for people."""
    colours = [c.strip() for c in colours if c and c.strip()]
    if not colours:
        return ["必须设置一个主色。"]
    bad = [c for c in colours if not HEX_COLOUR_RE.match(c)]
    if bad:
        return [f"颜色须写成 #RRGGBB，如 #0b4f9c：{'、'.join(bad)}。"]
    distinct = list(dict.fromkeys(c.lower() for c in colours))
    if len(distinct) > MAX_COLOURS:
        return [
            f"网页设计规范要求一个主色、全站颜色至多三种（主色一种，辅助色至多两种），"
            f"这里有 {len(distinct)} 种：{'、'.join(distinct)}。请删去第 4 种及以后的颜色。"
        ]
    if len(distinct) != len(colours):
        return ["主色和辅助色不能相同。"]
    return []


def relative_luminance(hex_colour):
    def channel(value):
        value = value / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(first, second):
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


class ThemeQuerySet(models.QuerySet):
    def default(self):
        return self.filter(is_default=True).first()


class Theme(models.Model):
    """A shared look: a template set plus design tokens (47号: one main colour, at most three in all)."""

    name = models.CharField(_("主题名称"), max_length=50, unique=True)
    slug = models.SlugField(_("主题代码"), max_length=30, unique=True, help_text=_("预览时使用，如 blue"))
    template_set = models.CharField(
        _("模板套"), max_length=30, choices=template_set_choices(), default=DEFAULT_TEMPLATE_SET
    )
    main_color = models.CharField(_("主色"), max_length=7, help_text=_("如 #0b4f9c，白色文字在其上须达到 4.5:1 对比度"))
    accent_color = models.CharField(_("辅助色一"), max_length=7, blank=True)
    second_accent_color = models.CharField(_("辅助色二"), max_length=7, blank=True)
    default_logo = models.FileField(
        _("默认标志"),
        upload_to="themes/logos/",
        blank=True,
        validators=[FileExtensionValidator(["svg", "png", "webp"])],
        help_text=_("站点未上传自己的标志时使用"),
    )
    description = models.TextField(_("说明"), blank=True)
    is_default = models.BooleanField(_("默认主题"), default=False, help_text=_("未指定主题的站点使用默认主题"))
    layouts = models.JSONField(
        _("版式"), default=dict, blank=True, help_text=_("各类栏目的列表样式和首页版块区域（themes/layouts.py）")
    )
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ThemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("网站主题")
        verbose_name_plural = _("网站主题")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_theme"
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.pk is not None:
            # Static assets are versioned by this number, so browsers fetch the new look at once.
            self.version = (type(self).objects.filter(pk=self.pk).values_list("version", flat=True).first() or 0) + 1
        super().save(*args, **kwargs)

    def colours(self):
        return [c for c in (self.main_color, self.accent_color, self.second_accent_color) if c]

    def logo_errors(self):
        """Why the default logo may not be served (an SVG that could run code: themes.svg), if it may not.

        A new upload is checked before it is stored; a stored one again on every edit, so a logo
        kept from before the check cannot stay once anyone edits the theme.
        """
        logo = self.default_logo
        if not logo or not is_svg_name(logo.name):
            return []
        try:
            if logo._committed:  # stored before: open it from storage (a fresh upload is in memory)
                with logo.open("rb"):
                    check_svg_upload(logo)
            else:
                check_svg_upload(logo)
        except ValidationError as error:
            return error.messages
        except OSError:  # the stored file is gone: there is nothing to serve
            return []
        return []

    def clean(self):
        errors = {}
        if problems := self.logo_errors():
            errors["default_logo"] = problems
        if self.template_set not in TEMPLATE_SETS:
            errors["template_set"] = _("模板套“%(key)s”不存在。") % {"key": self.template_set}
        for field in ("main_color", "accent_color", "second_accent_color"):
            value = getattr(self, field)
            if value and not HEX_COLOUR_RE.match(value):
                errors[field] = _("颜色须写成 #RRGGBB，如 #0b4f9c。")
        if not self.main_color:
            errors["main_color"] = _("必须设置一个主色。")
        try:
            self.layouts = clean_layouts(self.layouts)
        except ValidationError as error:
            errors["layouts"] = error.messages
        if self.second_accent_color and not self.accent_color:
            errors["second_accent_color"] = _("请先设置辅助色一。")
        if errors:
            raise ValidationError(errors)
        colours = [c.lower() for c in self.colours()]
        if len(set(colours)) != len(colours):
            errors["accent_color"] = _("主色和辅助色不能相同。")
        if contrast_ratio(self.main_color, "#ffffff") < MAIN_CONTRAST:
            errors["main_color"] = _("主色与白色文字的对比度为 %(ratio).1f:1，须达到 4.5:1（WCAG 2.1 AA）。") % {
                "ratio": contrast_ratio(self.main_color, "#ffffff")
            }
        for field in ("accent_color", "second_accent_color"):
            value = getattr(self, field)
            if value and contrast_ratio(value, "#ffffff") < ACCENT_CONTRAST:
                errors[field] = _("辅助色与白色背景的对比度为 %(ratio).1f:1，须达到 3:1（WCAG 2.1 AA）。") % {
                    "ratio": contrast_ratio(value, "#ffffff")
                }
        if errors:
            raise ValidationError(errors)

    def tokens_stylesheet_url(self):
        """The stylesheet with ``css_variables()`` (themes/tokens.py); None if it cannot be written."""
        from .tokens import stylesheet_url  # themes.tokens imports this module: a circle

        return stylesheet_url(self)

    def css_variables(self):
        """Design tokens as CSS custom properties (accents fall back to the main colour)."""
        accent = self.accent_color or self.main_color
        return {
            "--color-main": self.main_color,
            "--color-accent": accent,
            "--color-accent-2": self.second_accent_color or accent,
        }


# Every field the rendering reads: a version keeps all of them, so applying it (or rolling back to
# it) gives exactly the pages it gave.
SNAPSHOT_FIELDS = (
    "name",
    "template_set",
    "main_color",
    "accent_color",
    "second_accent_color",
    "default_logo",
    "description",
    "layouts",
)


def snapshot_of(theme):
    values = {}
    for field in SNAPSHOT_FIELDS:
        value = getattr(theme, field)
        if field == "default_logo":
            value = value.name if value else ""
        values[field] = value
    return values


class ThemeVersion(models.Model):
    """One immutable state of a theme: who made it, when, why, and every field the pages read.

    Versions are numbered per theme and never change or go away; a rollback is a new version equal
    to an earlier one (``restored_from``), so the history stays one line.
    """

    theme = models.ForeignKey(Theme, verbose_name=_("主题"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    snapshot = models.JSONField(_("主题内容"))
    comment = models.CharField(_("修改说明"), max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("修改时间"), default=timezone.now)
    restored_from = models.ForeignKey(
        "self", verbose_name=_("回滚自"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("主题版本")
        verbose_name_plural = _("主题版本")
        ordering = ["theme", "-number"]
        constraints = [models.UniqueConstraint(fields=["theme", "number"], name="one_number_per_theme_version")]

    def __str__(self):
        return f"{self.theme.name} 第 {self.number} 版"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("主题版本不可修改：请新建一个版本。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("主题版本不可删除。")

    def as_theme(self):
        """An unsaved ``Theme`` carrying this version's values (identity from the theme record).

        ``version`` is this version's number: the template sets' stylesheets are versioned by it.
        """
        base = self.theme
        theme = Theme(
            pk=base.pk,
            slug=base.slug,
            is_default=base.is_default,
            version=self.asset_number,
            **{field: self.snapshot.get(field, getattr(base, field)) for field in SNAPSHOT_FIELDS},
        )
        theme.applied_version = self
        return theme

    @property
    def asset_number(self):
        """The number the pages' stylesheet links carry: a rollback's is its original's, so the
        pages it gives are byte for byte those of the version it restores."""
        return self.restored_from.number if self.restored_from_id else self.number

    @property
    def time(self):
        return timezone.localtime(self.created_at).strftime("%Y-%m-%d %H:%M")


class SiteTheme(models.Model):
    """Which theme a site uses. Only the web office changes it; a locked site keeps its theme
    when the web office assigns a theme to every site of its kind."""

    tenant = models.OneToOneField(
        "sites.Tenant", verbose_name=_("站点"), on_delete=models.CASCADE, related_name="theme_assignment"
    )
    theme = models.ForeignKey(Theme, verbose_name=_("主题"), on_delete=models.PROTECT, related_name="assignments")
    version = models.ForeignKey(
        ThemeVersion,
        verbose_name=_("版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
        help_text=_("站点显示的主题版本；留空则为主题的最新版本"),
    )
    locked = models.BooleanField(_("锁定主题"), default=False, help_text=_("锁定后，按站点类型批量更换主题时跳过本站"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("指定人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    assigned_at = models.DateTimeField(_("指定时间"), auto_now=True)

    class Meta:
        verbose_name = _("站点主题")
        verbose_name_plural = _("站点主题")

    def __str__(self):
        return f"{self.tenant} · {self.theme}"


class SiteHomeLayout(models.Model):
    """A site admin's variation of the home page's block regions, where the web office unlocked them.

    Checked against the regions of the version the site shows (``layouts.clean_site_override``)
    when saved, and again when read: a region the web office locks later is no longer varied.
    """

    tenant = models.OneToOneField(
        "sites.Tenant", verbose_name=_("站点"), on_delete=models.CASCADE, related_name="home_layout"
    )
    regions = models.JSONField(_("首页版块设置"), default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("站点首页版块")
        verbose_name_plural = _("站点首页版块")

    def __str__(self):
        return f"{self.tenant} · 首页版块"


# 哀悼模式 (topicset): its model lives in themes/mourning.py; imported here so the app loads it.
from .mourning import MourningPeriod  # noqa: E402, F401
