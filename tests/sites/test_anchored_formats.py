"""Formats checked with a pattern end at the end of the value: Python's ``$`` also matches before a
final newline, so "4401000012\\n" passed as a 10-digit 标识码. Each value is refused with the
newline and accepted without it."""

import pytest
from django.core.exceptions import ValidationError

from cms.models.disclosure import validate_document_number
from cms.sanitize import _ID, _SIZE, _SPAN
from sites.models import Tenant
from sites.sso import BINDING_RE, NONCE_RE


def field_validators(name):
    return Tenant._meta.get_field(name).validators


@pytest.mark.parametrize(("field", "value"), [("site_identifier", "4401000012"), ("org_code", "014207301")])
def test_registration_codes_refuse_a_trailing_newline(field, value):
    for validator in field_validators(field):
        validator(value)
    with pytest.raises(ValidationError):
        for validator in field_validators(field):
            validator(value + "\n")


def test_a_document_number_refuses_a_trailing_newline():
    validate_document_number("通政办发〔2012〕216号")
    with pytest.raises(ValidationError):
        validate_document_number("通政办发〔2012〕216号\n")


@pytest.mark.parametrize(
    ("pattern", "value"),
    [(_ID, "12"), (_SPAN, "2"), (_SIZE, "50%"), (NONCE_RE, "a" * 43), (BINDING_RE, "0" * 64)],
)
def test_patterns_refuse_a_trailing_newline(pattern, value):
    assert pattern.match(value)
    assert not pattern.match(value + "\n")
