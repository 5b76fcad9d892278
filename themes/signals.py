"""What themes announce to the apps above (they listen; themes knows none of them).

``site_look_changed``
    Sent with ``sender=Tenant`` once a site's look changed (a theme version applied, a rollback,
    the site's home regions varied), after the page cache of the site was purged: ``tenant`` and
    ``reason`` (``"theme_version"``, ``"home_layout"`` …). The static output (publishing.catalogue)
    answers by writing the site's files again; it runs after the transaction commits.
"""

from django.dispatch import Signal

site_look_changed = Signal()
