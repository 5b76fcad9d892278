"""The login screens: password (Wagtail's, through complete_login), the code, enrolment, forced change."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from wagtail.admin.views.account import LoginView as WagtailLoginView

from . import mfa
from .forms import CodeForm
from .login_flow import PENDING_KEY, VERIFIED_KEY, complete_login, finish_login
from .passwords import change_required

RECOVERY_CODES_KEY = "cms_mfa_new_recovery_codes"


class LoginView(WagtailLoginView):
    """Wagtail's login screen; a right password goes on through ``complete_login``."""

    def form_valid(self, form):
        user = form.get_user()
        response = complete_login(
            self.request,
            user,
            backend=user.backend,
            next_url=self.get_success_url(),
            remember=bool(form.cleaned_data.get("remember")),
        )
        return response or HttpResponseRedirect(self.get_success_url())


def _safe_next(request, value):
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}):
        return value
    return reverse("wagtailadmin_home")


def pending_user(request):
    """The user parked before the second factor in this session (marker still fresh), or None."""
    marker = request.session.get(PENDING_KEY)
    if not isinstance(marker, dict):
        return None, None
    age = timezone.now().timestamp() - float(marker.get("at", 0))
    if age < 0 or age > settings.CMS_MFA_PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None, None
    user = get_user_model().objects.filter(pk=marker.get("user"), is_active=True).first()
    return user, marker


def _who(request):
    """(user, marker): the pending user, or a signed-in user whose session lacks the second factor."""
    user, marker = pending_user(request)
    if user is not None:
        return user, marker
    if request.user.is_authenticated and not request.session.get(VERIFIED_KEY):
        return request.user, None
    return None, None


def _verified(request, user, marker):
    """The code was right: log in (pending) or mark the signed-in session verified."""
    if marker is not None:
        request.session.pop(PENDING_KEY, None)
        finish_login(request, user, backend=marker["backend"], verified=True, remember=marker.get("remember", False))
        return marker.get("next") or ""
    request.session.cycle_key()
    request.session[VERIFIED_KEY] = True
    return request.GET.get("next") or request.POST.get("next") or ""


def _expired(request):
    messages.error(request, "登录已超时，请重新登录。")
    return HttpResponseRedirect(reverse("wagtailadmin_login"))


@never_cache
@sensitive_post_parameters("code")
def verify(request):
    """Step two: the authenticator's code, or a recovery code."""
    user, marker = _who(request)
    if user is None:
        return _expired(request)
    if not mfa.has_second_factor(user):
        return HttpResponseRedirect(reverse("policy_mfa_enrol") + _next_query(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refusal = mfa.verify_second_factor(user, form.cleaned_data["code"], request)
        if refusal is None:
            return HttpResponseRedirect(_safe_next(request, _verified(request, user, marker)))
        form.add_error("code", refusal.message)
    return render(request, "sites_policy/verify.html", {"form": form, "user_name": user.get_username()})


@never_cache
@sensitive_post_parameters("code")
def enrol(request):
    """Bind an authenticator: the QR code (and the key to type in), then the first code confirms it."""
    user, marker = _who(request)
    if user is None:
        return _expired(request)
    if mfa.has_second_factor(user):
        return HttpResponseRedirect(reverse("policy_mfa_verify") + _next_query(request))
    device = mfa.pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = mfa.confirm_enrolment(user, device, form.cleaned_data["code"], request)
        if codes is not None:
            next_url = _verified(request, user, marker)
            request.session[RECOVERY_CODES_KEY] = {"codes": codes, "next": _safe_next(request, next_url)}
            return HttpResponseRedirect(reverse("policy_mfa_recovery_codes"))
        form.add_error("code", "验证码错误，请输入身份验证器当前显示的 6 位数字。")
    context = {
        "form": form,
        "qr_svg": mfa.qr_svg(device),
        "secret": mfa.secret_of(device),
        "issuer": settings.OTP_TOTP_ISSUER,
    }
    return render(request, "sites_policy/enrol.html", context)


@never_cache
def recovery_codes(request):
    """The new recovery codes, shown once (they are kept hashed only)."""
    shown = request.session.pop(RECOVERY_CODES_KEY, None)
    if not request.user.is_authenticated or not isinstance(shown, dict):
        return HttpResponseRedirect(reverse("wagtailadmin_home"))
    return render(request, "sites_policy/recovery_codes.html", {"codes": shown["codes"], "next": shown["next"]})


@never_cache
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
def change_password(request):
    """The password change that comes before anything else (initial password, or too old)."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(reverse("wagtailadmin_login"))
    if not request.session.get(VERIFIED_KEY) and mfa.requires_second_factor(request.user):
        return HttpResponseRedirect(reverse("policy_mfa_verify"))  # the second factor comes first
    reason = change_required(request.user)
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        from sites import audit

        audit.record(
            "password_forced_change", actor=user, request=request, target=user.get_username(), reason=reason or ""
        )
        messages.success(request, "密码已修改。")
        return HttpResponseRedirect(_safe_next(request, request.GET.get("next", "")))
    return render(request, "sites_policy/change_password.html", {"form": form, "reason": reason})


def _next_query(request):
    from urllib.parse import urlencode

    next_url = request.GET.get("next")
    return "?" + urlencode({"next": next_url}) if next_url else ""
