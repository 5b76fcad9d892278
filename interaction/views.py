"""The citizen's pages of 互动交流 (/hudong/) and 依申请公开 (/ysqgk/), in the site's theme.

Every answer here is ``Cache-Control: no-store``: forms carry a CSRF token and a one-use CAPTCHA,
results carry a person's own case, and the page cache (serving/pagecache.py) keeps nothing marked
so. The steps themselves are interaction/services.py's; the views only check the guards and render.
"""

from types import SimpleNamespace

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from wagtail.models import Site

from cms.models import ColumnPage
from cms.visibility import listed
from themes.resolver import theme_for_request

from . import abuse, services, uploads
from .forms import ApplicationForm, CorrectionForm, LookupForm, MessageForm
from .models import OUTCOME_REASONS, ApplicationStatus, DisclosureApplication, Kind, Message, Outcome
from .publication import interaction_column

DISCLOSURE_SLUG = "ysqgk"
DONE_SALT = "interaction.done"
DONE_SECONDS = 3600
KIND_INTROS = {
    Kind.MAILBOX: "直接写信给本机关主要负责同志，反映问题、提出意见。",
    Kind.CONSULT: "咨询政策规定、办事流程等问题。",
    Kind.SUGGEST: "对本机关工作提出意见和建议。",
    Kind.COMPLAINT: "投诉工作人员作风、办事效率等问题。",
}


def no_store(response):
    response["Cache-Control"] = "no-store"
    return response


def current_tenant(request):
    return getattr(request, "tenant", None) or connection.tenant


def disclosure_column():
    return ColumnPage.objects.filter(slug=DISCLOSURE_SLUG).first()


def site_context(request, title, column=None):
    """What the theme's base template needs on a page that is not a Wagtail page: the site's
    navigation, and a breadcrumb through ``column`` (the page's place in the column tree)."""
    site = Site.find_for_request(request)
    home = site.root_page.specific if site else None
    breadcrumbs = []
    active = ""
    if column is not None:
        breadcrumbs = [*column.get_ancestors().filter(depth__gt=1), column]
        active = column.path[: ColumnPage.steplen * 3]
    theme = theme_for_request(request)
    return {
        "theme": theme,
        "base_template": f"themes/{theme.template_set}/base.html",
        "site_home": home,
        "nav_columns": listed(home.get_children()).in_menu() if home else [],
        "nav_active_path": active,
        "breadcrumbs": breadcrumbs,
        # The breadcrumb's last step and the <title>; no Wagtail page stands behind these views.
        "page": SimpleNamespace(title=title, depth=None, pk=None),
        "kinds": [(kind.value, kind.label, KIND_INTROS[kind]) for kind in Kind],
    }


def render(request, template, title, context=None, *, column=None, status=200):
    full = {**site_context(request, title, column), **(context or {})}
    response = TemplateResponse(request, f"interaction/public/{template}", full, status=status)
    return no_store(response)


def _interaction_column():
    column = interaction_column()
    return column if column is not None and column.live else None


def _signed(code):
    return signing.dumps({"code": code}, salt=DONE_SALT)


def _unsigned(token):
    try:
        return signing.loads(token, salt=DONE_SALT, max_age=DONE_SECONDS)["code"]
    except (signing.BadSignature, KeyError, TypeError):
        raise Http404("页面已过期") from None


def _own(record, request):
    """A record is looked up only on the site it was written to."""
    return record if record is not None and record.tenant_id == current_tenant(request).pk else None


def _refused(request, template, title, form, message, *, column, status, extra=None):
    form.fresh_captcha()
    return render(
        request, template, title, {"form": form, "refusal": message, **(extra or {})}, column=column, status=status
    )


# --- 互动交流 --------------------------------------------------------------------------------------


@require_GET
def index(request):
    column = _interaction_column()
    return render(request, "index.html", "互动交流", {"column": column}, column=column)


