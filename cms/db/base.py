"""The database backend: django-tenants' PostgreSQL backend, keeping Django's content-type cache.

django-tenants empties the content-type cache on every schema switch, for projects that install
contenttypes in both the public and the site schemas (the ids could then differ per schema). Here
contenttypes lives in the public schema only (``SHARED_APPS``; ``cms.checks`` refuses anything
else), so an id means the same model in every schema and the cache stays valid: without this every
page view reloads each content type it touches, three queries on an article.
"""

from django.contrib.contenttypes.models import ContentType
from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper


class DatabaseWrapper(TenantDatabaseWrapper):
    def set_tenant(self, tenant, include_public=True):
        kept = dict(ContentType.objects._cache)
        super().set_tenant(tenant, include_public)
        ContentType.objects._cache.update(kept)
