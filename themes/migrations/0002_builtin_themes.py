from django.db import migrations

BUILTIN = [
    dict(
        slug="blue",
        name="政务蓝",
        template_set="blue",
        main_color="#0b4f9c",
        accent_color="#1d6fb8",
        second_accent_color="#b45309",
        is_default=True,
        description="蓝色主调，适用于市政府门户和大多数部门网站。",
    ),
    dict(
        slug="red",
        name="中国红",
        template_set="red",
        main_color="#b3121b",
        accent_color="#8a6312",
        second_accent_color="",
        is_default=False,
        description="红色主调，适用于党建、纪念活动类网站和专题。",
    ),
]


def create_builtin(apps, schema_editor):
    Theme = apps.get_model("themes", "Theme")
    for values in BUILTIN:
        Theme.objects.get_or_create(slug=values["slug"], defaults=values)


class Migration(migrations.Migration):
    dependencies = [("themes", "0001_initial")]

    operations = [migrations.RunPython(create_builtin, migrations.RunPython.noop)]
