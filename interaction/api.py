"""The intake and status API on every site host, for a 12345 hotline platform or a mini-program.

``POST /api/interaction/messages/`` takes JSON (``kind``, ``subject``, ``body``, ``name``, ``phone``,
``consent``) and answers 201 ``{"code": …, "due": "YYYY-MM-DD"}``;
``GET /api/interaction/messages/<code>/?phone=<last 4 digits>`` answers the status and, once
answered, the approved reply. A refusal is ``{"error": "<why, in Chinese>", "fields": {…}}``; a
wrong code and wrong digits get the same 404. No CSRF token: a platform is no browser session, and
no cookie of the site grants anything here. Nothing is cached (``no-store``).
"""

import functools
import hmac
import json
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError, connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from . import abuse, services
from .models import Message

logger = logging.getLogger(__name__)

# A message is at most 5,000 characters (15 KB in UTF-8) plus short fields; JSON escapes can
# triple that. Anything larger is refused before it is parsed.
MAX_BODY_BYTES = 64 * 1024
NOT_FOUND = {"error": "查询码或手机号码后 4 位不正确。", "fields": {}}


def _json(data, status=200, **headers):
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    response["Cache-Control"] = "no-store"
    return response


def _error(message, status=400, fields=None, **headers):
    return _json({"error": message, "fields": fields or {}}, status=status, **headers)


def json_api(methods):
    """JSON whatever happens: 405 for other methods, 503 while the database is down, 500 logged."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method not in methods:
                response = _error(f"只支持 {'、'.join(methods)} 请求。", status=405)
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, *args, **kwargs)
            except abuse.RateLimited as limited:
                return _error(limited.message, status=429, Retry_After=str(limited.retry_after))
            except (OperationalError, InterfaceError):
                logger.exception("interaction API: database unavailable")
                return _error("服务暂时不可用，请稍后再试。", status=503, Retry_After="30")
            except Exception:
                logger.exception("interaction API failed")
                return _error("服务出错，我们已记录该问题，请稍后再试。", status=500)

        return csrf_exempt(wrapped)

    return decorate


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else None


def _read_json(request):
    """(data, None) or (None, an error response)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        return None, _error(f"请求内容过大（不能超过 {MAX_BODY_BYTES // 1024} KB）。", status=413)
    try:
        raw = request.body
    except RequestDataTooBig:
        return None, _error(f"请求内容过大（不能超过 {MAX_BODY_BYTES // 1024} KB）。", status=413)
    if len(raw) > MAX_BODY_BYTES:
        return None, _error(f"请求内容过大（不能超过 {MAX_BODY_BYTES // 1024} KB）。", status=413)
    if not request.content_type.startswith("application/json"):
        return None, _error("请以 JSON 格式提交（Content-Type: application/json）。", status=415)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, _error("请求内容不是有效的 JSON（UTF-8 编码）。")
    if not isinstance(data, dict):
        return None, _error("请求内容须是 JSON 对象。")
    # Only strings, numbers and booleans: a nested object is no subject or name.
    bad = sorted(key for key, value in data.items() if isinstance(value, (dict, list)))
    if bad:
        return None, _error("字段的值格式不对。", fields={key: "须是文字。" for key in bad[:10]})
    return data, None


def _client_allowed(request):
    """With ``CMS_INTERACTION_API_TOKENS`` set, intake is for the platforms given a token (a 12345
    hotline, a mini-program's server): without one, the API would be a way around the web form's
    CAPTCHA. Unset (development, the demo), it is open, with the per-address and per-phone limits."""
    tokens = settings.CMS_INTERACTION_API_TOKENS
    if not tokens:
        return True
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(given) and any(hmac.compare_digest(given, token) for token in tokens)


@json_api(["POST"])
def messages(request):
    if not _client_allowed(request):
        return _error("需要接口令牌：请在 Authorization 请求头中提供网站办分配的令牌（Bearer …）。", status=401)
    data, problem = _read_json(request)
    if problem:
        return problem
    abuse.check_submission(request, data.get("phone"))
    tenant = getattr(request, "tenant", None) or connection.tenant
    try:
        message = services.submit_message(tenant, data, channel="api")
    except services.IntakeError as error:
        fields = {field: "".join(messages) for field, messages in error.message_dict.items()}
        return _error("提交的内容有误，请按提示修改。", fields=fields)
    return _json({"code": message.code, "due": f"{message.due_date:%Y-%m-%d}"}, status=201)


@json_api(["GET", "HEAD"])
def message_status(request, code):
    abuse.check_lookup(request, code)
    message = services.lookup(Message, code, request.GET.get("phone", ""))
    tenant = getattr(request, "tenant", None) or connection.tenant
    if message is None or message.tenant_id != tenant.pk:
        return _json(NOT_FOUND, status=404)
    answer = {
        "code": message.code,
        "kind": message.kind,
        "kind_label": message.get_kind_display(),
        "subject": message.subject,
        "status": message.status,
        "status_label": message.get_status_display(),
        "received_at": _local(message.received_at),
        "due": f"{message.due_date:%Y-%m-%d}",
        "events": [{"at": _local(event.at), "text": event.text} for event in message.public_events()],
        "reply": None,
    }
    if message.status == "invalid":
        answer["invalid_reason"] = message.invalid_reason
    reply = message.approved_reply() if message.status == "answered" else None
    if reply is not None:
        answer["reply"] = {
            "text": reply.text,
            "answered_by": reply.answered_by,
            "answered_at": _local(reply.reviewed_at or message.answered_at),
        }
    return _json(answer)
