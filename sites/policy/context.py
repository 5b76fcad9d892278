"""The request being answered, for code that Django calls without one (password validators)."""

from contextvars import ContextVar

_request = ContextVar("cms_policy_request", default=None)


def current_request():
    return _request.get()


def set_request(request):
    """Make ``request`` current; returns the token for ``reset_request``."""
    return _request.set(request)


def reset_request(token):
    _request.reset(token)
