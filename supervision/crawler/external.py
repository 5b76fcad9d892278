"""External links, fetched the way GOV.UK's link checker does: in batches, politely, cached 24 h.

A batch of URLs is spread over a thread pool (bounded concurrency); each host gets at most
``per_host`` requests in flight and ``delay`` seconds between the starts of two of them, so 300
sites linking to one ministry's site do not flood it. Redirects are followed by hand, so that a
loop, too long a chain or a hop to another host can be told apart. HEAD first (no body is
sent); servers that refuse or mishandle HEAD are asked again with GET, whose body is not read.

Classification (one verdict per URL):

* ok: a 2xx answer within ``slow`` seconds, also after redirects on the same host;
* caution: slow, redirected to another host, 401/403/429 (the public may still reach it in a
  browser), other 4xx, a TLS certificate problem (the page opens once the check is skipped);
* broken: 404/410, 5xx, DNS failure, connection refused, timeout, a redirect loop or too many hops.
"""

import hashlib
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from django.conf import settings
from django.utils import timezone

from .models import ExternalLinkResult, LinkStatus

DEFAULTS = {
    "timeout": 10.0,  # seconds, connect and read each
    "slow": 5.0,  # a 2xx later than this is "caution: slow"
    "max_redirects": 5,
    "workers": 16,
    "per_host": 2,
    "delay": 0.2,  # seconds between two request starts on one host
    "cache_hours": 24,
    "user_agent": "gov-cms-linkcheck/1.0 (+link check of a government website cluster)",
}


def link_check_settings(**overrides):
    """The crawler's settings: DEFAULTS, then ``settings.SUPERVISION_LINK_CHECK``, then arguments."""
    values = dict(DEFAULTS)
    values.update(getattr(settings, "SUPERVISION_LINK_CHECK", {}) or {})
    values.update({key: value for key, value in overrides.items() if value is not None})
    return values


@dataclass
class Verdict:
    status: str
    http_status: int | None = None
    reason: str = ""
    final_url: str = ""
    seconds: float = 0.0


def url_hash(url):
    return hashlib.sha256(url.encode("utf-8", "surrogateescape")).hexdigest()


class _HostGate:
    """At most ``per_host`` requests in flight per host, and ``delay`` between two starts."""

    def __init__(self, per_host, delay):
        self.per_host = max(1, int(per_host))
        self.delay = float(delay)
        self._lock = threading.Lock()
        self._semaphores = {}
        self._next_start = defaultdict(float)

    def _semaphore(self, host):
        with self._lock:
            if host not in self._semaphores:
                self._semaphores[host] = threading.BoundedSemaphore(self.per_host)
            return self._semaphores[host]

    def enter(self, host):
        self._semaphore(host).acquire()
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start[host])
            self._next_start[host] = start + self.delay
        if start > now:
            time.sleep(start - now)

    def leave(self, host):
        self._semaphore(host).release()


def _host(url):
    return (urlsplit(url).hostname or "").lower()


