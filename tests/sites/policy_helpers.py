"""Shared by the login-rule tests: a client on one site host, TOTP codes computed from a device's key."""

from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from sites.sso import CHECKED_COOKIE

HOST = "jtj.localhost"


def site_client(host=HOST):
    """A test client on ``host`` that has already asked the hub (so /admin/ shows the login, not a hop)."""
    client = Client(HTTP_HOST=host)
    client.cookies[CHECKED_COOKIE] = "1"
    return client


def code_for(device, offset=0):
    """The device's code for now (+ ``offset`` time steps), as an authenticator app computes it."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset):0{device.digits}d}"


def enrolled(user):
    """A confirmed authenticator for ``user`` (as the enrolment screen leaves it)."""
    return TOTPDevice.objects.create(user=user, name="测试", confirmed=True)


def login_password(client, user, password, **extra):
    return client.post("/admin/login/", {"username": user.username, "password": password, **extra})


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")
