"""Demo of 信息报送 over three levels (idempotent): a county item goes county → city → province.

柳溪县's editor offers a news item to 河川市's 要闻; 河川市's editor adopts it and offers it on to the
province's 要闻 (``services.offer(..., via=city)``, the admin's “继续报送” button); the province's editor
adopts it. Every step is taken by a person of the right role through the service, as in the admin,
so the province's 要闻 lists the county's original, linked on the county's own host.
"""

from django.db import transaction
from django_tenants.utils import schema_context

from cms.models import ArticlePage, ColumnPage
from publishing.syndication import services
from publishing.syndication.models import Submission, SubmissionStatus
from sites.models import Role, SiteGroup, Tenant

COUNTY, CITY, PROVINCE = "lsx", "hcs", "province"
TITLE = "柳溪县召开县政府常务会议 研究部署冬春农田水利建设"


def _person(tenant, role):
    binding = SiteGroup.objects.filter(tenant=tenant, role=role).select_related("group").first()
    return binding.group.user_set.filter(is_active=True).order_by("username").first() if binding else None


def _accepting_column(tenant):
    with schema_context(tenant.schema_name):
        return ColumnPage.objects.live().filter(accepts_submissions=True).order_by("path").first()


def _offered_and_adopted(*, source, page_id, target, column, offerer, adopter, via=None):
    submission = Submission.objects.filter(source_tenant=source, page_id=page_id, target_tenant=target).first()
    if submission is None:
        submission = services.offer(
            source=source,
            page_id=page_id,
            target=target,
            column_id=column.pk,
            user=offerer,
            note="县里的重点工作，建议采用。" if via is None else "下级县报送、本市已采用，建议省政府网站采用。",
            via=via,
        )
    if submission.status == SubmissionStatus.OFFERED:
        submission = services.adopt(submission.pk, site=target, user=adopter)
    return submission


def seed(step=print, *, county=COUNTY, city=CITY, province=PROVINCE, title=TITLE):
    """Offer ``title`` of ``county`` to ``city``, adopt it there, offer it on to ``province``, adopt it."""
    sites = {tenant.code: tenant for tenant in Tenant.objects.serving().filter(code__in=[county, city, province])}
    if len(sites) < 3:
        return
    county_site, city_site, province_site = sites[county], sites[city], sites[province]
    editors = {code: _person(site, Role.EDITOR) for code, site in sites.items()}
    columns = {code: _accepting_column(sites[code]) for code in (city, province)}
    if not all(editors.values()) or not all(columns.values()):
        step("三级信息报送演示：缺少编辑或接受报送的栏目，跳过")
        return
    with schema_context(county_site.schema_name):
        page = ArticlePage.objects.live().filter(title=title).first()
    if page is None:
        return
    with transaction.atomic():
        _offered_and_adopted(
            source=county_site,
            page_id=page.pk,
            target=city_site,
            column=columns[city],
            offerer=editors[county],
            adopter=editors[city],
        )
        _offered_and_adopted(
            source=county_site,
            page_id=page.pk,
            target=province_site,
            column=columns[province],
            offerer=editors[city],
            adopter=editors[province],
            via=city_site,
        )
    step(
        f"三级信息报送演示：{county_site.name}的“{title}”经{city_site.name}采用后继续报送，已被{province_site.name}采用"
    )
