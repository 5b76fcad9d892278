"""Create the baseline's database, migrate it and publish its pages: ``python -m plain_wagtail.seed SPEC.json``.

SPEC.json: {"host": ..., "site_name": ..., "columns": [[title, slug], ...], "article_column": slug,
"article": {"title", "subtitle", "source", "summary", "body"}}. Prints the article's path.
Run by bench/load.py with PLAIN_DATABASE_URL set; the database must not exist yet.
"""

import json
import os
import sys

import dj_database_url
import psycopg


def create_database(url):
    config = dj_database_url.parse(url)
    params = {"dbname": "postgres", "user": config["USER"] or "postgres", "autocommit": True}
    if config.get("HOST"):
        params["host"] = config["HOST"]
    if config.get("PORT"):
        params["port"] = config["PORT"]
    if config.get("PASSWORD"):
        params["password"] = config["PASSWORD"]
    with psycopg.connect(**params) as conn:
        conn.execute(f'CREATE DATABASE "{config["NAME"]}"')


def main(spec_path):
    spec = json.loads(open(spec_path, encoding="utf-8").read())
    create_database(os.environ["PLAIN_DATABASE_URL"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plain_wagtail.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from wagtail.models import Page, Site

    from plain_wagtail.models import ArticlePage, ColumnPage, HomePage

    call_command("migrate", interactive=False, verbosity=0)

    def publish(parent, page):
        page.live = False
        parent.add_child(instance=page)
        page.save_revision().publish()
        page.refresh_from_db()
        return page

    root = Page.get_first_root_node()
    for page in root.get_children():  # Wagtail's "Welcome" page
        page.delete()
    home = publish(
        root,
        HomePage(
            title=spec["site_name"],
            slug="home",
            sponsor=spec["site_name"],
            site_identifier="4401000012",
            icp_number="江ICP备05000001号",
        ),
    )
    Site.objects.all().delete()
    Site.objects.create(hostname=spec["host"], port=80, root_page=home, is_default_site=True, site_name="")
    columns = {}
    for title, slug in spec["columns"]:
        columns[slug] = publish(home, ColumnPage(title=title, slug=slug, show_in_menus=True))
    parent = columns[spec["article_column"]]
    news = publish(parent, ColumnPage(title="工作动态", slug="gzdt"))
    article = publish(news, ArticlePage(slug="t20260301_1000001", **spec["article"]))
    print(article.url)


if __name__ == "__main__":
    main(sys.argv[1])
