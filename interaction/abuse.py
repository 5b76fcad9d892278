"""What keeps a flood of spam from drowning the citizens who write in: rate limits, a honeypot, a CAPTCHA.

Every counter is per client address or per phone number, never global: a flood from one address
(or one number) is refused while every other citizen, and the staff in the admin, go on as usual.
Counters and CAPTCHA answers live in the shared cache under the public schema's key prefix (as
search/ratelimit.py does), so one client is counted once however many site hosts it writes to.

The CAPTCHA is drawn here with Pillow; no outside service sees the citizen's address. Its answer is
kept server-side, keyed by a random token the form carries; it is used once and expires.
"""

import io
import random
import secrets

from django.conf import settings
from django.core.cache import cache
from django_tenants.utils import schema_context
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from sites import counters
from sites.client_ip import client_key

from . import codes, crypto

HOUR = 3600
# The field a person never sees (hidden by CSS, skipped by the keyboard and screen readers); a
# bot that fills every input fills it too.
HONEYPOT_FIELD = "homepage"
CAPTCHA_FIELD = "captcha"
CAPTCHA_TOKEN_FIELD = "captcha_token"  # noqa: S105 - a form field name
# No look-alikes (0/O, 1/I/L, 2/Z, 5/S): an elderly reader must be able to tell every character.
CAPTCHA_ALPHABET = "346789ACEFHJKMNPRTUVWXY"
CAPTCHA_LENGTH = 4
CAPTCHA_SECONDS = 600


class RateLimited(Exception):
    """Too many requests from one address or one phone; ``retry_after`` in seconds."""

    def __init__(self, message, retry_after):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def _public(fn):
    def wrapped(*args, **kwargs):
        with schema_context(settings.PUBLIC_SCHEMA_NAME):
            return fn(*args, **kwargs)

    return wrapped


def _check(key, limit, window, message):
    if limit <= 0:
        return
    count, retry_after = counters.count(key, window)
    if count > limit:
        minutes = max(1, retry_after // 60)
        raise RateLimited(message.format(minutes=minutes), retry_after)


def _address(request):
    return client_key(request)  # an IPv6 address by its /64


def check_submission(request, phone=""):
    """Count one submission from this request's address, and from ``phone`` when it is given.

    Raises RateLimited past ``CMS_INTERACTION_LIMIT_PER_IP`` / ``CMS_INTERACTION_LIMIT_PER_PHONE``
    per hour. The phone is counted by its keyed digest: the cache never holds the number.
    """
    _check(
        f"interaction:rate:ip:{_address(request)}",
        settings.CMS_INTERACTION_LIMIT_PER_IP,
        HOUR,
        "提交过于频繁，请 {minutes} 分钟后再试。",
    )
    digits = "".join(ch for ch in str(phone or "") if ch.isdigit())
    if len(digits) >= 7:
        _check(
            f"interaction:rate:phone:{crypto.digest('rate-phone', digits)}",
            settings.CMS_INTERACTION_LIMIT_PER_PHONE,
            HOUR,
            "该手机号码提交过于频繁，请 {minutes} 分钟后再试。",
        )


def check_lookup(request, code=None):
    """Count one 查询 from this address and for this 查询码: the four digits cannot be tried in bulk,
    neither from one address nor from many against one code (10,000 combinations at a few an
    hour take years)."""
    _check(
        f"interaction:rate:lookup:{_address(request)}",
        settings.CMS_INTERACTION_LOOKUP_LIMIT_PER_IP,
        HOUR,
        "查询过于频繁，请 {minutes} 分钟后再试。",
    )
    code = codes.normalise(request.POST.get("code", "") if code is None else code)
    if code:
        _check(
            f"interaction:rate:lookup-code:{code}",
            settings.CMS_INTERACTION_LOOKUP_LIMIT_PER_CODE,
            HOUR,
            "该查询码查询过于频繁，请 {minutes} 分钟后再试。",
        )


def check_participation(request, limit):
    """Count one comment or questionnaire answer from this address (意见征集, 调查问卷)."""
    _check(
        f"interaction:rate:participation:{_address(request)}", limit, HOUR, "提交过于频繁，请 {minutes} 分钟后再试。"
    )


def check_captcha_renewal(request):
    """Count one new CAPTCHA picture asked for by this address (each one holds a cache entry)."""
    _check(
        f"interaction:rate:captcha:{_address(request)}",
        settings.CMS_INTERACTION_LOOKUP_LIMIT_PER_IP * 2,
        HOUR,
        "换图过于频繁，请 {minutes} 分钟后再试。",
    )


def honeypot_filled(data):
    return bool(str(data.get(HONEYPOT_FIELD) or "").strip())


# --- CAPTCHA ---------------------------------------------------------------------------------------


def _captcha_key(token):
    return f"interaction:captcha:{token}"


@_public
def new_captcha():
    """A fresh token; its answer waits in the cache for ``CAPTCHA_SECONDS``."""
    token = secrets.token_urlsafe(18)
    answer = "".join(secrets.choice(CAPTCHA_ALPHABET) for _ in range(CAPTCHA_LENGTH))
    cache.set(_captcha_key(token), answer, CAPTCHA_SECONDS)
    return token


@_public
def forget_captcha(token):
    if token and len(token) <= 64:
        cache.delete(_captcha_key(token))


@_public
def captcha_answer(token):
    """The answer for ``token`` (None when unknown or expired); does not use it up."""
    if not token or len(token) > 64:
        return None
    return cache.get(_captcha_key(token))


@_public
def check_captcha(token, answer):
    """True when ``answer`` is the token's code. The token is spent either way: one try per picture."""
    if not token or len(str(token)) > 64:
        return False
    key = _captcha_key(token)
    expected = cache.get(key)
    cache.delete(key)
    given = "".join(str(answer or "").split()).upper()
    return bool(expected) and secrets.compare_digest(expected, given)


def _font(size):
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # a Pillow without FreeType: the small bitmap font, scaled below
        return ImageFont.load_default()


def captcha_png(answer):
    """The code drawn as a PNG: large, dark on light (readable in the elder mode), a little noise."""
    rng = random.Random(secrets.randbits(64))  # noqa: S311 - the noise, not the code, is random here
    width, height = 200, 72
    image = Image.new("RGB", (width, height), (250, 250, 246))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        points = [(rng.randint(0, width), rng.randint(0, height)) for _ in range(2)]
        draw.line(points, fill=(rng.randint(120, 190),) * 3, width=2)
    font = _font(44)
    step = (width - 24) // len(answer)
    for index, char in enumerate(answer):
        glyph = Image.new("RGBA", (step + 8, height), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((4, 6), char, font=font, fill=(20, 30, 60, 255))
        glyph = glyph.rotate(rng.uniform(-18, 18), resample=Image.Resampling.BICUBIC)
        image.paste(glyph, (12 + index * step, rng.randint(-4, 4)), glyph)
    for _ in range(120):
        draw.point((rng.randint(0, width - 1), rng.randint(0, height - 1)), fill=(90, 90, 90))
    image = image.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
