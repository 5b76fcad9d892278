"""Forms of the web office's console.

The forms only collect text: codes, hosts, parents and the record's fields are checked by the
services the commands use (``sites/provisioning.py``, the model's validators), so the screen and
``create_site`` refuse the same things with the same messages.
"""

import datetime

from django import forms
from django.db.models import Q

from ..models import Outcome, SiteKind, Tenant
from ..scope import managed_sites

DETAIL_FIELDS = [
    ("short_name", "简称", 30),
    ("site_identifier", "政府网站标识码", 10),
    ("icp_number", "ICP备案号", 50),
    ("police_record_number", "公安机关备案号", 50),
    ("police_record_url", "公安机关备案链接", 200),
    ("sponsor", "主办单位", 100),
    ("organizer", "承办单位", 100),
    ("contact_phone", "联系电话", 50),
    ("contact_address", "联系地址", 200),
    ("org_code", "组织机构代码", 18),
]
HELP = {
    "site_identifier": "10 位数字，见全国政府网站信息报送系统。",
    "police_record_url": "全国互联网安全管理服务平台上本站备案信息的网址，以 https:// 开头。",
    "org_code": "政府信息公开索引号的前缀，如 014207264；修改只影响以后生成的索引号。",
}


def parent_choices(exclude=None, user=None):
    """The sites a parent may be chosen from: those ``user`` manages (a city's web office sees its
    own subtree only, not the names of every site), and the site's present parent."""
    sites = Tenant.objects.sites().order_by("id")
    if user is not None:
        keep = [exclude.parent_id] if exclude is not None and exclude.parent_id else []
        sites = sites.filter(Q(pk__in=managed_sites(user).values("pk")) | Q(pk__in=keep))
    if exclude is not None:
        sites = sites.exclude(pk=exclude.pk)
    return [("", "（无上级站点）")] + [(site.code, f"{site.name}（{site.code}）") for site in sites]


class FieldGroups:
    """Bound fields in the screens' two groups: the site itself, and the footer's registration data."""

    detail_names = [name for name, _label, _length in DETAIL_FIELDS]

    def basic_fields(self):
        return [self[name] for name in self.fields if name not in self.detail_names]

    def detail_fields(self):
        return [self[name] for name in self.detail_names if name in self.fields]


def _add_detail_fields(form):
    for name, label, length in DETAIL_FIELDS:
        form.fields[name] = forms.CharField(
            label=label, max_length=length, required=False, help_text=HELP.get(name, "")
        )


class SiteCreateForm(FieldGroups, forms.Form):
    code = forms.CharField(
        label="站点代码", max_length=30, help_text="小写字母开头，只含小写字母和数字，如 jtj；创建后不能修改。"
    )
    name = forms.CharField(label="网站名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=SiteKind.choices, initial=SiteKind.DEPARTMENT)
    parent = forms.ChoiceField(label="上级站点", required=False)
    domain = forms.CharField(label="主域名", max_length=253, help_text="如 jtj.city.gov.cn，不能含下划线。")
    aliases = forms.CharField(
        label="其他公开域名", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="每行一个，可不填。"
    )
    admin_domain = forms.CharField(
        label="后台专用域名", max_length=253, required=False, help_text="内网采编时填写；设置后后台只能从该域名进入。"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = parent_choices()
        _add_detail_fields(self)

    def spec_values(self):
        data = self.cleaned_data
        return {
            "code": data["code"].strip(),
            "name": data["name"].strip(),
            "kind": data["kind"],
            "parent": data["parent"] or None,
            "domain": data["domain"].strip().lower(),
            "aliases": [line.strip().lower() for line in data["aliases"].splitlines() if line.strip()],
            "admin_domain": data["admin_domain"].strip().lower() or None,
            "details": {name: data[name].strip() for name, _label, _len in DETAIL_FIELDS if data[name].strip()},
        }


class SiteRecordForm(FieldGroups, forms.Form):
    name = forms.CharField(label="网站名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=SiteKind.choices)
    parent = forms.ChoiceField(label="上级站点", required=False)
    admins_may_edit_contact = forms.BooleanField(
        label="允许站点管理员修改联系方式",
        required=False,
        help_text="开启后，本站站点管理员可在后台修改页脚的联系电话和地址。",
    )

    def __init__(self, *args, site, user=None, **kwargs):
        kwargs.setdefault("initial", {})
        for name in ["name", "kind", "admins_may_edit_contact"] + [f for f, _l, _n in DETAIL_FIELDS]:
            kwargs["initial"].setdefault(name, getattr(site, name))
        kwargs["initial"].setdefault("parent", site.parent.code if site.parent_id else "")
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = parent_choices(exclude=site, user=user)
        _add_detail_fields(self)

    def values(self):
        values = dict(self.cleaned_data)
        values["parent"] = values["parent"] or None
        return values


class ContactForm(forms.Form):
    contact_phone = forms.CharField(label="联系电话", max_length=50, required=False)
    contact_address = forms.CharField(label="联系地址", max_length=200, required=False)


class DomainForm(forms.Form):
    domain = forms.CharField(label="域名", max_length=253)
    admin_host = forms.BooleanField(
        label="后台专用域名", required=False, help_text="勾选后，本站后台只能从此域名进入。"
    )


class StatusForm(forms.Form):
    action = forms.ChoiceField(choices=[("suspend", "暂停访问"), ("reopen", "重新开放"), ("archive", "归档")])
    reason = forms.CharField(label="原因", max_length=200, required=False, help_text="记入审计日志。")
    confirm = forms.BooleanField(label="我确认归档：网站对公众关闭，内容保留备查", required=False)

    def clean(self):
        data = super().clean()
        if data.get("action") == "archive" and not data.get("confirm"):
            raise forms.ValidationError("归档前请勾选确认。")
        return data


class RestoreForm(forms.Form):
    archive = forms.FileField(label="备份文件", help_text="站点信息页“备份并下载”或备份命令生成的 .tar.gz 文件。")
    code = forms.CharField(
        label="新站点代码", max_length=30, required=False, help_text="不填则用备份中的代码（须未被使用）。"
    )
    domain = forms.CharField(label="新主域名", max_length=253, required=False, help_text="不填则用备份中的主域名。")
    name = forms.CharField(label="新网站名称", max_length=100, required=False)
    untrusted = forms.BooleanField(
        label="这是另一套系统的备份，我确认其来源可信，按不可信备份恢复",
        required=False,
        help_text="只在备份的签名不符时才需要勾选：恢复会记入审计日志，正文一律重新过滤。",
    )


class AuditFilterForm(forms.Form):
    person = forms.CharField(label="操作人", max_length=150, required=False)
    site = forms.ChoiceField(label="站点", required=False)
    action = forms.ChoiceField(label="操作", required=False)
    outcome = forms.ChoiceField(label="结果", required=False, choices=[("", "全部结果"), *Outcome.choices])
    date_from = forms.DateField(label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label="对象包含", max_length=200, required=False)

    def __init__(self, *args, site_choices, action_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", "全部站点")] + site_choices
        self.fields["action"].choices = [("", "全部操作")] + action_choices
        self.fields["date_from"].error_messages["invalid"] = "请输入有效的日期，如 2026-01-31。"
        self.fields["date_to"].error_messages["invalid"] = "请输入有效的日期，如 2026-01-31。"

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if isinstance(start, datetime.date) and isinstance(end, datetime.date) and start > end:
            raise forms.ValidationError("开始日期不能晚于结束日期。")
        return data
