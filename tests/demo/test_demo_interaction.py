"""The demo's messages and applications: every state once, handled by the right people, idempotent."""

import pytest
from django_tenants.utils import tenant_context

from demo.interaction import DEMO_PHONE, demo_codes, seed
from interaction import services
from interaction.models import ApplicationStatus, DisclosureApplication, Message, Status
from interaction.pages.models import ConsultationPage, QuestionnairePage, ReplyPage

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_message_and_an_application_in_every_state(cluster):
    seed(step=lambda text: None)
    messages = Message.objects.filter(tenant__code__in=["portal", "jtj", "jyj"])
    assert set(messages.values_list("status", flat=True)) == set(Status.values)
    assert set(DisclosureApplication.objects.filter(tenant__code="jtj").values_list("status", flat=True)) >= set(
        ApplicationStatus.values
    ) - {ApplicationStatus.WITHDRAWN}
    forwarded = messages.get(forwards__isnull=False)
    assert forwarded.handling_tenant.code == "jtj" and forwarded.status == Status.ANSWERED
    with tenant_context(cluster.sites["portal"]):
        assert ReplyPage.objects.live().filter(pk=forwarded.published_page_id).exists()
    assert messages.overdue().filter(handling_tenant__code="jyj").exists()
    with tenant_context(cluster.sites["portal"]):
        phases = {page.phase() for page in ConsultationPage.objects.live()}
        assert {"open", "closed"} <= {str(phase) for phase in phases}
        survey = QuestionnairePage.objects.live().get()
        assert sum(row["count"] for row in survey.results()[0]["options"]) == 4
    assert services.lookup(Message, forwarded.code, DEMO_PHONE[-4:]) == forwarded
    before = (messages.count(), DisclosureApplication.objects.count())
    seed(step=lambda text: None)
    assert (messages.count(), DisclosureApplication.objects.count()) == before
    assert {code for _site, _kind, _subject, code, _status in demo_codes()} >= {forwarded.code}
