"""What happens to a site, announced to the apps above (they listen; sites knows none of them).

Each signal is sent with ``sender=Tenant``. Receivers are connected from the higher apps'
``AppConfig.ready()`` (their ``lifecycle.py``) and run in ``INSTALLED_APPS`` order.

``site_provisioned``
    Sent by ``create_site`` inside the provisioning transaction, once the schema, the tenant row and
    its domains exist, with the connection set to the new site's schema. Arguments: ``tenant``,
    ``spec`` (the ``SiteSpec``), ``kind`` and ``step`` (a progress callback). A receiver that raises
    rolls the whole site back: nothing half-made is left. cms answers first (home page, Wagtail
    Site, column tree, role groups), publishing.review after it (the review chain).
``site_closed``
    Sent by ``close_site`` inside its transaction after the status changed: ``tenant``, ``old``,
    ``new`` (``SiteStatus`` values) and ``reason``.
``site_restored``
    Sent by ``restore_site`` after the restore has committed, on the public schema: ``tenant`` and
    ``source`` (the archived site's code). The catalogue rebuilds the site's entries.
"""

from django.dispatch import Signal

site_provisioned = Signal()
site_closed = Signal()
site_restored = Signal()
