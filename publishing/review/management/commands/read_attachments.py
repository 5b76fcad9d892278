"""Read every attachment whose text is not stored yet, so no scan has to read one while a reader waits.

New uploads are read when they are saved; documents uploaded before that rule (an upgrade) would
otherwise be read, within the limits, the first time a page that uses them is scanned, which can be
when an editor opens the page. Run once after upgrading; it is safe to run again (read files are
skipped).
"""

from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context
from tqdm import tqdm
from wagtail.documents import get_document_model

from publishing.review.models import AttachmentText
from publishing.review.scanning import read_attachment, stored_text
from sites.commands import sites_for_option


def unread_documents():
    """Documents of the current schema with no stored text for their current file."""
    return [doc for doc in get_document_model().objects.exclude(file="").order_by("pk") if stored_text(doc) is None]


class Command(BaseCommand):
    help = "读取尚未读取的附件文字（升级后运行一次），此后保密检查不再在打开页面时读取文件。"

    def add_arguments(self, parser):
        parser.add_argument("--site", help="只处理这个站点")

    def handle(self, *args, **options):
        sites = sites_for_option(options["site"])
        work = []
        for tenant in sites.order_by("code"):
            with schema_context(tenant.schema_name):
                work.append((tenant, [doc.pk for doc in unread_documents()]))
        total = sum(len(ids) for _tenant, ids in work)
        partial = 0
        with tqdm(total=total, desc="读取附件", unit="个", disable=options["verbosity"] == 0) as bar:
            for tenant, ids in work:
                with schema_context(tenant.schema_name):
                    for document in get_document_model().objects.filter(pk__in=ids):
                        text = read_attachment(document)
                        if text is not None and text.status != AttachmentText.Status.COMPLETE:
                            partial += 1
                        bar.update(1)
        self.stdout.write(self.style.SUCCESS(f"已读取 {total} 个附件，其中 {partial} 个未能完整读取或无法读取"))
