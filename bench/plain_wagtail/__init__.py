"""A plain single-site Wagtail project (no django-tenants), the baseline of bench/load.py.

Settings follow ``wagtail start``'s project template: the same Wagtail apps and Django's usual
middleware, one database, one Wagtail Site. Its article template mirrors the cluster's themed one
(head, top bar, brand, search box, main navigation, breadcrumb, article, footer), so the uncached
difference measured against the cluster is what the cluster adds per request: site lookup by host,
``SET search_path``, the theme, the site's settings, single sign-on and the rest of its middleware.
"""
