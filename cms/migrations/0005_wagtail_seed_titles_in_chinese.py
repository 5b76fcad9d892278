"""Wagtail's seed pages get Chinese titles: the tree's root and the welcome page its migrations create.

The web office browses from the root ("Root" in the explorer, its breadcrumbs and page search),
and every site's history report lists the welcome page that setup_cluster deletes from the
template. Both are text people read in the admin, written by Wagtail in English.
"""

from django.db import migrations

ROOT_TITLE = "根目录"
WELCOME_TITLE = "初始欢迎页（开通站点时删除）"
WAGTAIL_ROOT = "Root"
WAGTAIL_WELCOME = "Welcome to your new Wagtail site!"


def chinese_titles(apps, schema_editor):
    Page = apps.get_model("wagtailcore", "Page")
    PageLogEntry = apps.get_model("wagtailcore", "PageLogEntry")
    Page.objects.filter(depth=1, title=WAGTAIL_ROOT).update(title=ROOT_TITLE, draft_title=ROOT_TITLE)
    Page.objects.filter(depth=2, title=WAGTAIL_WELCOME).update(title=WELCOME_TITLE, draft_title=WELCOME_TITLE)
    PageLogEntry.objects.filter(label=WAGTAIL_WELCOME).update(label=WELCOME_TITLE)


def english_titles(apps, schema_editor):
    Page = apps.get_model("wagtailcore", "Page")
    PageLogEntry = apps.get_model("wagtailcore", "PageLogEntry")
    Page.objects.filter(depth=1, title=ROOT_TITLE).update(title=WAGTAIL_ROOT, draft_title=WAGTAIL_ROOT)
    Page.objects.filter(depth=2, title=WELCOME_TITLE).update(title=WAGTAIL_WELCOME, draft_title=WAGTAIL_WELCOME)
    PageLogEntry.objects.filter(label=WELCOME_TITLE).update(label=WAGTAIL_WELCOME)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0004_column_aggregation"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(chinese_titles, english_titles)]
