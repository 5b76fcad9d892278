"""Unguessable names for images stored before new uploads got them (``manage.py unguessable_images``).

Images are served straight from /media/, a draft's too, so a stored name such as
``jtj/original_images/2027年预算草案.png`` can be found by guessing it. Uploads get a random prefix
(sites/storage.py); an image stored before that, or restored from a backup made before it, keeps
its old name until this renames it: the original is copied under a prefixed name in this site's
folder, every row of this site naming the old file is pointed at the copy (only if it still names
it: an editor's replacement in the meantime wins), their renditions are dropped (they carried the
old name; Wagtail makes them again on the next view), and the old file is removed once that has
committed, when it is this site's own (``sites.storage.owned_by``: a row copied from the
provisioning template names a file every site shares, which stays). Pages that showed the image
are purged from the page cache and the site's static output is written again.
"""

import logging
import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import SuspiciousOperation
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import schema_context
from wagtail.images import get_image_model

from serving import pagecache
from sites.models import Tenant
from sites.storage import UNGUESSABLE_PREFIX_BYTES, owned_by
from themes.signals import site_look_changed

logger = logging.getLogger(__name__)

PREFIXED = re.compile(rf"^[0-9a-f]{{{UNGUESSABLE_PREFIX_BYTES * 2}}}_")


def is_guessable(name):
    """True for a stored original whose file name lacks the random prefix."""
    return not PREFIXED.match(posixpath.basename(name or ""))


def guessable_images():
    """This schema's images whose original still has a guessable name, grouped by that name."""
    groups = defaultdict(list)
    for image in get_image_model().objects.only("id", "file").order_by("id"):
        if is_guessable(image.file.name):
            groups[image.file.name].append(image)
    return groups


@dataclass
class Renamed:
    renamed: list = field(default_factory=list)  # (old name, new name)
    missing: list = field(default_factory=list)  # stored names with no file behind them
    failed: list = field(default_factory=list)  # (stored name, why)


def rename(old, images):
    """Copy file ``old`` under a prefixed name and point ``images`` (rows naming it) at the copy.

    Returns the new name, or None when every row had changed meanwhile (the copy is removed).
    FileNotFoundError when there is no file.
    """
    first = images[0]
    storage = first.file.storage
    column = first.file.field
    with storage.open(old, "rb") as source:
        data = source.read()
    wanted = column.generate_filename(first, posixpath.basename(old))
    new = storage.save(wanted, ContentFile(data), max_length=column.max_length)
    model = type(first)
    try:
        with transaction.atomic():
            ids = [image.pk for image in images]
            # Only rows that still name the old file: an editor who replaced it meanwhile keeps theirs.
            current = list(model.objects.filter(pk__in=ids, file=old).values_list("pk", flat=True))
            for rendition_owner in model.objects.filter(pk__in=current):
                rendition_owner.renditions.all().delete()  # Wagtail removes each one's file after commit
            model.objects.filter(pk__in=current, file=old).update(file=new)
    except Exception:
        storage.delete(new)
        raise
    if not current:
        storage.delete(new)
        return None
    if owned_by(old, connection.schema_name) and not model.objects.filter(file=old).exists():
        transaction.on_commit(lambda: storage.delete(old))
    return new


def rename_guessable(dry_run=False, progress=None):
    """Rename every guessable image of this schema (or only list them, ``dry_run``): a Renamed.

    One image that cannot be renamed (no file, a name the column cannot hold, a database error)
    is reported, and the others are renamed all the same.
    """
    result = Renamed()
    for old, images in guessable_images().items():
        if dry_run:
            result.renamed.append((old, None))
        else:
            try:
                new = rename(old, images)
            except FileNotFoundError:
                result.missing.append(old)
            except (DatabaseError, OSError, ValueError, SuspiciousOperation) as exc:
                logger.warning("could not rename image %s: %s", old, exc)
                result.failed.append(
                    (old, str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
                )
            else:
                if new:
                    result.renamed.append((old, new))
        if progress:
            progress(1)
    return result


def rename_site(tenant, dry_run=False):
    """``rename_guessable`` in ``tenant``'s schema; then, if anything was renamed, its pages are
    purged from the page cache and its static output written again."""
    with schema_context(tenant.schema_name):
        result = rename_guessable(dry_run=dry_run)
    if result.renamed and not dry_run:
        pagecache.purge_site(tenant)
        site_look_changed.send(Tenant, tenant=tenant, reason="image_names")
    return result