@require_http_methods(["GET", "POST"])
def write(request, kind):
    if kind not in Kind.values:
        raise Http404("没有这种留言类型")
    label = Kind(kind).label
    column = _interaction_column()
    title = f"我要写信：{label}"
    extra = {"kind": kind, "kind_label": label, "kind_intro": KIND_INTROS[Kind(kind)]}
    if request.method == "GET":
        form = MessageForm(kind=kind)
        form.fresh_captcha()
        return render(request, "write.html", title, {"form": form, **extra}, column=column)
    form = MessageForm(request.POST, request.FILES, kind=kind)
    try:
        abuse.check_submission(request, request.POST.get("phone"))
    except abuse.RateLimited as limited:
        response = _refused(request, "write.html", title, form, limited.message, column=column, status=429, extra=extra)
        response["Retry-After"] = str(limited.retry_after)
        return response
    if not form.is_valid() or form.trapped:
        if form.trapped:
            return _refused(
                request,
                "write.html",
                title,
                MessageForm(kind=kind),
                "提交未被受理，请刷新页面后重新填写。",
                column=column,
                status=400,
                extra=extra,
            )
        form.fresh_captcha()
        return render(request, "write.html", title, {"form": form, **extra}, column=column, status=400)
    try:
        message = services.submit_message(
            current_tenant(request),
            {**form.cleaned_data, "kind": kind},
            channel="web",
            attachments=uploads.attachments_for(form.cleaned_data["attachments"]),
        )
    except services.IntakeError as error:
        form.add_intake_errors(error)
        form.fresh_captcha()
        return render(request, "write.html", title, {"form": form, **extra}, column=column, status=400)
    return redirect("hudong:done", token=_signed(message.code))


@require_GET
def done(request, token):
    code = _unsigned(token)
    message = Message.objects.filter(code=code, tenant=current_tenant(request)).first()
    if message is None:
        raise Http404("没有找到留言")
    return render(request, "done.html", "提交成功", {"message": message}, column=_interaction_column())


def _message_lookup(request, form):
    if not form.is_valid():
        return None
    found = services.lookup(Message, form.cleaned_data["code"], form.cleaned_data["last4"])
    return _own(found, request)


def _message_context(message, last4):
    return {
        "message": message,
        "events": message.public_events(),
        "reply": message.approved_reply() if message.status == "answered" else None,
        "attachments": message.attachments.all(),
        "last4": last4,
    }


NOT_FOUND = "查询码或手机号码后 4 位不正确，请核对后再试。"


@require_http_methods(["GET", "POST"])
def lookup(request):
    column = _interaction_column()
    if request.method == "GET":
        return render(request, "lookup.html", "留言查询", {"form": LookupForm()}, column=column)
    form = LookupForm(request.POST)
    try:
        abuse.check_lookup(request)
    except abuse.RateLimited as limited:
        response = render(
            request, "lookup.html", "留言查询", {"form": form, "refusal": limited.message}, column=column, status=429
        )
        response["Retry-After"] = str(limited.retry_after)
        return response
    message = _message_lookup(request, form)
    if message is None:
        return render(request, "lookup.html", "留言查询", {"form": form, "refusal": NOT_FOUND}, column=column)
    context = _message_context(message, form.cleaned_data["last4"])
    return render(request, "message.html", f"留言查询：{message.code}", context, column=column)


@require_POST
def withdraw(request):
    """撤回公开同意: by 查询码 + digits again (the page holds no session)."""
    column = _interaction_column()
    form = LookupForm(request.POST)
    try:
        abuse.check_lookup(request)
    except abuse.RateLimited as limited:
        return render(
            request, "lookup.html", "留言查询", {"form": form, "refusal": limited.message}, column=column, status=429
        )
    message = _message_lookup(request, form)
    if message is None:
        return render(request, "lookup.html", "留言查询", {"form": form, "refusal": NOT_FOUND}, column=column)
    if message.consent:
        services.set_consent_withdrawn(message)
    context = {**_message_context(message, form.cleaned_data["last4"]), "notice": "已撤回公开同意，公开的答复已撤下。"}
    return render(request, "message.html", f"留言查询：{message.code}", context, column=column)


@require_POST
def captcha_renew(request):
    """换一张: a new picture for a form already filled in; the old token is spent (static/interaction/captcha.js)."""
    try:
        abuse.check_captcha_renewal(request)
    except abuse.RateLimited as limited:
        return no_store(JsonResponse({"error": limited.message}, status=429, json_dumps_params={"ensure_ascii": False}))
    abuse.forget_captcha(request.POST.get(abuse.CAPTCHA_TOKEN_FIELD))
    token = abuse.new_captcha()
    return no_store(JsonResponse({"token": token, "url": reverse("hudong:captcha", kwargs={"token": token})}))


@require_GET
def captcha_image(request, token):
    answer = abuse.captcha_answer(token)
    if answer is None:
        raise Http404("验证码已过期")
    return no_store(HttpResponse(abuse.captcha_png(answer), content_type="image/png"))


