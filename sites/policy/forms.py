from django import forms


class CodeForm(forms.Form):
    code = forms.CharField(
        label="验证码",
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
        help_text="身份验证器显示的 6 位数字，或一个恢复码。",
    )
