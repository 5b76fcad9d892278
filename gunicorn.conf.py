"""gunicorn settings: `gunicorn -c gunicorn.conf.py cms.wsgi`. Every value can be overridden by env."""

import json
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers: a request is mostly database and template work; 2 × cores + 1 is the usual fit.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# Load the app once in the master: workers fork with the code (and the jieba dictionary) in memory.
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
max_requests = 5000
max_requests_jitter = 500
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# One JSON object per request, for the log pipeline.
access_log_format = json.dumps(
    {
        "time": "%(t)s",
        "host": "%({host}i)s",
        "method": "%(m)s",
        "path": "%(U)s",
        "query": "%(q)s",
        "status": "%(s)s",
        "bytes": "%(B)s",
        "duration_ms": "%(M)s",
        "ip": "%({x-real-ip}i)s",
        "agent": "%(a)s",
    },
    ensure_ascii=False,
)


def post_fork(server, worker):
    # Connections opened in the master before the fork must not be shared with workers.
    from django.db import connections

    for connection in connections.all():
        connection.close()
