"""索引号: <org code>/<YYYY>-<NNNNN>, generated at first publish, unique, never changed afterwards."""

import re
import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone

from cms.models import DisclosureDocumentPage, IndexNumberCounter, IndexNumberError, allocate_index_number
from cms.models.disclosure import next_serial

from .content import column, disclosure, publish

pytestmark = pytest.mark.django_db


def test_generated_at_first_publish_from_org_code_year_and_serial(in_site):
    in_site("jtj")
    draft = DisclosureDocumentPage(
        title="草稿文件", written_date="2026-01-05", topic_category="general", genre="notice", live=False
    )
    column("fdzdgk").add_child(instance=draft)
    draft.save_revision()
    assert DisclosureDocumentPage.objects.get(pk=draft.pk).index_number is None

    first = disclosure(title="第一份文件")
    second = disclosure(title="第二份文件")
    year = timezone.localtime().year
    pattern = re.compile(rf"^014207265/{year}-(\d{{5}})$")
    first_serial = int(pattern.match(first.index_number).group(1))
    second_serial = int(pattern.match(second.index_number).group(1))
    assert second_serial == first_serial + 1
    assert first.publisher == "测试市交通运输局"


def test_serials_are_per_site(in_site):
    in_site("jtj")
    jtj_number = disclosure().index_number
    in_site("jyj")
    jyj_number = disclosure().index_number
    assert jtj_number.startswith("014207265/")
    assert jyj_number.startswith("014207266/")


def test_never_changes_through_edits_republish_moves_and_stale_revisions(in_site):
    in_site("jtj")
    draft = DisclosureDocumentPage(
        title="交通运输安全生产专项整治方案",
        written_date="2026-02-01",
        topic_category="industry",
        genre="plan",
        live=False,
    )
    column("fdzdgk").add_child(instance=draft)
    stale_revision = draft.save_revision()  # made before publishing: carries no 索引号
    stale_revision.publish()
    number = DisclosureDocumentPage.objects.get(pk=draft.pk).index_number
    assert number

    # An editor's later revision built from the stale one, then published.
    edited = stale_revision.as_object()
    edited.title = "交通运输安全生产专项整治方案（修订）"
    edited.save_revision().publish()
    # A script trying to set it.
    page = DisclosureDocumentPage.objects.get(pk=draft.pk)
    page.index_number = "999999999/2000-00001"
    page.save()
    # Unpublish and publish again.
    page.unpublish()
    page.save_revision().publish()
    # Move to another column.
    page = DisclosureDocumentPage.objects.get(pk=draft.pk)
    page.move(column("gkzd"), pos="last-child")

    page = DisclosureDocumentPage.objects.get(pk=draft.pk)
    assert page.index_number == number
    assert page.title == "交通运输安全生产专项整治方案（修订）"


def test_a_copy_is_a_new_document_with_its_own_number(in_site):
    in_site("jtj")
    original = disclosure()
    copy = original.copy(update_attrs={"slug": "copy-doc", "title": "复制的文件"}, keep_live=False)
    assert copy.index_number is None
    copy.save_revision().publish()
    copy.refresh_from_db()
    assert copy.index_number and copy.index_number != original.index_number


def test_site_without_org_code_is_refused_with_a_clear_message(in_site):
    site = in_site("jtj")
    site.org_code = ""
    try:
        with pytest.raises(IndexNumberError, match="组织机构代码"):
            allocate_index_number()
    finally:
        site.refresh_from_db()


def test_the_shown_publish_date_is_the_real_first_publish_time(in_site):
    in_site("jtj")
    before = timezone.now()
    page = disclosure()
    assert before <= page.first_published_at <= timezone.now()
    assert page.publish_date == timezone.localtime(page.first_published_at).date()
    labels = [str(label) for label, _ in page.metadata()]
    assert labels == ["索引号", "分类", "发布机构", "成文日期", "名称", "文号", "发布日期", "主题词"]


def test_document_number_must_use_hexagonal_brackets(in_site):
    from django.core.exceptions import ValidationError

    in_site("jtj")
    page = DisclosureDocumentPage(
        title="文号测试",
        written_date="2026-01-01",
        topic_category="general",
        genre="notice",
        document_number="江交发[2026]1号",
    )
    with pytest.raises(ValidationError, match="六角括号"):
        page.full_clean(exclude=["path", "depth", "slug"])
    page.document_number = "江交发〔2026〕1号"
    page.full_clean(exclude=["path", "depth", "slug"])


def _run_in_thread(tenant, year, barrier, results, errors, hold):
    try:
        connection.set_tenant(tenant)
        from django.db import transaction

        with transaction.atomic():
            barrier.wait(timeout=10)
            serial = next_serial(year)
            time.sleep(hold)  # keep the transaction (and its lock) open while the other one runs
            results.append(serial)
    except Exception as exc:  # noqa: BLE001 - reported by the test
        errors.append(exc)
    finally:
        connections.close_all()


@pytest.mark.parametrize("existing_row", [False, True], ids=["new-year", "existing-year"])
def test_two_concurrent_publishes_get_different_serials(cluster, existing_row):
    """Two transactions in two threads (two database connections) take a serial at the same moment."""
    tenant = cluster.sites["jyj"]
    year = 3001 if existing_row else 3002
    setup = threading.Thread(target=_prepare_counter, args=(tenant, year, existing_row))
    setup.start()
    setup.join()
    barrier = threading.Barrier(2)
    results, errors = [], []
    threads = [
        threading.Thread(target=_run_in_thread, args=(tenant, year, barrier, results, errors, 0.3)) for _ in range(2)
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not errors, errors
        start = 5 if existing_row else 0
        assert sorted(results) == [start + 1, start + 2]
    finally:
        cleanup = threading.Thread(target=_delete_counter, args=(tenant, year))
        cleanup.start()
        cleanup.join()


def _prepare_counter(tenant, year, existing_row):
    try:
        connection.set_tenant(tenant)
        IndexNumberCounter.objects.filter(year=year).delete()
        if existing_row:
            IndexNumberCounter.objects.create(year=year, last_serial=5)
    finally:
        connections.close_all()


def _delete_counter(tenant, year):
    try:
        connection.set_tenant(tenant)
        IndexNumberCounter.objects.filter(year=year).delete()
    finally:
        connections.close_all()


def test_publish_path_uses_the_counter(in_site):
    in_site("jyj")
    page = publish(
        column("fdzdgk"),
        DisclosureDocumentPage(title="计数器测试", written_date="2026-01-01", topic_category="science", genre="notice"),
    )
    year = timezone.localtime(page.first_published_at).year
    counter = IndexNumberCounter.objects.get(year=year)
    assert page.index_number.endswith(f"-{counter.last_serial:05d}")
