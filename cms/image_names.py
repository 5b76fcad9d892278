"""Unguessable names for images stored before new uploads got them (``manage.py unguessable_images``).

Images are served straight from /media/, a draft's too, so a stored name such as
``jtj/original_images/2027年预算草案.png`` can be found by guessing it. Uploads get a random prefix
(sites/storage.py); an image stored before that, or restored from a backup made before it, keeps
its old name until this renames it: the original is copied under a prefixed name, its renditions
are dropped (they carried the old name; Wagtail makes them again on the next view) and the old
file is removed once the rename has committed. Pages that showed the image are purged from the
page cache and the site's static output is written again, so no page keeps a dead link.
"""

import posixpath
import re
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction
from wagtail.images import get_image_model

from sites.storage import UNGUESSABLE_PREFIX_BYTES

PREFIXED = re.compile(rf"^[0-9a-f]{{{UNGUESSABLE_PREFIX_BYTES * 2}}}_")


def is_guessable(name):
    """True for a stored original whose file name lacks the random prefix."""
    return not PREFIXED.match(posixpath.basename(name or ""))


def guessable_images():
    """This schema's images whose original still has a guessable name."""
    return [image for image in get_image_model().objects.only("id", "file") if is_guessable(image.file.name)]


@dataclass
class Renamed:
    renamed: list = field(default_factory=list)  # (old name, new name)
    missing: list = field(default_factory=list)  # stored names with no file behind them


def rename(image):
    """Give ``image``'s original a prefixed name; the new stored name. FileNotFoundError when it has no file."""
    storage = image.file.storage
    old = image.file.name
    with storage.open(old, "rb") as source:
        data = source.read()
    new = storage.save(image.file.field.generate_filename(image, posixpath.basename(old)), ContentFile(data))
    try:
        with transaction.atomic():
            image.renditions.all().delete()  # Wagtail removes each rendition's file after the commit
            type(image).objects.filter(pk=image.pk).update(file=new)
    except Exception:
        storage.delete(new)
        raise
    transaction.on_commit(lambda: storage.delete(old))
    return new


def rename_guessable(dry_run=False, progress=None):
    """Rename every guessable image of this schema (or only list them, ``dry_run``): a Renamed."""
    result = Renamed()
    for image in guessable_images():
        if dry_run:
            result.renamed.append((image.file.name, None))
        else:
            try:
                result.renamed.append((image.file.name, rename(image)))
            except FileNotFoundError:
                result.missing.append(image.file.name)
        if progress:
            progress(1)
    return result
