"""Template filter for the password reset's "sent" screen (sites/password_reset.py)."""

from django import template

from sites.password_reset import FAILED_TAG

register = template.Library()


@register.filter
def password_reset_failed(messages):
    """True when the reset just submitted could not send its mail."""
    return any(FAILED_TAG in message.tags.split() for message in messages)
