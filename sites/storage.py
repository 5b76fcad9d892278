"""File storage that keeps each site's uploads under a directory named after its schema."""

from django.core.files.storage import FileSystemStorage
from django.db import connection


class SiteFileStorage(FileSystemStorage):
    """Prefixes every new file name with the current schema.

    The schema is part of the *stored* name (``jtj/original_images/a.jpg``), not resolved at read
    time, so a file's URL is correct from any context: another site, the cross-site search page,
    a management command.
    """

    def generate_filename(self, filename):
        schema = getattr(connection, "schema_name", "public") or "public"
        filename = super().generate_filename(filename)
        if filename.split("/", 1)[0] == schema:
            return filename
        return f"{schema}/{filename}"
