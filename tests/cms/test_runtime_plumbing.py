"""The gunicorn access logger and the database backend's content-type cache."""

import json
import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import override_settings

from cms.checks import contenttypes_shared_only
from cms.gunicorn_logging import JsonAccessLogger


def test_access_log_lines_are_json_whatever_the_request_holds(caplog, settings):
    settings.CMS_TRUSTED_PROXIES = ["127.0.0.1"]  # the forwarded address counts from nginx only
    logger = JsonAccessLogger.__new__(JsonAccessLogger)  # no gunicorn configuration needed
    logger.access_log = logging.getLogger("test.access")
    logger.cfg = SimpleNamespace(accesslog="-")
    environ = {
        "HTTP_HOST": "jtj.localhost",
        "REQUEST_METHOD": "GET",
        "PATH_INFO": '/a"b\\c/通知/',
        "QUERY_STRING": 'q=" OR 1=1',
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_REAL_IP": "10.0.0.8",
        "HTTP_USER_AGENT": 'Mozilla "quoted"\n',
    }
    response = SimpleNamespace(status="503 Service Unavailable", status_code=503, sent=1234)
    with caplog.at_level(logging.INFO, logger="test.access"):
        JsonAccessLogger.access(logger, response, None, environ, timedelta(milliseconds=12.34))
    record = json.loads(caplog.records[-1].getMessage())
    assert record["path"] == '/a"b\\c/通知/' and record["query"] == 'q=" OR 1=1'
    assert record["status"] == "503" and record["bytes"] == 1234 and record["duration_ms"] == 12.3
    assert record["ip"] == "10.0.0.8" and record["host"] == "jtj.localhost"


@pytest.mark.django_db
def test_switching_schemas_keeps_the_content_type_cache(cluster):
    connection.set_schema_to_public()
    article = ContentType.objects.get_by_natural_key("cms", "articlepage")
    ContentType.objects.get_for_id(article.pk)
    connection.set_tenant(cluster.sites["jtj"])
    try:
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert ContentType.objects.get_for_id(article.pk).model == "articlepage"
        assert len(queries.captured_queries) == 0
    finally:
        connection.set_schema_to_public()


def test_the_content_type_cache_needs_contenttypes_in_the_public_schema_only(settings):
    assert contenttypes_shared_only(None) == []
    with override_settings(TENANT_APPS=[*settings.TENANT_APPS, "django.contrib.contenttypes"]):
        assert [error.id for error in contenttypes_shared_only(None)] == ["cms.E001"]
