"""``CMS_LOCAL_PASSWORD_LOGIN=0``: the password form is refused on the server, not only hidden.

Where the province's identity service is the only way in, a password typed into our own form
must not open an account, whatever a crafted POST carries. Two things stay: the break-glass
superuser (it exists only from the command line, ``manage.py break_glass``, for the day the
identity service is down) and the command line itself.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.shortcuts import render

from sites import audit, sso

PASSWORD_RESET_PREFIX = "/admin/password_reset/"  # noqa: S105 - a path


def is_break_glass_name(username):
    return (
        bool(username)
        and get_user_model().objects.filter(username=username, is_superuser=True, is_active=True).exists()
    )


def password_login_refused(request):
    """True when this request is a password login (or reset) that the deployment has turned off."""
    if settings.CMS_LOCAL_PASSWORD_LOGIN:
        return False
    path = request.path_info
    if path.startswith(PASSWORD_RESET_PREFIX):
        return True
    if request.method == "POST" and path == sso.LOGIN_PATH:
        return not is_break_glass_name(request.POST.get("username", "")[:150])
    return False


class LocalPasswordMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if password_login_refused(request):
            # The typed name is not kept: people type passwords into it by mistake.
            audit.record("local_password_refused", request=request, target=request.path_info)
            return render(request, "sites_oidc/password_off.html", {}, status=403)
        return self.get_response(request)
