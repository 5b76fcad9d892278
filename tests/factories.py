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
