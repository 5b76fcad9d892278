"""The public forms of 互动交流 and 依申请公开.

The fields' own rules (lengths, the mobile number, the 身份证 check digit) are written once, in
interaction/services.py (``validate_message``, ``validate_application``), which the JSON API uses
too; these forms add what only a web page needs: the honeypot, the CAPTCHA and attachments, and
give every refusal to the field it belongs to.
"""

from django import forms
from django.core.exceptions import ValidationError

from . import abuse, services, uploads
from .models import ApplicantType, Delivery, ProvisionForm


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class GuardedForm(forms.Form):
    """A form with the honeypot and a one-use CAPTCHA; ``captcha_token`` is renewed on every render."""

    homepage = forms.CharField(
        label="请勿填写此项",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    captcha_token = forms.CharField(widget=forms.HiddenInput, required=False)
    captcha = forms.CharField(
        label="验证码",
        max_length=10,
        required=False,
        help_text="请输入图片中的 4 个字符，不区分大小写。",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "inputmode": "latin"}
        ),
    )

    # Set by clean() when the honeypot was filled: the view answers as if all went well.
    trapped = False

    def fresh_captcha(self):
        """A new token for the next render (each one is spent by one submission)."""
        token = abuse.new_captcha()
        data = self.data.copy() if self.is_bound else None
        if data is not None:
            data[abuse.CAPTCHA_TOKEN_FIELD] = token
            data[abuse.CAPTCHA_FIELD] = ""
            self.data = data
        self.initial[abuse.CAPTCHA_TOKEN_FIELD] = token
        self.fields[abuse.CAPTCHA_TOKEN_FIELD].initial = token
        return token

    @property
    def captcha_token_value(self):
        if self.is_bound:
            return self.data.get(abuse.CAPTCHA_TOKEN_FIELD, "")
        return self.initial.get(abuse.CAPTCHA_TOKEN_FIELD, "")

    def check_guards(self):
        """Honeypot first (nothing else is told to a bot), then the CAPTCHA."""
        if abuse.honeypot_filled(self.data):
            self.trapped = True
            return False
        if not (self.data.get(abuse.CAPTCHA_FIELD) or "").strip():
            self.add_error(abuse.CAPTCHA_FIELD, "请输入验证码。")
            return False
        if not abuse.check_captcha(self.data.get(abuse.CAPTCHA_TOKEN_FIELD), self.data.get(abuse.CAPTCHA_FIELD)):
            self.add_error(abuse.CAPTCHA_FIELD, "验证码不正确或已过期，请输入新图片中的字符。")
            return False
        return True

    def add_intake_errors(self, error):
        for field, messages in error.message_dict.items():
            target = field if field in self.fields else None
            if target and target in self._errors:
                del self._errors[target]  # services' words for the rule, not the generic "required"
            for message in messages:
                self.add_error(target, message)


class MessageForm(GuardedForm):
    subject = forms.CharField(label="标题", max_length=services.SUBJECT_MAX)
    body = forms.CharField(
        label="内容",
        max_length=services.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"请写明事情的经过和诉求，{services.BODY_MAX} 字以内。",
    )
    attachments = MultipleFileField(
        label="附件",
        required=False,
        help_text=(
            f"选填，最多 {uploads.MAX_FILES} 个，每个不超过 {uploads.MAX_FILE_SIZE // (1024 * 1024)} MB；"
            "可上传图片（JPG、PNG）或文件（PDF、Word、Excel、WPS、OFD、ZIP、TXT）。"
        ),
    )
    name = forms.CharField(label="姓名", max_length=services.NAME_MAX)
    phone = forms.CharField(
        label="手机号码",
        max_length=20,
        help_text="用于查询办理进度和回访，不会公开。",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )
    consent = forms.BooleanField(
        label="同意公开我的留言和答复（公开时隐去姓名、电话等个人信息）",
        required=False,
    )

    field_order = ["subject", "body", "attachments", "name", "phone", "consent", "captcha"]

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind

    def clean(self):
        cleaned = super().clean()
        if not self.check_guards():
            return cleaned
        try:
            cleaned.update(services.validate_message({**self.data.dict(), "kind": self.kind}))
        except services.IntakeError as error:
            self.add_intake_errors(error)
        try:
            cleaned["attachments"] = uploads.check_files(cleaned.get("attachments") or [])
        except ValidationError as error:
            self.add_error("attachments", error)
        return cleaned


class ApplicationForm(GuardedForm):
    applicant_type = forms.ChoiceField(
        label="申请人类型", choices=ApplicantType.choices, widget=forms.RadioSelect, initial=ApplicantType.CITIZEN
    )
    name = forms.CharField(label="申请人姓名或名称", max_length=100)
    id_number = forms.CharField(
        label="证件号码",
        max_length=30,
        help_text="公民填写 18 位居民身份证号码；法人或者其他组织填写 18 位统一社会信用代码。",
    )
    legal_representative = forms.CharField(label="法定代表人（法人或者其他组织填写）", max_length=50, required=False)
    contact_name = forms.CharField(label="联系人（法人或者其他组织填写）", max_length=50, required=False)
    phone = forms.CharField(
        label="联系电话",
        max_length=20,
        help_text="用于查询办理进度，请填写手机号码或带区号的固定电话。",
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(label="电子邮箱", max_length=200, required=False, widget=forms.EmailInput)
    address = forms.CharField(label="通信地址", max_length=200, required=False)
    description = forms.CharField(
        label="所需政府信息的内容描述",
        max_length=services.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="请写明信息的名称、文号或便于机关查询的其他特征。",
    )
    purpose = forms.CharField(label="用途", max_length=500, required=False)
    provision_form = forms.ChoiceField(
        label="提供形式", choices=ProvisionForm.choices, widget=forms.RadioSelect, initial=ProvisionForm.ELECTRONIC
    )
    delivery = forms.ChoiceField(
        label="获取方式", choices=Delivery.choices, widget=forms.RadioSelect, initial=Delivery.EMAIL
    )

    field_order = [
        "applicant_type",
        "name",
        "id_number",
        "legal_representative",
        "contact_name",
        "phone",
        "email",
        "address",
        "description",
        "purpose",
        "provision_form",
        "delivery",
        "captcha",
    ]

    def clean(self):
        cleaned = super().clean()
        if not self.check_guards():
            return cleaned
        try:
            cleaned.update(services.validate_application(self.data.dict()))
        except services.IntakeError as error:
            self.add_intake_errors(error)
        return cleaned


class LookupForm(forms.Form):
    code = forms.CharField(label="查询码", max_length=20, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    last4 = forms.CharField(
        label="手机号码后 4 位",
        min_length=4,
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{4}"}),
    )


class CorrectionForm(LookupForm):
    text = forms.CharField(label="补正内容", max_length=services.BODY_MAX, widget=forms.Textarea(attrs={"rows": 6}))
