"""Citizens' personal data encrypted at rest (Fernet: AES-128-CBC with an HMAC-SHA256 tag).

The keys come from ``CMS_PERSONAL_DATA_KEYS`` (newest first; older keys still decrypt, so a key
can be rotated). Production refuses to start without one; development and tests derive a key
from SECRET_KEY so that ``make run`` works with nothing set.

Lookups never decrypt: what must be matched (the last four digits of a phone for the 查询码
check, a phone number for rate limits and duplicate detection) is kept as a keyed digest.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys):
    if not keys:
        derived = hashlib.sha256(f"personal-data:{settings.SECRET_KEY}".encode()).digest()
        keys = (base64.urlsafe_b64encode(derived).decode(),)
    return MultiFernet([Fernet(key) for key in keys])


def fernet():
    return _fernet(tuple(settings.CMS_PERSONAL_DATA_KEYS))


def encrypt(text):
    if not text:
        return ""
    return fernet().encrypt(text.encode()).decode()


def decrypt(token):
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        # A key that was removed too early: say so instead of showing ciphertext or crashing a list.
        return "（无法解密：密钥已更换）"


def digest(*parts):
    """A keyed digest for equality lookups (never reversible without the key)."""
    key = hashlib.sha256(f"personal-digest:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, "\x00".join(parts).encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column that holds a Fernet token; the model attribute is the plain text."""

    description = "encrypted text"

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else ""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else ""


def mask_name(name):
    """张三 → 张*, 欧阳修文 → 欧***; what may show outside the handlers' screens."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone):
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:] if len(digits) > 7 else digits[:3] + "****"


def mask_id_number(number):
    number = (number or "").strip()
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
