"""The admin login form (WAGTAILADMIN_USER_LOGIN_FORM), which says plainly when a login is locked."""

from django.core.exceptions import ValidationError
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from . import audit
from .client_ip import client_ip
from .lockout import current_lock


class LoginForm(WagtailLoginForm):
    """Wagtail's login form, refusing locked attempts with the lock's message and end.

    A locked attempt is refused before the password is checked: no failure is recorded for it,
    so the owner typing the right password while locked does not extend the lock, and "wrong
    password" is never said of a right one.
    """

    def clean(self):
        username = self.cleaned_data.get("username")
        if username is not None:
            self._refuse_if_locked(username, record=True)
        try:
            return super().clean()
        except ValidationError as error:
            # The failure just recorded may be the one that starts the lock: say so now.
            if getattr(error, "code", None) == "invalid_login":
                self._refuse_if_locked(username, record=False)
            raise

    def _refuse_if_locked(self, username, *, record):
        lock = current_lock(username, client_ip(self.request))
        if lock is None:
            return
        if record:
            audit.record(
                "login_locked",
                request=self.request,
                target=username[:150],
                username=username[:150],
                scope=lock.scope,
                until=lock.until.isoformat(),
            )
        raise ValidationError(lock.message(), code="locked")
