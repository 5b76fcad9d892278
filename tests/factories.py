"""Factories for test data. Sites are provisioned through the real service, never faked."""

import factory
from django.contrib.auth import get_user_model

from sites.models import Role
from sites.provisioning import SiteSpec, create_site
from sites.roles import grant_role

PASSWORD = "Test-pass-2026!"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="zh_CN")
    phone = "13800000000"
    organisation = "测试单位"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_site(code, name=None, kind="department", parent=None, **details):
    spec = SiteSpec(
        code=code, name=name or f"测试站点{code}", kind=kind, parent=parent, domain=f"{code}.localhost", details=details
    )
    return create_site(spec)


def user_with_role(username, role, tenant=None):
    user = UserFactory(username=username)
    grant_role(user, Role(role), tenant)
    return user


def break_glass_user(username="oncall", minutes=60):
    """A superuser as an operator makes one (``manage.py break_glass``): the only superuser there is."""
    from sites.duties import open_break_glass

    user = UserFactory(username=username)
    open_break_glass(user, minutes=minutes, reason="测试")
    return user


def drop_site(tenant, media_folder=None):
    """Remove a site a test made for itself, so later modules counting the session's sites find
    none of it: the schema with its page permissions, the public rows, then its groups (Django's
    cascade would look for page permissions in the public schema). Call it on the public schema."""
    import shutil
    from pathlib import Path

    from django.conf import settings
    from django.db import connection

    from sites.models import SiteGroup

    connection.set_schema_to_public()
    group_ids = list(SiteGroup.objects.filter(tenant=tenant).values_list("group_id", flat=True))
    tenant.delete(force_drop=True)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM auth_group_permissions WHERE group_id = ANY(%s)", [group_ids])
        cursor.execute("DELETE FROM sites_user_groups WHERE group_id = ANY(%s)", [group_ids])
        cursor.execute("DELETE FROM auth_group WHERE id = ANY(%s)", [group_ids])
    shutil.rmtree(Path(settings.MEDIA_ROOT) / (media_folder or tenant.code), ignore_errors=True)
