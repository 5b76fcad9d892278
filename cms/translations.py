"""The project's own zh_Hans catalogue (cms/locale): compiled from the .po files, pure Python.

Django's ``compilemessages`` needs GNU gettext's ``msgfmt``, which a fresh machine or the slim
production image may lack; polib writes the same .mo format. The .mo files are build output
(git-ignored): ``make setup`` and the Docker build compile them, and a system check warns when
one is missing or older than its .po, so a stale catalogue is never silently served.
"""

from pathlib import Path

import polib
from django.conf import settings


def catalogues():
    """Every .po under LOCALE_PATHS, with the .mo it compiles to."""
    for locale_dir in settings.LOCALE_PATHS:
        for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
            yield po_path, po_path.with_suffix(".mo")


def is_stale(po_path, mo_path):
    return not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime


def compile_catalogue(po_path, mo_path):
    """Writes ``mo_path`` from ``po_path``; untranslated and fuzzy entries are left out, as msgfmt does."""
    catalogue = polib.pofile(str(po_path))
    for entry in list(catalogue):
        if "fuzzy" in entry.flags or not entry.translated():
            catalogue.remove(entry)
    temporary = mo_path.with_suffix(".mo.tmp")
    catalogue.save_as_mofile(str(temporary))
    temporary.replace(mo_path)  # a server reading the old file never sees half of the new one
    return len(catalogue)


def compile_all(force=False):
    """Compiles every stale catalogue (all with ``force``); returns [(po_path, entries)].

    Django keeps the catalogues it has read for the life of the process: when something was
    compiled, this process forgets them, so it serves the new strings (the test session compiles
    a fresh clone's catalogue after Django has started).
    """
    done = []
    for po_path, mo_path in catalogues():
        if force or is_stale(po_path, mo_path):
            done.append((po_path, compile_catalogue(po_path, mo_path)))
    if done:
        _forget_loaded_catalogues()
    return done


def _forget_loaded_catalogues():
    # What Django's own test signals do when LOCALE_PATHS changes (django/test/signals.py).
    from asgiref.local import Local
    from django.utils.translation import trans_real

    trans_real._translations = {}
    trans_real._default = None
    trans_real._active = Local()
    clear = getattr(trans_real.check_for_language, "cache_clear", None)  # cached in some Django versions
    if clear:
        clear()


def js_catalog(request):
    """The project's djangojs strings (the editor's Draftail placeholder, autosave, minimap), in the user's language.

    Wagtail's own catalogue view reads wagtail.admin's locale only; this one is loaded after it on
    every signed-in admin page (cms/templates/wagtailadmin/admin_base.html) and merges into it.
    """
    # Imported here: the views are only needed when a request comes, not by the command above.
    from django.views.i18n import JavaScriptCatalog
    from wagtail.admin.localization import get_localized_response

    return get_localized_response(JavaScriptCatalog.as_view(packages=["cms"]), request)
