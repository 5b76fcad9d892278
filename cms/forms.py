"""Admin forms of the site's page types."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

# The edit and create screens' buttons that end in a published page (direct publish, or the
# review chain that publishes at its last step).
PUBLISHING_ACTIONS = ("action-publish", "action-submit", "action-workflow-action")

NO_ORG_CODE = _(
    "本站尚未设置组织机构代码，系统无法生成政府信息公开索引号，因此暂不能发布或提交审核此文件。"
    "请联系网站办在站点信息中填写组织机构代码；在此之前可以先“保存草稿”。"
)


class SitePageForm(WagtailAdminPageForm):
    """Slugs of new item pages: the system's ASCII slug unless the editor chose one.

    Done before Wagtail's own check that the slug is free under the parent, so that check applies
    to the slug the page gets. The slug of a new item may be left empty.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self._makes_item_slug() and "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _("留空则由系统生成，如 t20261122_4830571")

    def _makes_item_slug(self):
        return getattr(type(self.instance), "ascii_item_slug", False) and self.instance.pk is None

    def clean(self):
        from .models.base import is_automatic_slug, new_item_slug

        if self._makes_item_slug() and "slug" in self.cleaned_data:
            if is_automatic_slug(self.cleaned_data["slug"], self.cleaned_data.get("title", "")):
                self.cleaned_data["slug"] = new_item_slug(title=self.cleaned_data.get("title", ""))
        return super().clean()


class DisclosureDocumentForm(SitePageForm):
    """A document cannot be published without a 索引号, and there is none without an org code:
    say so on the form instead of failing at publish time."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("validity")
        if field is not None and self.instance.index_number:
            # Once published, 有效性 is stored once for the cluster (publishing.syndication.validity)
            # and changed only with 变更有效性; a disabled field keeps the stored value on save.
            field.disabled = True
            field.initial = self.initial["validity"] = self.instance.current_validity
            field.help_text = _("已发布文件的有效性请用页面“更多”菜单中的“变更有效性”修改，修改后各处同步。")

    def clean(self):
        from .models.base import current_site

        cleaned_data = super().clean()
        publishing = any(self.data.get(action) for action in PUBLISHING_ACTIONS)
        if publishing and not self.instance.index_number and not getattr(current_site(), "org_code", ""):
            raise forms.ValidationError(NO_ORG_CODE, code="no_org_code")
        return cleaned_data