class ExternalChecker:
    """Checks a batch of external URLs; ``requests_made`` counts what actually went out."""

    def __init__(self, **overrides):
        self.options = link_check_settings(**overrides)
        self.gate = _HostGate(self.options["per_host"], self.options["delay"])
        self.requests_made = 0
        self.fetched = 0
        self.cached = 0
        self._count_lock = threading.Lock()
        self._local = threading.local()

    # -- one URL ------------------------------------------------------------------------------

    def _session(self):
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            # Proxies from the environment are not the visitor's path, and tests must stay on loopback.
            session.trust_env = False
            session.headers["User-Agent"] = self.options["user_agent"]
            self._local.session = session
        return session

    def _request(self, method, url, verify=True):
        host = _host(url)
        self.gate.enter(host)
        try:
            with self._count_lock:
                self.requests_made += 1
            response = self._session().request(
                method,
                url,
                allow_redirects=False,
                timeout=self.options["timeout"],
                stream=True,
                verify=verify,
            )
            response.close()  # the body is never read: the status line and headers tell
            return response
        finally:
            self.gate.leave(host)

    def _follow(self, url, verify=True):
        """(final response, final url, hops) or raises; a loop or too many hops is a Verdict."""
        seen = {url}
        current = url
        for _hop in range(self.options["max_redirects"] + 1):
            response = self._request("HEAD", current, verify)
            if response.status_code >= 400:
                # HEAD is refused or mishandled by many servers: the visitor's GET decides.
                response = self._request("GET", current, verify)
            if response.status_code in (301, 302, 303, 307, 308) and response.headers.get("Location"):
                target = urljoin(current, response.headers["Location"])
                if target in seen:
                    return Verdict(LinkStatus.BROKEN, response.status_code, "重定向循环", target)
                seen.add(target)
                current = target
                continue
            return response, current
        return Verdict(LinkStatus.BROKEN, None, "重定向次数过多", current)

    def check(self, url):
        started = time.monotonic()
        try:
            verdict = self._check(url)
        except (ValueError, UnicodeError, requests.RequestException):  # a malformed URL or header
            verdict = Verdict(LinkStatus.BROKEN, None, "链接地址无效")
        verdict.seconds = round(time.monotonic() - started, 3)
        if verdict.status == LinkStatus.OK and verdict.seconds > self.options["slow"]:
            verdict.status, verdict.reason = LinkStatus.CAUTION, f"响应缓慢（{verdict.seconds:.1f} 秒）"
        return verdict

    def _check(self, url):
        try:
            outcome = self._follow(url)
        except requests.exceptions.SSLError:
            try:
                urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
                outcome = self._follow(url, verify=False)
            except requests.RequestException as error:
                return self._failure(error)
            if isinstance(outcome, Verdict):
                return outcome
            verdict = self._classify(url, *outcome)
            if verdict.status == LinkStatus.OK:
                verdict.status, verdict.reason = LinkStatus.CAUTION, "证书有问题（HTTPS 证书无效或过期）"
            return verdict
        except requests.RequestException as error:
            return self._failure(error)
        if isinstance(outcome, Verdict):
            return outcome
        return self._classify(url, *outcome)

    @staticmethod
    def _failure(error):
        text = str(error)
        if isinstance(error, requests.exceptions.Timeout):
            return Verdict(LinkStatus.BROKEN, None, "访问超时")
        if "NameResolution" in text or "Name or service not known" in text or "getaddrinfo" in text:
            return Verdict(LinkStatus.BROKEN, None, "域名无法解析")
        if "refused" in text.lower():
            return Verdict(LinkStatus.BROKEN, None, "连接被拒绝")
        if isinstance(error, requests.exceptions.TooManyRedirects):
            return Verdict(LinkStatus.BROKEN, None, "重定向次数过多")
        if isinstance(error, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
            return Verdict(LinkStatus.BROKEN, None, "链接地址无效")
        return Verdict(LinkStatus.BROKEN, None, f"无法连接（{type(error).__name__}）")

    @staticmethod
    def _classify(url, response, final_url):
        code = response.status_code
        other_host = _host(final_url) != _host(url)
        if 200 <= code < 300:
            if other_host:
                return Verdict(LinkStatus.CAUTION, code, f"重定向到其他网站（{_host(final_url)}）", final_url)
            return Verdict(LinkStatus.OK, code, "", final_url)
        if code in (404, 410):
            return Verdict(LinkStatus.BROKEN, code, "页面不存在" if code == 404 else "页面已删除", final_url)
        if code >= 500:
            return Verdict(LinkStatus.BROKEN, code, f"对方服务器出错（{code}）", final_url)
        if code in (401, 403):
            return Verdict(LinkStatus.CAUTION, code, f"需要登录或禁止访问（{code}）", final_url)
        if code == 429:
            return Verdict(LinkStatus.CAUTION, code, "对方限制访问频率（429）", final_url)
        return Verdict(LinkStatus.CAUTION, code, f"异常状态（{code}）", final_url)

    # -- a batch ------------------------------------------------------------------------------

    def check_many(self, urls):
        """{url: Verdict} for every URL; answers younger than ``cache_hours`` come from the cache."""
        urls = list(dict.fromkeys(urls))
        if not urls:
            return {}
        fresh_since = timezone.now() - timedelta(hours=self.options["cache_hours"])
        hashes = {url_hash(url): url for url in urls}
        results = {}
        for row in ExternalLinkResult.objects.filter(url_hash__in=list(hashes), checked_at__gte=fresh_since):
            results[hashes[row.url_hash]] = Verdict(row.status, row.http_status, row.reason, row.final_url, row.seconds)
        todo = [url for url in urls if url not in results]
        self.cached += len(results)
        self.fetched += len(todo)
        if todo:
            with ThreadPoolExecutor(max_workers=self.options["workers"], thread_name_prefix="linkcheck") as pool:
                # Round-robin over hosts, so a pool of workers is not all parked behind one host's gate.
                order = _interleaved(todo)
                for url, verdict in zip(order, pool.map(self.check, order), strict=True):
                    results[url] = verdict
            now = timezone.now()
            ExternalLinkResult.objects.bulk_create(
                [
                    ExternalLinkResult(
                        url=url[:2000],
                        url_hash=url_hash(url),
                        status=results[url].status,
                        http_status=results[url].http_status,
                        reason=results[url].reason[:255],
                        final_url=results[url].final_url[:2000],
                        seconds=results[url].seconds,
                        checked_at=now,
                    )
                    for url in todo
                ],
                update_conflicts=True,
                unique_fields=["url_hash"],
                update_fields=["status", "http_status", "reason", "final_url", "seconds", "checked_at"],
                batch_size=1000,
            )
        return results


def _interleaved(urls):
    by_host = defaultdict(list)
    for url in urls:
        by_host[_host(url)].append(url)
    queues = list(by_host.values())
    order = []
    for index in range(max(len(queue) for queue in queues)):
        order.extend(queue[index] for queue in queues if index < len(queue))
    return order