# --- 依申请公开 ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def apply(request):
    column = disclosure_column()
    title = "依申请公开：网上申请"
    if request.method == "GET":
        form = ApplicationForm()
        form.fresh_captcha()
        return render(request, "apply.html", title, {"form": form}, column=column)
    form = ApplicationForm(request.POST)
    try:
        abuse.check_submission(request, request.POST.get("phone"))
    except abuse.RateLimited as limited:
        response = _refused(request, "apply.html", title, form, limited.message, column=column, status=429)
        response["Retry-After"] = str(limited.retry_after)
        return response
    if not form.is_valid() or form.trapped:
        if form.trapped:
            return _refused(
                request,
                "apply.html",
                title,
                ApplicationForm(),
                "提交未被受理，请刷新页面后重新填写。",
                column=column,
                status=400,
            )
        form.fresh_captcha()
        return render(request, "apply.html", title, {"form": form}, column=column, status=400)
    try:
        application = services.submit_application(current_tenant(request), form.cleaned_data)
    except services.IntakeError as error:
        form.add_intake_errors(error)
        form.fresh_captcha()
        return render(request, "apply.html", title, {"form": form}, column=column, status=400)
    return redirect("hudong:apply_done", token=_signed(application.code))


@require_GET
def apply_done(request, token):
    code = _unsigned(token)
    application = DisclosureApplication.objects.filter(code=code, tenant=current_tenant(request)).first()
    if application is None:
        raise Http404("没有找到申请")
    return render(request, "apply_done.html", "申请已提交", {"application": application}, column=disclosure_column())


def _application_context(application, last4, correction_form=None):
    reason = ""
    if application.outcome_reason and application.outcome:
        reason = dict(OUTCOME_REASONS.get(Outcome(application.outcome), [])).get(application.outcome_reason, "")
    return {
        "application": application,
        "events": application.events.filter(public=True).order_by("at", "id"),
        "outcome_label": Outcome(application.outcome).label if application.outcome else "",
        "reason_label": reason,
        "last4": last4,
        "needs_correction": application.status == ApplicationStatus.CORRECTION,
        "correction_form": correction_form or CorrectionForm(initial={"code": application.code, "last4": last4}),
        "today": timezone.localdate(),
    }


def _application_lookup(request, form):
    if not form.is_valid():
        return None
    found = services.lookup(DisclosureApplication, form.cleaned_data["code"], form.cleaned_data["last4"])
    return _own(found, request)


@require_http_methods(["GET", "POST"])
def apply_lookup(request):
    column = disclosure_column()
    if request.method == "GET":
        return render(request, "apply_lookup.html", "依申请公开查询", {"form": LookupForm()}, column=column)
    form = LookupForm(request.POST)
    try:
        abuse.check_lookup(request)
    except abuse.RateLimited as limited:
        response = render(
            request,
            "apply_lookup.html",
            "依申请公开查询",
            {"form": form, "refusal": limited.message},
            column=column,
            status=429,
        )
        response["Retry-After"] = str(limited.retry_after)
        return response
    application = _application_lookup(request, form)
    if application is None:
        return render(
            request, "apply_lookup.html", "依申请公开查询", {"form": form, "refusal": NOT_FOUND}, column=column
        )
    context = _application_context(application, form.cleaned_data["last4"])
    return render(request, "application.html", f"依申请公开查询：{application.code}", context, column=column)


@require_POST
def apply_correct(request):
    """补正: the applicant answers the office's notice, by 查询码 + digits."""
    column = disclosure_column()
    form = CorrectionForm(request.POST)
    lookup_form = LookupForm(request.POST)
    try:
        abuse.check_lookup(request)
    except abuse.RateLimited as limited:
        return render(
            request,
            "apply_lookup.html",
            "依申请公开查询",
            {"form": lookup_form, "refusal": limited.message},
            column=column,
            status=429,
        )
    application = _application_lookup(request, lookup_form)
    if application is None:
        return render(
            request, "apply_lookup.html", "依申请公开查询", {"form": lookup_form, "refusal": NOT_FOUND}, column=column
        )
    last4 = lookup_form.cleaned_data["last4"]
    title = f"依申请公开查询：{application.code}"
    if not form.is_valid():
        context = _application_context(application, last4, correction_form=form)
        return render(request, "application.html", title, context, column=column, status=400)
    try:
        services.submit_correction(application, form.cleaned_data["text"])
    except ValidationError as error:
        form.add_error("text", error)
        context = _application_context(application, last4, correction_form=form)
        return render(request, "application.html", title, context, column=column, status=400)
    context = {
        **_application_context(application, last4),
        "notice": "补正内容已提交，答复期限自收到补正之日起重新计算。",
    }
    return render(request, "application.html", title, context, column=column)


def column_urls():
    """The entries the 互动交流 and 依申请公开 columns show (interaction/column_links.py)."""
    return {
        "write": {kind.value: reverse("hudong:write", kwargs={"kind": kind.value}) for kind in Kind},
        "lookup": reverse("hudong:lookup"),
        "apply": reverse("hudong:apply"),
        "apply_lookup": reverse("hudong:apply_lookup"),
    }
