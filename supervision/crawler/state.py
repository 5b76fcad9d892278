"""What an internal link's verdict depends on, as one fingerprint per site, read for the whole
cluster in one statement.

The incremental link check re-resolves the stored internal links of unchanged pages against
today's cluster (a page unpublished elsewhere must show up as broken here). Most nights nothing
they point to has changed, and the look-ups were most of an unchanged site's cost. So each run
stores the fingerprints of the schemas its links point to, read before the run read anything,
and the next run re-resolves only the links into schemas whose fingerprint moved.

A schema's fingerprint covers what ``InternalResolver`` reads: Wagtail's page and model logs
(publish, unpublish, move, delete, privacy, document edits all write one), the page and document
tables' size and newest row, the number of live pages, and the view restrictions' contents
(hashed; the tables are tiny). A change that writes none of these (raw SQL on ``url_path``) is
found by the next full run, which is nightly. The cluster's hosts and site statuses have a
fingerprint of their own: any change there re-resolves everything.
"""

from django.db import connection

from sites.models import Tenant

DOMAINS_KEY = "_domains"

_SCHEMA_SQL = """
SELECT %s, concat_ws(':',
  (SELECT max(id) FROM {s}.wagtailcore_pagelogentry),
  (SELECT max(id) FROM {s}.wagtailcore_modellogentry),
  (SELECT count(*) || '/' || count(*) FILTER (WHERE live) || '/' || coalesce(max(id), 0) FROM {s}.wagtailcore_page),
  (SELECT count(*) || '/' || coalesce(sum(hashtext(id || '|' || collection_id)), 0) FROM {s}.wagtaildocs_document),
  (SELECT coalesce(sum(hashtext(concat_ws('|', id, page_id, restriction_type, password))), 0)
     FROM {s}.wagtailcore_pageviewrestriction),
  (SELECT coalesce(sum(hashtext(concat_ws('|', id, collection_id, restriction_type, password))), 0)
     FROM {s}.wagtailcore_collectionviewrestriction)
)"""

_DOMAINS_SQL = """
SELECT %s, md5(coalesce(string_agg(concat_ws('|', d.domain, d.is_admin_host, t.id, t.schema_name, t.status),
                                   ',' ORDER BY d.domain), ''))
FROM sites_domain d JOIN sites_tenant t ON t.id = d.tenant_id"""


def _quoted(schema):
    return connection.ops.quote_name(schema)


def read_fingerprints(schemas):
    """``{schema: fingerprint}`` for ``schemas`` plus ``DOMAINS_KEY``, in one statement."""
    parts, params = [_DOMAINS_SQL], [DOMAINS_KEY]
    connection.set_schema_to_public()
    with connection.cursor() as cursor:  # a site whose schema is gone has nothing to fingerprint
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [sorted(set(schemas))])
        schemas = [row[0] for row in cursor.fetchall()]
    for schema in sorted(schemas):
        parts.append(_SCHEMA_SQL.format(s=_quoted(schema)))
        params.append(schema)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return dict(cursor.fetchall())


class ClusterState:
    """The fingerprints of every site, read once, on first use, for a whole pass of the crawler.

    Read before the pass reads anything: a change made while the pass runs moves a fingerprint
    after it was taken, so the next pass looks again (never the other way round).
    """

    def __init__(self):
        self._fingerprints = None

    def fingerprints(self):
        if self._fingerprints is None:
            self._fingerprints = read_fingerprints(Tenant.objects.sites().values_list("schema_name", flat=True))
        return self._fingerprints

    def snapshot(self, schemas):
        """What a run stores: the fingerprints of the schemas its links point to, and the hosts'."""
        fingerprints = self.fingerprints()
        wanted = set(schemas) | {DOMAINS_KEY}
        return {key: value for key, value in fingerprints.items() if key in wanted}

    def moved(self, stored):
        """The schemas whose fingerprint differs from ``stored`` (a run's snapshot); None if the
        hosts or statuses changed, or nothing was stored: then everything must be looked at."""
        fingerprints = self.fingerprints()
        if not stored or stored.get(DOMAINS_KEY) != fingerprints.get(DOMAINS_KEY):
            return None
        return {
            schema for schema, value in stored.items() if schema != DOMAINS_KEY and fingerprints.get(schema) != value
        }
