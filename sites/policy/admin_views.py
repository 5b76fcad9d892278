"""安全管理员's screen: reset a user's lost second factor (TOTP devices and recovery codes).

Three steps, each a POST checked again from the start: the user name and a reason, a confirmation
page that shows whose factor is reset, and the reset itself (``mfa.reset_second_factor``, audited).
Who may be reset is ``mfa.reset_refusal``: never one's own account, never an administrator's (those
go through ``manage.py reset_second_factor`` on the server). Every refusal is audited.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from sites import audit
from sites.access import is_security_admin

from . import mfa
from .models import RecoveryCode


class ResetForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    reason = forms.CharField(
        label="重置原因",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="如“手机丢失，已电话核实本人身份”。记入审计日志。",
    )

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError("用户“%(username)s”不存在。", params={"username": username})
        self.user = user
        return username

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("请填写重置原因。")
        return reason


class SecondFactorResetView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "sites_policy/admin/reset_second_factor.html"
    page_title = "重置双因素验证"
    header_icon = "key"

    def dispatch(self, request, *args, **kwargs):
        if not is_security_admin(request.user):
            audit.record("mfa_reset_refused", actor=request.user, request=request, reason="not security admin")
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, form=None, confirm=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(form=form or ResetForm(), confirm=confirm)
        return context

    def post(self, request, *args, **kwargs):
        form = ResetForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        user = form.user
        refusal = mfa.reset_refusal(request.user, user)
        if refusal:
            audit.record(
                "mfa_reset_refused", actor=request.user, request=request, target=user.get_username(), reason=refusal
            )
            form.add_error("username", refusal)
            return self.render_to_response(self.get_context_data(form=form))
        if request.POST.get("confirm") != "yes":
            confirm = {
                "user": user,
                "devices": mfa.has_second_factor(user),
                "codes_left": RecoveryCode.objects.filter(user=user, used_at__isnull=True).count(),
                "reason": form.cleaned_data["reason"],
            }
            return self.render_to_response(self.get_context_data(form=form, confirm=confirm))
        mfa.reset_second_factor(user, reason=form.cleaned_data["reason"], actor=request.user, request=request)
        messages.success(
            request,
            f"已重置 {user.get_full_name() or user.username}（{user.username}）的双因素验证，其下次登录须重新绑定。",
        )
        return redirect("policy_reset_second_factor")
