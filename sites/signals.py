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
``site_loaded``
    Sent by ``restore_site`` inside the restore transaction, once every row is loaded and checked
    and the tenant row, domain and groups exist, on the public schema, before ``site_restored``:
    ``tenant``, ``source`` (the archived site's code) and ``untrusted`` (the archive was not signed
    by this deployment). Its receivers repair what came in by COPY, past every save hook: cms
    sanitises every page's and revision's HTML again. A receiver that raises undoes the restore.
``site_restored``
    Sent right after ``site_loaded``, with the same arguments, when the rows are clean: the
    catalogue rebuilds the site's entries from the sanitised pages. A receiver that raises undoes
    the whole restore. (Two signals, because receivers of one run in ``INSTALLED_APPS`` order and
    the catalogue's app comes before cms.)
"""

from django.dispatch import Signal

site_provisioned = Signal()
site_closed = Signal()
site_loaded = Signal()
site_restored = Signal()
