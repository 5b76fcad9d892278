"""Helpers of the supervision tests: a session site made to pass every check, in the test's transaction."""

import datetime

from django.db import connection
from django.utils import timezone

from cms.models import ColumnPage, InformationPage, LeaderPage, ServicePage
from tests.cms import content

FOOTER = {
    "site_identifier": "1234000002",
    "sponsor": "测试市交通运输局",
    "icp_number": "测ICP备12345679号",
    "police_record_number": "测公网安备 12345678901235号",
    "contact_phone": "0771-7654321",
    "contact_address": "测试市民族大道 8 号",
}
LEADER = ("李建国", "党组书记、局长")


def fill_footer(tenant, **changes):
    connection.set_schema_to_public()  # a Tenant row is saved from the public schema only
    for field, value in {**FOOTER, **changes}.items():
        setattr(tenant, field, value)
    tenant.save()


def make_clean(tenant):
    """Give every standard column of ``tenant`` something fresh to show and fill in its footer.

    Returns {slug: page} of what was made. The caller's transaction is rolled back afterwards.
    """
    fill_footer(tenant)
    connection.set_tenant(tenant)
    made = {}
    for column in ColumnPage.objects.live():
        slug = column.slug
        if column.get_children().live().exists() and slug in ("zwdt", "xxgk"):
            continue  # their sub-columns' items are listed in them
        if column.column_class == "static":
            if slug == "fzrxx":
                made[slug] = content.publish(
                    column, LeaderPage(title=LEADER[0], position=LEADER[1], responsibilities="主持全面工作。")
                )
            else:
                made[slug] = content.publish(
                    column, InformationPage(title=f"{column.title}内容", body="<p>本机关是市政府工作部门。</p>")
                )
        elif column.column_class == "service":
            made[slug] = content.publish(column, ServicePage(title="道路运输经营许可", department="市交通运输局"))
        elif column.column_class in ("policy", "disclosure"):
            made[slug] = content.disclosure(column, title=f"{column.title}文件", document_number="")
        else:
            made[slug] = content.article(column, title=f"{column.title}最新信息")
    return made


def today():
    return timezone.localdate()


def days_later(days):
    return timezone.localdate() + datetime.timedelta(days=days)
