"""Admin forms of the site's page types."""

import json
import logging

from django import forms
from django.utils.translation import gettext_lazy as _
from draftjs_exporter.error import ExporterException
from wagtail.admin.forms import WagtailAdminPageForm

from sites.access import current_site

logger = logging.getLogger(__name__)

# The edit and create screens' buttons that end in a published page (direct publish, or the
# review chain that publishes at its last step).
PUBLISHING_ACTIONS = ("action-publish", "action-submit", "action-workflow-action")

NO_ORG_CODE = _(
    "本站尚未设置组织机构代码，系统无法生成政府信息公开索引号，因此暂不能发布或提交审核此文件。"
    "请联系网站办在站点信息中填写组织机构代码；在此之前可以先“保存草稿”。"
)


UNREADABLE_FIELD = _(
    "“%(label)s”的内容无法识别（编辑器提交的数据为空、不完整或已损坏），本次修改未保存。"
    "请刷新页面后重新编辑；如仍出现此提示，请把内容复制到新建的稿件中。"
)
# What a widget raises while reading data it cannot understand: Draftail's converter json.loads()
# the posted text and walks it as a dict of blocks (and its exporter refuses an entity range that
# points at no entity); StreamField widgets index their parts.
_UNREADABLE_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError, ExporterException)


def is_contentstate(raw):
    """Whether ``raw`` (the posted text of a rich-text field) is what the Draftail editor sends:
    a JSON object with a list of blocks. ``""``, ``null`` or a list is not, though some of them
    would convert without an error (``null`` into an empty body)."""
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        return False
    return (
        isinstance(value, dict)
        and isinstance(value.get("blocks"), list)
        and all(isinstance(block, dict) for block in value["blocks"])
        and isinstance(value.get("entityMap", {}), dict)
    )


class SitePageForm(WagtailAdminPageForm):
    """The base form of every page type.

    * Slugs of new item pages: the system's ASCII slug unless the editor chose one. Done before
      Wagtail's own check that the slug is free under the parent, so that check applies to the
      slug the page gets. The slug of a new item may be left empty.
    * Posted data a field's widget cannot read (an empty or truncated rich-text body, a StreamField
      missing its parts) is an error on that field, not a 500: the widgets trust what the editor's
      script sends, and a form sent by anything else reached Draftail's converter as it was.
    """

    def __init__(self, *args, **kwargs):
        self._unreadable_fields = set()  # before the form's own set-up, which may read posted data
        super().__init__(*args, **kwargs)
        if self._makes_item_slug() and "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _("留空则由系统生成，如 t20261122_4830571")

    def _makes_item_slug(self):
        return self._is_item() and self.instance.pk is None

    def _widget_data_value(self, widget, html_name):
        """The field's value from the posted data; for data it cannot read, the field's current value
        (so the form shows again what the page had), and the field is marked for an error in clean()."""
        # Imported here: the rich-text package loads the page model, and this module is loaded with it.
        from wagtail.admin.rich_text import DraftailRichTextArea

        try:
            if isinstance(widget, DraftailRichTextArea):
                raw = self.data.get(html_name)
                if raw is not None and not is_contentstate(raw):
                    raise ValueError("not the editor's content state")
            return super()._widget_data_value(widget, html_name)
        except _UNREADABLE_ERRORS as exc:
            name = next((name for name in self.fields if self.add_prefix(name) == html_name), None)
            if name is None:
                raise
            if name not in self._unreadable_fields:
                logger.warning("unreadable data posted for %s.%s: %r", type(self.instance).__name__, name, exc)
            self._unreadable_fields.add(name)
            return self.get_initial_for_field(self.fields[name], name)

    def clean(self):
        for name in sorted(self._unreadable_fields):
            if name in self.fields:
                self.add_error(
                    name,
                    forms.ValidationError(
                        UNREADABLE_FIELD, code="unreadable", params={"label": self.fields[name].label}
                    ),
                )
        if self._is_item() and "slug" in self.cleaned_data:
            # The page type decides (SitePage.slug_for_form): this module is imported by the models.
            title = self.cleaned_data.get("title", "")
            self.cleaned_data["slug"] = self.instance.slug_for_form(self.cleaned_data["slug"], title)
        return super().clean()

    def _is_item(self):
        return getattr(type(self.instance), "ascii_item_slug", False)

    def get_field_updates_for_resave(self):
        """After an autosave, the screen's slug field gets the slug the item was saved with: it
        still shows the slug the browser's script made from the title, and would send it back."""
        updates = super().get_field_updates_for_resave()
        if self._is_item() and "slug" in self.fields and self.instance.slug:
            updates.append((self.add_prefix("slug"), self.instance.slug))
        return updates


class DisclosureDocumentForm(SitePageForm):
    """A document cannot be published without a 索引号, and there is none without an org code:
    say so on the form instead of failing at publish time."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("validity")
        if field is not None and self.instance.index_number:
            # Once published, 有效性 is stored once for the cluster (``current_validity``)
            # and changed only with 变更有效性; a disabled field keeps the stored value on save.
            field.disabled = True
            field.initial = self.initial["validity"] = self.instance.current_validity
            field.help_text = _("已发布文件的有效性请用页面“更多”菜单中的“变更有效性”修改，修改后各处同步。")

    def clean(self):
        cleaned_data = super().clean()
        publishing = any(self.data.get(action) for action in PUBLISHING_ACTIONS)
        if publishing and not self.instance.index_number and not getattr(current_site(), "org_code", ""):
            raise forms.ValidationError(NO_ORG_CODE, code="no_org_code")
        return cleaned_data
