import json
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sites.models import SiteKind, Tenant

from .layouts import LAYOUT_CLASSES, LIST_LAYOUTS, PER_PAGE_RANGE, home_regions, list_layout
from .models import Theme
from .registry import template_set_choices
from .versions import check_snapshot


class AssignToSiteForm(forms.Form):
    theme = forms.ModelChoiceField(Theme.objects.all(), label=_("主题"), empty_label=None)
    site = forms.ModelChoiceField(Tenant.objects.sites(), label=_("站点"), empty_label=None, to_field_name="code")
    lock = forms.BooleanField(label=_("同时锁定主题"), required=False)
    force = forms.BooleanField(label=_("站点已锁定时仍然更换"), required=False)


class AssignToKindForm(forms.Form):
    theme = forms.ModelChoiceField(Theme.objects.all(), label=_("主题"), empty_label=None)
    kind = forms.ChoiceField(label=_("站点类型"), choices=SiteKind.choices)


class LockForm(forms.Form):
    site = forms.ModelChoiceField(Tenant.objects.sites(), label=_("站点"), to_field_name="code")
    locked = forms.BooleanField(label=_("锁定"), required=False)


# --- Versions, layouts and the home regions (themes/versions.py, themes/layouts.py) -------------


def _palette(value):
    return [part for part in re.split(r"[\s,，、;；]+", value or "") if part]


class VersionForm(forms.Form):
    """A new version of a theme: every field the pages read, starting from the newest version."""

    comment = forms.CharField(
        label=_("修改说明"), max_length=200, help_text=_("写明改了什么、为什么，如“动态类栏目改为图文列表”")
    )
    name = forms.CharField(label=_("主题名称"), max_length=50)
    template_set = forms.ChoiceField(label=_("模板套"))
    palette = forms.CharField(
        label=_("配色"),
        max_length=100,
        help_text=_("主色在前，辅助色在后，用逗号分开，如 #0b4f9c, #1d6fb8；网页设计规范：一个主色，全站至多三种颜色"),
    )
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    home_regions = forms.CharField(
        label=_("首页版块区域"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_(
            "JSON 列表，每个区域：key（代码）、label（名称）、blocks（可放的版块）、max_blocks（至多几个版块）、"
            "count（每个版块几条，可空）、unlocked（是否允许站点调整）。留空：站点自由排列首页版块。"
        ),
    )

    def __init__(self, *args, version=None, **kwargs):
        self.version = version
        snapshot = version.snapshot if version else {}
        initial = kwargs.setdefault("initial", {})
        layouts = snapshot.get("layouts") or {}
        initial.setdefault("name", snapshot.get("name", ""))
        initial.setdefault("template_set", snapshot.get("template_set", ""))
        initial.setdefault(
            "palette",
            ", ".join(c for c in (snapshot.get(f) for f in ("main_color", "accent_color", "second_accent_color")) if c),
        )
        initial.setdefault("description", snapshot.get("description", ""))
        regions = home_regions(layouts)
        initial.setdefault("home_regions", json.dumps(regions, ensure_ascii=False, indent=1) if regions else "")
        super().__init__(*args, **kwargs)
        self.fields["template_set"].choices = template_set_choices()
        for column_class, label in LAYOUT_CLASSES.items():
            current = list_layout(layouts, column_class)
            self.fields[f"{column_class}_layout"] = forms.ChoiceField(
                label=f"{label}栏目的列表样式", choices=list(LIST_LAYOUTS.items()), initial=current.layout
            )
            self.fields[f"{column_class}_per_page"] = forms.IntegerField(
                label=f"{label}每页条数",
                min_value=PER_PAGE_RANGE[0],
                max_value=PER_PAGE_RANGE[1],
                initial=current.per_page,
            )
            self.fields[f"{column_class}_summary"] = forms.BooleanField(
                label=f"{label}显示摘要", required=False, initial=current.summary
            )
            self.fields[f"{column_class}_date"] = forms.BooleanField(
                label=f"{label}显示日期", required=False, initial=current.date
            )

    def layout_rows(self):
        """The list-layout fields, one row per column class (for the screen's table)."""
        return [
            (label, [self[f"{cls}_{part}"] for part in ("layout", "per_page", "summary", "date")])
            for cls, label in LAYOUT_CLASSES.items()
        ]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        colours = _palette(data.get("palette"))
        changes = {
            "name": data["name"].strip(),
            "template_set": data["template_set"],
            "description": data.get("description", ""),
            "main_color": colours[0] if colours else "",
            "accent_color": colours[1] if len(colours) > 1 else "",
            "second_accent_color": colours[2] if len(colours) > 2 else "",
            "extra_colours": colours[3:],
        }
        try:
            regions = json.loads(data["home_regions"]) if (data.get("home_regions") or "").strip() else []
        except ValueError:
            self.add_error("home_regions", "首页版块区域须为 JSON 列表。")
            return data
        changes["layouts"] = {
            "lists": {
                cls: {
                    "layout": data[f"{cls}_layout"],
                    "per_page": data[f"{cls}_per_page"],
                    "summary": data[f"{cls}_summary"],
                    "date": data[f"{cls}_date"],
                }
                for cls in LAYOUT_CLASSES
            },
            "home": {"regions": regions},
        }
        try:
            check_snapshot({**(self.version.snapshot if self.version else {}), **changes})
        except ValidationError as error:
            for message in error.messages:
                field = "palette" if ("色" in message) else None
                self.add_error(field, message)
            return data
        self.changes = changes
        return data


class ApplyVersionForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("应用范围"),
        choices=[("site", _("一个站点")), ("kind", _("一类站点")), ("cluster", _("整个站群"))],
        widget=forms.RadioSelect,
    )
    site = forms.ModelChoiceField(
        Tenant.objects.sites(), label=_("站点"), required=False, to_field_name="code", empty_label="（选择站点）"
    )
    kind = forms.ChoiceField(label=_("站点类型"), choices=[("", "（选择类型）"), *SiteKind.choices], required=False)
    force = forms.BooleanField(label=_("站点已锁定时仍然应用（仅一个站点）"), required=False)
    confirm = forms.BooleanField(label=_("我已在站点上预览过这个版本"), required=True)


class RollbackForm(forms.Form):
    comment = forms.CharField(label=_("回滚原因"), max_length=200, required=False)
