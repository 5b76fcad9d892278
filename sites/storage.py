"""File storage that keeps each site's uploads under a directory named after its schema."""

import logging
import posixpath
import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import connection

logger = logging.getLogger(__name__)

# Wagtail stores documents (附件) as ``<schema>/documents/<name>`` (its upload_to plus the schema
# below). Documents are private until the document view says otherwise (cms/documents.py), so this
# directory is never served as a file: nginx and the development media route refuse any path with
# such a segment, and the layout must not change without changing them (docker/nginx/cluster.conf).
DOCUMENTS_DIR = "documents"

# Wagtail stores an image as ``original_images/<name>`` and its renditions as
# ``images/<name without extension>.<filter>.<ext>``; both are served straight from /media/. An
# image uploaded for a draft must not be found by guessing its file name (``2027年预算草案.png``),
# so a new original gets a random prefix, which every rendition's name then carries too. At the
# front, because a name too long for its column is shortened at the end.
IMAGES_DIR = "original_images"
UNGUESSABLE_PREFIX_BYTES = 8


class SiteFileStorage(FileSystemStorage):
    """Prefixes every new file name with the current schema.

    The schema is part of the *stored* name (``jtj/original_images/a.jpg``), not resolved at read
    time, so a file's URL is correct from any context: another site, the cross-site search page,
    a management command.
    """

    def generate_filename(self, filename):
        schema = getattr(connection, "schema_name", "public") or "public"
        filename = super().generate_filename(filename)
        folder, _slash, base = filename.rpartition("/")
        if folder.rsplit("/", 1)[-1] == IMAGES_DIR:
            filename = f"{folder}/{secrets.token_hex(UNGUESSABLE_PREFIX_BYTES)}_{base}"
        if filename.split("/", 1)[0] == schema:
            return filename
        return f"{schema}/{filename}"

    def delete(self, name):
        """Delete a file of this site only (from the public schema, a command, any but the template's).

        A new site starts as a copy of the provisioning template's rows, so its image and rendition
        rows may name the template's files, which every site provisioned from it shares: deleting
        such a row (Wagtail removes the file after commit, in whatever schema is current then) must
        not delete the file under them all, so the template's files are never deleted this way.
        Neither is another site's file from inside a site. A file kept is logged.
        """
        schema = getattr(connection, "schema_name", "") or settings.PUBLIC_SCHEMA_NAME
        owner = (name or "").split("/", 1)[0]
        if owner == settings.CMS_TEMPLATE_SCHEMA or (schema != settings.PUBLIC_SCHEMA_NAME and owner != schema):
            logger.info("kept %s: not a file of schema %s alone", name, schema)
            return
        super().delete(name)


def owned_by(name, schema):
    """True when stored ``name`` is ``schema``'s own file, which no other site's rows name."""
    return schema != settings.CMS_TEMPLATE_SCHEMA and (name or "").split("/", 1)[0] == schema


def is_document_name(name):
    """True for a stored name (or a /media/ path) inside a documents directory, at any depth.

    Any depth and any letter case: names from before the schema prefix (``documents/a.pdf``), and
    a case-insensitive file system on a developer's machine, are refused as well. ``..`` and
    doubled slashes are resolved first, as the file system would.
    """
    parts = PurePosixPath(posixpath.normpath("/" + name.replace("\\", "/"))).parts
    return any(part.lower() == DOCUMENTS_DIR for part in parts[:-1])
