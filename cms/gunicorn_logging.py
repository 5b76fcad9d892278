"""gunicorn's access log as one JSON object per line, built from a dict.

gunicorn's own access log fills a format string from every request and response header (its
"atoms") and escapes nothing: a quote in a path breaks the line's JSON. This logger writes the
fields we use, JSON-escaped, at about a quarter of the cost per request (bench/load.py serves a
cached page in well under a millisecond, so the log line is a visible share of it).
"""

import json
import time

from gunicorn.glogging import Logger

from sites.client_ip import client_ip_from_meta

_stamp = {"second": None, "text": ""}


def _now():
    second = int(time.time())
    if _stamp["second"] != second:  # formatted once per second
        _stamp["second"], _stamp["text"] = second, time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(second))
    return _stamp["text"]


class JsonAccessLogger(Logger):
    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        record = {
            "time": _now(),
            "host": environ.get("HTTP_HOST", ""),
            "method": environ.get("REQUEST_METHOD", ""),
            "path": environ.get("PATH_INFO", ""),
            "query": environ.get("QUERY_STRING", ""),
            "status": str(getattr(resp, "status_code", "") or str(resp.status).split(" ", 1)[0]),
            "bytes": getattr(resp, "sent", 0),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            # The address the lockout and the audit log see: forwarded headers count only from
            # a trusted proxy (CMS_TRUSTED_PROXIES).
            "ip": client_ip_from_meta(environ) or "",
            "agent": environ.get("HTTP_USER_AGENT", ""),
        }
        try:
            self.access_log.info(json.dumps(record, ensure_ascii=False))
        except Exception:  # a log line never fails a request
            self.exception("access log")
