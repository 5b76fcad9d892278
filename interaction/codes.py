"""查询码: what a citizen keeps to follow a message or an application.

Ten characters from an alphabet without look-alikes (no 0/O, 1/I/L): 31^10 ≈ 8×10^14 codes, so a
code cannot be guessed, and a lookup needs the last four digits of the phone number as well.
"""

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10


def new_code(prefix):
    return prefix + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(code):
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:20]
