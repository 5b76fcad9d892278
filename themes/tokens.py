"""Each theme's design tokens (its colours as CSS variables) as a small stylesheet under /media/.

The tokens used to be an inline ``<style>`` in every page's head. The public pages'
Content-Security-Policy allows styles from files only (``style-src 'self'``), so that a style
injected into a page does nothing; a nonce or a hash would not survive the page cache and the
static output, which replay a page as it was written. So each set of tokens is a file, named after
its content: a changed colour is a new name (browsers and nginx may keep a file for good), and
nginx serves it from /media/ with the application down, like the static output itself.
"""

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection

from .models import HEX_COLOUR_RE

logger = logging.getLogger(__name__)

# In each site's own media directory (sites.storage's naming: ``<schema>/…``), like everything
# else its pages link under /media/: a site's pages never point into another site's files.
TOKENS_DIR = "themes/tokens"
_written = set()  # names this process has seen on disk


def stylesheet_text(theme):
    # Only #RRGGBB values reach the file, whatever was saved around Theme.clean().
    pairs = [(name, value) for name, value in theme.css_variables().items() if HEX_COLOUR_RE.match(value or "")]
    return ":root { " + " ".join(f"{name}: {value};" for name, value in pairs) + " }\n"


def stylesheet_name(text, schema):
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return f"{schema}/{TOKENS_DIR}/tokens-{digest}.css"


def _write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)  # readers (nginx, other workers) see the whole file or none


def stylesheet_url(theme):
    """The URL of ``theme``'s tokens stylesheet for the current site, written first if need be;
    None if it cannot be.

    Without it the page keeps the template set's own colours (themes/static/themes/css/site.css),
    which meet the same contrast rules: an unwritable media directory costs colours, not the page.
    """
    text = stylesheet_text(theme)
    name = stylesheet_name(text, connection.schema_name or settings.PUBLIC_SCHEMA_NAME)
    if name not in _written:
        path = Path(settings.MEDIA_ROOT) / name
        try:
            if not path.exists():
                _write(path, text.encode())
        except OSError as error:
            logger.warning("theme tokens stylesheet %s not written: %s", path, error)
            return None
        _written.add(name)
    return settings.MEDIA_URL + name
