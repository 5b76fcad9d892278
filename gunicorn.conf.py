"""gunicorn settings: `gunicorn -c gunicorn.conf.py cms.wsgi`. Every value can be overridden by env."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# 2 × cores + 1 processes of 2 threads each. Threaded workers keep connections alive (nginx's
# upstream keepalive, load balancers); a sync worker closes every connection. Measured with
# bench/load.py's set-up on 2 cores: a page-cache hit ~7,000 req/s threaded vs ~6,200 sync, an
# uncached article the same (~64 req/s) either way.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# Load the app once in the master: workers fork with the code (and the jieba dictionary) in memory.
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (a guard against slow leaks). A cached page takes
# a fraction of a millisecond, so the count is high: a new worker starts with empty local copies.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = max_requests // 10
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# One JSON object per request, for the log pipeline (fields: time, host, method, path, query,
# status, bytes, duration_ms, ip, agent).
logger_class = "cms.gunicorn_logging.JsonAccessLogger"


def post_fork(server, worker):
    # Connections opened in the master before the fork must not be shared with workers.
    from django.db import connections

    for connection in connections.all():
        connection.close()
