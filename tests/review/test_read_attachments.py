"""read_attachments: documents uploaded before attachments were read at upload get their text once."""

import pytest
from django.core.management import call_command
from django.db import connection

from publishing.review.models import AttachmentText
from tests.cms import content

pytestmark = pytest.mark.django_db


def test_unread_documents_are_read_once_and_then_skipped(cluster, capsys):
    connection.set_tenant(cluster.sites["jtj"])
    document = content.document("升级前的附件.txt", "关于道路养护的说明".encode())
    assert AttachmentText.objects.filter(document=document).exists()  # read at upload
    AttachmentText.objects.filter(document=document).delete()  # as if uploaded before the upgrade
    connection.set_schema_to_public()

    call_command("read_attachments", "--site", "jtj", verbosity=0)
    connection.set_tenant(cluster.sites["jtj"])
    stored = AttachmentText.objects.get(document=document)
    assert "道路养护" in stored.text and stored.status == AttachmentText.Status.COMPLETE
    connection.set_schema_to_public()
    capsys.readouterr()
    call_command("read_attachments", "--site", "jtj")
    assert "已读取 0 个附件" in capsys.readouterr().out
