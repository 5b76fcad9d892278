"""Wagtail hooks of the content app."""

from wagtail import hooks

from . import documents

# Runs beside Wagtail's own collection check: both must admit the reader.
hooks.register("before_serve_document", documents.refuse_unpublished_document)
