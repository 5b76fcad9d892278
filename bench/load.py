"""Load test on loopback: every public route across many sites while publishing goes on, and the
serving paths side by side (nginx static output, gunicorn cached and uncached, plain Wagtail).

One run, on databases of its own (bench_load_<pid>, bench_load_plain_<pid>) and under
var/bench/load-<pid>/, all removed at the end, also on Ctrl-C or error:

1. provisions ``--sites`` sites (a portal and departments; a few Chinese articles and disclosure
   documents each, published through Wagtail) and exports their static output;
2. starts three gunicorns with gunicorn.conf.py and production settings (page cache on, page cache
   off, and the plain single-site Wagtail baseline of bench/plain_wagtail/) and nginx with
   docker/nginx/cluster.conf pointing at the cached gunicorn and the static output;
3. drives each route with wrk (a Lua script rotates Host headers and paths over every site) while a
   thread publishes an article every second on a random site and rewrites its static output, as
   the outbox does: home, column lists, articles, disclosure documents through nginx (static
   output) and straight to gunicorn with the page cache off (what each page costs the application
   when neither static output nor the cache answers), and /api/search/ through nginx; then checks
   that an article published in another process shows at once in its list (nginx, page cache);
4. measures, with publishing stopped, the same article as (a) nginx static output, (b) nginx
   serving that file from a plain ``location``, (c) gunicorn with a warm page cache, (d) gunicorn
   uncached, (e) the plain Wagtail page, (f) cached pages rotating over 1 site vs all sites, and
   prints the ratios against their targets.

A route or run with any 5xx (counted from nginx's and gunicorn's logs) prints FAIL; wrk's
non-2xx/3xx and socket errors are printed too. It is a bench, not a test: it exits 0 unless it
could not run. wrk and nginx come from Debian (scripts/system-packages.sh).

    .venv/bin/python bench/load.py                  # 50 full sites, 300 in all
    .venv/bin/python bench/load.py --many 50        # quicker: no extra sites

Time on this 2-core machine (2026-11-22, Redis on loopback): about 7.5 minutes: set-up 18 s,
50 full sites 31 s, 250 light sites 144 s, export of 1,050 pages 19 s, measuring about 3.5 minutes
(3 interleaved rounds), clean-up. With the other benches, `make bench` stays under 10 minutes.
"""

import argparse
import base64
import getpass
import json
import multiprocessing
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import _django
from _corpus import DEPARTMENTS

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--sites", type=int, default=50, help="sites with full content, static output and routes")
parser.add_argument(
    "--many", type=int, default=300, help="sites in all for the many-sites figure (the rest: home and one article)"
)
parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the side-by-side runs (medians)")
parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count() * 2 + 1, help="gunicorn workers")
parser.add_argument("--duration", type=int, default=5, help="seconds of each wrk run")
parser.add_argument("--connections", type=int, default=16, help="wrk connections")
parser.add_argument("--threads", type=int, default=2, help="wrk threads")
parser.add_argument("--articles", type=int, default=3, help="articles per site (the first is the reference)")
parser.add_argument("--documents", type=int, default=2, help="disclosure documents per site")
parser.add_argument("--keep-output", action="store_true", help="keep var/bench/load-<pid>/ (logs) for a look")
parser.add_argument("--publish-every", type=float, default=1.0, help="seconds between background publishes")
args = parser.parse_args()
if args.sites < 2:
    parser.error("--sites must be at least 2 (a portal and a department)")
args.many = max(args.many, args.sites)

WRK = shutil.which("wrk")
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
if not WRK or not NGINX:
    sys.exit("bench/load.py needs wrk and nginx from Debian: bash scripts/system-packages.sh")

ROOT = _django.ROOT
BIN = Path(sys.executable).parent
WORK = ROOT / "var" / "bench" / f"load-{os.getpid()}"
# Per run: two runs on one PostgreSQL server (several checkouts share var/pgdata) never collide.
DB_NAME = f"bench_load_{os.getpid()}"
PLAIN_DB_NAME = f"bench_load_plain_{os.getpid()}"
DOMAIN = "load.localhost"
PLAIN_HOST = f"plain.{DOMAIN}"
STARTED = time.monotonic()


def log(text):
    print(f"[{time.monotonic() - STARTED:5.0f}s] {text}", flush=True)


def _terminate(signum, frame):
    raise KeyboardInterrupt


signal.signal(signal.SIGTERM, _terminate)

# --- Content: realistic Chinese government text ----------------------------------------------------

PLACES = ["江城市", "东城区", "西城区", "南山县", "北川县", "青阳县", "白水县", "临江市", "安平县", "清河县"]
TOPICS = [
    "安全生产",
    "招生入学",
    "养老服务",
    "营商环境",
    "乡村振兴",
    "防汛抗旱",
    "生态环境保护",
    "就业创业",
    "住房保障",
    "食品安全",
    "道路运输",
    "政务公开",
    "森林防火",
    "社会救助",
]
TITLES = [
    "{s}召开{t}工作推进会",
    "{s}扎实推进{t}工作",
    "{s}开展{t}督查检查",
    "{s}部署{t}专项行动",
    "{s}{t}工作取得阶段性成效",
]
DOCUMENT_TITLES = [
    "关于印发《{t}实施方案》的通知",
    "关于做好{t}有关工作的通知",
    "关于进一步加强{t}工作的意见",
    "关于开展{t}专项整治行动的通告",
]
SENTENCES = [
    "为深入贯彻落实上级决策部署，切实做好{t}工作，结合本地实际，制定本方案。",
    "{s}高度重视{t}工作，成立工作专班，明确责任分工，细化工作措施，确保各项任务按时完成。",
    "各县（市、区）人民政府、市直各单位要提高思想认识，加强组织领导，确保各项任务落到实处。",
    "截至{m}月底，全市共完成{t}项目{n}个，完成投资{n}亿元，同比增长{m}.{d}%。",
    "{s}在{t}方面积极探索，形成了一批可复制可推广的经验做法，得到群众广泛认可。",
    "下一步，将持续加大{t}工作力度，不断提升人民群众的获得感、幸福感、安全感。",
    "会议要求，要压实属地责任、部门责任和主体责任，加强督促检查，对工作不力的严肃问责。",
    "请各单位于{m}月{d}日前将工作开展情况报送{s}办公室，联系电话：0771-{n}{n}。",
]
# The reference article: the same text on every site and on the plain Wagtail page (~3,000 characters).
REFERENCE_TITLE = "关于做好2026年安全生产工作的通知"
REFERENCE_SUMMARY = "会议部署了2026年安全生产重点工作，要求压实责任、防范化解重大安全风险。"


def _paragraphs(rng, site, topic, count):
    def fill(sentence):
        return sentence.format(s=site, t=topic, m=rng.randint(1, 12), d=rng.randint(1, 28), n=rng.randint(10, 999))

    return "".join("<p>" + "".join(fill(rng.choice(SENTENCES)) for _ in range(4)) + "</p>" for _ in range(count))


REFERENCE_BODY = _paragraphs(random.Random(1), "江城市应急管理局", "安全生产", 20)


def site_name(index):
    if index == 0:
        return "江城市人民政府"
    department = DEPARTMENTS[(index - 1) % len(DEPARTMENTS)]
    place = PLACES[((index - 1) // len(DEPARTMENTS)) % len(PLACES)]
    round_ = (index - 1) // (len(DEPARTMENTS) * len(PLACES))
    return f"{place}{department}" + (f"（{round_ + 1}）" if round_ else "")


def site_code(index):
    return "portal" if index == 0 else f"dept{index:03d}"


def host_of(index):
    return f"{site_code(index)}.{DOMAIN}"


# --- Processes ------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_url():
    """The machine's Redis on loopback, as production would use it, else None (per-worker caches)."""
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    if url == "none":
        return None
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        return url
    except Exception:  # noqa: BLE001 - any failure means: no Redis here
        return None


def http_get(port, host, path, timeout=10):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback only
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def wait_until_serving(name, port, host, path, process, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}; see {WORK}")
        try:
            status, _, _ = http_get(port, host, path, timeout=5)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{name} did not answer 200 on {path} within {seconds} s; see {WORK}")


class Servers:
    """Every process the bench starts, stopped again by ``stop`` (also on error and Ctrl-C)."""

    def __init__(self):
        self.processes = []  # (name, Popen, stop signal)
        self.logs = []  # files whose new 5xx lines a run counts

    def start(self, name, command, env=None, stop_signal=signal.SIGINT, access_log=None, cwd=ROOT):
        out = open(access_log or WORK / f"{name}.out", "ab")  # noqa: SIM115 - closed with the process
        err = open(WORK / f"{name}.err", "ab")  # noqa: SIM115
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        out.close()
        err.close()
        self.processes.append((name, process, stop_signal))
        return process

    def stop(self):
        for _name, process, stop_signal in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(stop_signal)
        for _name, process, _ in reversed(self.processes):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self.processes.clear()


servers = Servers()


def logged_since(offsets):
    """(5xx responses, {log: lines}) logged since ``offsets`` (nginx logs only 5xx; gunicorn every request)."""
    total, lines = 0, {}
    for path, offset in offsets.items():
        with open(path, "rb") as handle:
            handle.seek(offset)
            data = handle.read()
        lines[path.name] = data.count(b"\n")
        if path.name == "nginx-5xx.log":
            total += lines[path.name]
        else:
            total += len(re.findall(rb'"status": "5\d\d"', data))
    return total, lines


def settle(quiet=0.5, limit=60):
    """Wait until the servers have answered what wrk left behind (bounded).

    A sync gunicorn worker still serves the requests queued on connections wrk closed at the end
    of a run; without this, the next run would start behind that backlog.
    """
    deadline = time.monotonic() + limit
    sizes = None
    while time.monotonic() < deadline:
        now = {path: path.stat().st_size for path in servers.logs if path.exists()}
        if now == sizes:
            return
        sizes = now
        time.sleep(quiet)


def log_offsets():
    return {path: path.stat().st_size if path.exists() else 0 for path in servers.logs}


LUA = r"""
-- Rotates over "host path" lines of the file given after --; done() prints one JSON line.
-- With BENCH_COUNT_MISSES=1 (warm-ups only: a response hook slows wrk down) it also counts
-- responses carrying "X-Cache: MISS".
local targets = {}
local counter = 0
local threads = {}
misses = 0
function setup(thread)
  thread:set("thread_id", tostring(thread))
  table.insert(threads, thread)
end
function init(args)
  for line in io.lines(args[1]) do
    local host, path = line:match("^(%S+)%s+(%S+)$")
    if host then targets[#targets + 1] = {host, path} end
  end
  local seed = 0
  for i = 1, #thread_id do seed = (seed * 31 + thread_id:byte(i)) % 2147483647 end
  math.randomseed(seed)
  counter = math.random(#targets) - 1
end
function request()
  counter = counter % #targets + 1
  local target = targets[counter]
  return wrk.format("GET", target[2], {Host = target[1]})
end
if os.getenv("BENCH_COUNT_MISSES") == "1" then
  function response(status, headers, body)
    if headers["X-Cache"] == "MISS" then misses = misses + 1 end
  end
end
function done(summary, latency, requests)
  local e = summary.errors
  local missed = 0
  for _, thread in ipairs(threads) do missed = missed + (thread:get("misses") or 0) end
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "non2xx3xx": %d, "connect": %d, ' ..
    '"read": %d, "write": %d, "timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "misses": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.write, e.timeout,
    math.floor(latency:percentile(50)), math.floor(latency:percentile(95)), math.floor(latency:percentile(99)),
    missed))
end
"""

results = []  # every measured run, for the summary
failures = []


def run_wrk(label, port, targets, duration=None, record=True, count_misses=False):
    """One bounded wrk run against 127.0.0.1:port over ``targets`` [(host, path)]."""
    duration = duration or args.duration
    target_file = WORK / f"targets-{len(results)}-{int(time.monotonic() * 1000)}.txt"
    target_file.write_text("".join(f"{host} {path}\n" for host, path in targets), encoding="utf-8")
    connections = max(args.connections, args.threads)
    command = [WRK, f"-t{args.threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s"]
    command += ["-s", str(WORK / "rotate.lua"), f"http://127.0.0.1:{port}", "--", str(target_file)]
    offsets = log_offsets()
    env = dict(os.environ, BENCH_COUNT_MISSES="1" if count_misses else "0")
    completed = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=False, env=env)
    target_file.unlink()
    settle()
    match = re.search(r"^WRKJSON (.*)$", completed.stdout, re.M)
    if completed.returncode != 0 or not match:
        raise RuntimeError(f"wrk failed on {label}: {completed.stdout}\n{completed.stderr}")
    data = json.loads(match.group(1))
    logged = logged_since(offsets)
    seconds = data["duration_us"] / 1e6
    run = {
        "label": label,
        "rps": data["requests"] / seconds if seconds else 0.0,
        "p50": data["p50_us"] / 1000,
        "p95": data["p95_us"] / 1000,
        "requests": data["requests"],
        "kb": data["bytes"] / max(data["requests"], 1) / 1024,
        "5xx": logged[0],
        "served": logged[1],
        "non2xx3xx": data["non2xx3xx"],
        "socket": data["connect"] + data["read"] + data["write"] + data["timeout"],
        "misses": data["misses"],
    }
    if record:
        results.append(run)
        flag = ""
        if run["5xx"]:
            flag = f"   FAIL: {run['5xx']} responses were 5xx"
            failures.append(f"{label}: {run['5xx']} × 5xx")
        elif run["non2xx3xx"] or run["socket"]:
            flag = "   (non-2xx/3xx or socket errors: see the columns)"
        print(
            f"  {label:<44} {run['rps']:>9,.0f} req/s  p50 {run['p50']:>7.2f} ms  p95 {run['p95']:>7.2f} ms  "
            f"5xx {run['5xx']:>3}  non-2xx/3xx {run['non2xx3xx']:>4}  socket err {run['socket']:>3}  "
            f"{run['kb']:5.1f} KB{flag}",
            flush=True,
        )
    return run


def warm(label, port, targets, cache=True, limit=90):
    """Warm the workers: one round; for a page cache, rounds until no response is a MISS.

    The page cache is per worker (LocMemCache without REDIS_URL), so every worker must miss every
    URL once. Bounded by ``limit`` seconds; returns the misses of the last round.
    """
    deadline = time.monotonic() + limit
    while True:
        run = run_wrk(label, port, targets, duration=2, record=False, count_misses=cache)
        if not cache or run["misses"] == 0 or time.monotonic() > deadline:
            return run["misses"]


def database_counters(name, before=None, run=None, log=None):
    """pg_stat_database's transactions and sessions of ``name``; with ``before``: per request of ``run``
    (counted in the server's access log ``log``: it includes requests wrk left queued at the end)."""
    from django.db import connection as db

    time.sleep(0.6)  # a backend's statistics reach the shared counters within about a second of its exit
    with db.cursor() as cursor:
        cursor.execute("SELECT xact_commit + xact_rollback, sessions FROM pg_stat_database WHERE datname = %s", [name])
        now = cursor.fetchone()
    if before is None:
        return now
    requests = max(run["served"].get(log, run["requests"]), 1)
    return ((now[0] - before[0]) / requests, (now[1] - before[1]) / requests)


def div(a, b):
    return a / b if b else float("inf")


def ratio_line(name, value, target, ok, detail):
    verdict = "ok" if ok else "MISSED"
    print(f"  {name:<58} {value:>8}   target {target:<10} {verdict:<6}  {detail}", flush=True)
    return ok


def site_spec(index):
    from sites.provisioning import SiteSpec

    name = site_name(index)
    return SiteSpec(
        code=site_code(index),
        name=name,
        kind="portal" if index == 0 else "department",
        parent=None if index == 0 else "portal",
        domain=host_of(index),
        details={"org_code": f"0142{index:05d}", "sponsor": name, "site_identifier": f"44010{index:05d}"},
    )


def provision_site(index):
    """Create site ``index`` and publish its content; returns its URLs by kind (runs in a child too)."""
    from django.db import connection as db
    from django.utils import timezone

    from sites.provisioning import create_site
    from tests.cms import content

    rng = random.Random(index)
    name, host = site_name(index), host_of(index)
    tenant = create_site(site_spec(index))
    urls = {"home": [(host, "/")], "column": [], "article": [], "disclosure": [], "reference": []}
    db.set_tenant(tenant)
    try:
        news = content.column("yw" if index == 0 else "gzdt")
        for number in range(args.articles):
            if number == 0:
                title, summary, body = REFERENCE_TITLE, REFERENCE_SUMMARY, REFERENCE_BODY
            else:
                topic = rng.choice(TOPICS)
                title = rng.choice(TITLES).format(s=name, t=topic)
                summary = f"{name}{topic}工作情况。"
                body = _paragraphs(rng, name, topic, rng.randint(4, 10))
            page = content.article(news, title=title, summary=summary, body=body, source="办公室")
            urls["article"].append((host, page.url))
            if number == 0:
                urls["reference"].append((host, page.url))
        documents = content.column("fdzdgk")
        year = timezone.localtime().year
        for number in range(args.documents):
            topic = rng.choice(TOPICS)
            page = content.disclosure(
                documents,
                title=rng.choice(DOCUMENT_TITLES).format(t=topic),
                document_number=f"江{DEPARTMENTS[index % len(DEPARTMENTS)][:1]}发〔{year}〕{number + 1}号",
                keywords=topic,
                body=_paragraphs(rng, name, topic, rng.randint(3, 8)),
            )
            urls["disclosure"].append((host, page.url))
        for slug in ("yw" if index == 0 else "gzdt", "tzgg", "fdzdgk"):
            urls["column"].append((host, content.column(slug).url))
    finally:
        db.set_schema_to_public()
    return urls


def provision_light_site(index):
    """A site for the many-sites figure: provisioned like any other, with the reference article only."""
    from django.db import connection as db

    from sites.provisioning import create_site
    from tests.cms import content

    host = host_of(index)
    tenant = create_site(site_spec(index))
    db.set_tenant(tenant)
    try:
        page = content.article(
            content.column("gzdt"), title=REFERENCE_TITLE, summary=REFERENCE_SUMMARY, body=REFERENCE_BODY
        )
        return (host, page.url)
    finally:
        db.set_schema_to_public()


def export_code(code):
    """Write one site's static output (runs in a child too); returns the number of pages."""
    from publishing.catalogue.static_output import export_site
    from sites.models import Tenant

    return export_site(Tenant.objects.get(code=code))


# --- The run ------------------------------------------------------------------------------------------

os.environ["CMS_TEST_DB"] = DB_NAME
os.environ.setdefault("CMS_STATIC_OUTPUT_DIR", str(WORK / "static-output"))
connection = None
old_name = None
publisher = None
plain_seed = None
try:
    WORK.mkdir(parents=True)
    (WORK / "rotate.lua").write_text(LUA, encoding="utf-8")
    log(f"database {DB_NAME} and output under {WORK.relative_to(ROOT)}")
    redis = redis_url()
    if redis:  # this process publishes: its purges must reach gunicorn's cache
        os.environ.update(CMS_BENCH_REDIS_URL=redis, CMS_CACHE_KEY_PREFIX=f"bench-load-{os.getpid()}")
    connection = _django.setup(DB_NAME)
    old_name = connection.settings_dict["NAME"]

    from django.conf import settings
    from django.db import connection as db

    settings.CMS_STATIC_OUTPUT_DIR = WORK / "static-output"
    db_settings = connection.settings_dict
    db_host = quote(db_settings.get("HOST") or "localhost", safe="")
    db_auth = quote(db_settings.get("USER") or "postgres", safe="")
    if db_settings.get("PASSWORD"):
        db_auth += ":" + quote(db_settings["PASSWORD"], safe="")
    db_port = f":{db_settings['PORT']}" if db_settings.get("PORT") else ""
    database_url = f"postgres://{db_auth}@{db_host}{db_port}/{DB_NAME}"
    plain_database_url = f"postgres://{db_auth}@{db_host}{db_port}/{PLAIN_DB_NAME}"
    with db.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{PLAIN_DB_NAME}" WITH (FORCE)')

    # The plain Wagtail baseline migrates its own database meanwhile (a second process).
    plain_env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="plain_wagtail.settings",
        PYTHONPATH=os.pathsep.join([str(ROOT / "bench"), str(ROOT)]),  # ROOT: gunicorn.conf.py's logger
        PLAIN_DATABASE_URL=plain_database_url,
        PLAIN_MEDIA_ROOT=str(WORK / "plain-media"),
        ALLOWED_HOSTS=f"{PLAIN_HOST},127.0.0.1",
        SECRET_KEY=secrets.token_urlsafe(50),  # a fresh key each run: production refuses known ones
        CMS_PERSONAL_DATA_KEYS=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),  # a Fernet key
    )
    plain_spec = WORK / "plain.json"
    plain_spec.write_text(
        json.dumps(
            {
                "host": PLAIN_HOST,
                "site_name": "江城市交通运输局",
                "columns": [
                    ["概况信息", "gkxx"],
                    ["机构职能", "jgzn"],
                    ["负责人信息", "fzrxx"],
                    ["政务动态", "zwdt"],
                    ["通知公告", "tzgg"],
                    ["政策文件", "zcwj"],
                    ["政府信息公开", "xxgk"],
                    ["办事服务", "bsfw"],
                    ["互动交流", "hdjl"],
                ],
                "article_column": "zwdt",
                "article": {
                    "title": REFERENCE_TITLE,
                    "source": "办公室",
                    "summary": REFERENCE_SUMMARY,
                    "body": REFERENCE_BODY,
                },
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    plain_seed = subprocess.Popen(
        [sys.executable, "-m", "plain_wagtail.seed", str(plain_spec)],
        env=plain_env,
        cwd=ROOT / "bench",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    from publishing.catalogue.static_output import refresh_item
    from sites.bootstrap import bootstrap
    from sites.models import Tenant
    from tests.cms import content

    log("migrating the public and template schemas …")
    bootstrap(step=lambda text: None)
    rng = random.Random(20260301)
    pages = {"home": [], "column": [], "article": [], "disclosure": [], "reference": []}
    log(f"provisioning {args.sites} sites with {args.articles} articles and {args.documents} documents each …")
    provision_started = time.monotonic()
    # The portal first (the departments' parent), then the departments on every core.
    site_pages = [provision_site(0)]
    db.close()  # never share a connection with forked children
    # Twice the cores: each child waits on PostgreSQL about as long as it computes.
    processes = min(2 * multiprocessing.cpu_count(), args.sites - 1)
    pool = multiprocessing.get_context("fork").Pool(processes)
    try:
        for done, result in enumerate(pool.imap(provision_site, range(1, args.sites)), start=2):
            site_pages.append(result)
            if done % 25 == 0 or done == args.sites:
                log(f"  {done} sites")
        provision_seconds = time.monotonic() - provision_started
        light_started = time.monotonic()
        many_references = []
        if args.many > args.sites:
            log(f"provisioning {args.many - args.sites} more sites (home and the reference article) …")
            for done, result in enumerate(
                pool.imap(provision_light_site, range(args.sites, args.many)), args.sites + 1
            ):
                many_references.append(result)
                if done % 50 == 0 or done == args.many:
                    log(f"  {done} sites")
        light_seconds = time.monotonic() - light_started
        log("exporting static output …")
        export_started = time.monotonic()
        exported = sum(pool.map(export_code, [site_code(index) for index in range(args.sites)], chunksize=1))
        export_seconds = time.monotonic() - export_started
        log(f"  {exported} pages in {export_seconds:.0f} s")
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
    for result in site_pages:
        for kind, urls in result.items():
            pages[kind].extend(urls)
    many_references = pages["reference"] + many_references
    tenants = list(Tenant.objects.filter(code__in=[site_code(index) for index in range(args.sites)]).order_by("code"))
    tenants.sort(key=lambda tenant: tenant.code != "portal")
    assert [tenant.code for tenant in tenants] == [site_code(index) for index in range(args.sites)]

    stdout, stderr = plain_seed.communicate(timeout=600)
    if plain_seed.returncode != 0:
        raise RuntimeError(f"plain Wagtail set-up failed:\n{stderr}")
    plain_path = stdout.strip().splitlines()[-1]

    # --- Servers --------------------------------------------------------------------------------
    app_env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        CMS_CONN_MAX_AGE="60",
        CMS_CACHE_KEY_PREFIX=f"bench-load-{os.getpid()}",
        SECRET_KEY=secrets.token_urlsafe(50),  # a fresh key each run: production refuses known ones
        CMS_PERSONAL_DATA_KEYS=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),  # a Fernet key
        DATABASE_URL=database_url,
        ALLOWED_HOSTS=f".{DOMAIN},127.0.0.1",
        CMS_CLUSTER_HOST=settings.CMS_CLUSTER_HOST,
        CMS_MEDIA_ROOT=str(WORK / "media"),
        # Every request comes from 127.0.0.1: the per-IP search limit would answer 429.
        CMS_SEARCH_RATE_LIMIT="0",
        GUNICORN_WORKERS=str(args.workers),
        GUNICORN_LOG_LEVEL="warning",
    )
    app_env.pop("CMS_TEST_DB", None)
    if redis:
        app_env["REDIS_URL"] = redis  # production's shape: shared cache, per-process copies
    else:
        app_env.pop("REDIS_URL", None)
    gunicorn = [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")]
    ports = {name: free_port() for name in ("cached", "uncached", "plain", "nginx", "direct")}
    started = {}
    for name, seconds in (("cached", "86400"), ("uncached", "0")):
        env = dict(app_env, CMS_PAGE_CACHE_SECONDS=seconds, GUNICORN_BIND=f"127.0.0.1:{ports[name]}")
        access = WORK / f"gunicorn-{name}.log"
        started[name] = servers.start(f"gunicorn-{name}", gunicorn + ["cms.wsgi"], env=env, access_log=access)
        servers.logs.append(access)
    plain_env.update(GUNICORN_BIND=f"127.0.0.1:{ports['plain']}", GUNICORN_WORKERS=str(args.workers))
    plain_env["CMS_CONN_MAX_AGE"] = "60"  # as the cluster's production settings
    plain_env["GUNICORN_LOG_LEVEL"] = "warning"
    access = WORK / "gunicorn-plain.log"
    started["plain"] = servers.start(
        "gunicorn-plain", gunicorn + ["plain_wagtail.wsgi"], env=plain_env, access_log=access, cwd=ROOT / "bench"
    )
    servers.logs.append(access)

    # nginx: the cluster's site configuration, plus a plain location serving one file's directory.
    reference_host, reference_path = pages["reference"][1]  # a department's reference article
    reference_dir = WORK / "static-output" / reference_host / reference_path.strip("/")
    assert (reference_dir / "index.html").exists(), reference_dir
    site_conf = (ROOT / "docker" / "nginx" / "cluster.conf").read_text(encoding="utf-8")
    site_conf = site_conf.replace("server app:8000;", f"server 127.0.0.1:{ports['cached']};")
    site_conf = site_conf.replace("listen 80 default_server;", f"listen 127.0.0.1:{ports['nginx']} default_server;")
    site_conf = site_conf.replace("/srv/static-output", str(WORK / "static-output"))
    site_conf = site_conf.replace("/srv/media/", f"{WORK}/media/").replace("/srv/static/", f"{settings.STATIC_ROOT}/")
    assert str(ports["cached"]) in site_conf and str(WORK) in site_conf, "docker/nginx/cluster.conf changed shape"
    site_conf += (
        f"\nserver {{\n    listen 127.0.0.1:{ports['direct']};\n"
        f"    location / {{\n        root {reference_dir};\n    }}\n}}\n"
    )
    (WORK / "site.conf").write_text(site_conf, encoding="utf-8")
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    (WORK / "nginx.conf").write_text(
        f"{user}worker_processes auto;\npid {WORK}/nginx.pid;\nerror_log {WORK}/nginx-error.log;\n"
        "daemon off;\nevents { worker_connections 1024; }\n"
        "http {\n  sendfile on;\n  tcp_nopush on;\n  access_log off;\n"
        # As cluster.conf sets for its server: the plain location (b) gets the same file cache.
        "  open_file_cache max=20000 inactive=60s;\n  open_file_cache_valid 1s;\n  open_file_cache_errors on;\n"
        "  map $status $is_5xx { ~^5 1; default 0; }\n  log_format status '$status $host $request_uri';\n"
        f"  access_log {WORK}/nginx-5xx.log status if=$is_5xx;\n"
        f"  client_body_temp_path {WORK}/nginx-body;\n  proxy_temp_path {WORK}/nginx-proxy;\n"
        f"  include /etc/nginx/mime.types;\n  include {WORK}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    (WORK / "nginx-5xx.log").touch()
    servers.logs.append(WORK / "nginx-5xx.log")
    check = subprocess.run(
        [NGINX, "-t", "-p", str(WORK), "-c", str(WORK / "nginx.conf")], capture_output=True, text=True
    )
    if check.returncode != 0:
        raise RuntimeError(f"nginx -t: {check.stderr}")
    started["nginx"] = servers.start(
        "nginx", [NGINX, "-p", str(WORK), "-c", str(WORK / "nginx.conf")], stop_signal=signal.SIGQUIT
    )
    log(
        f"starting gunicorn ×3 ({args.workers} workers each) and nginx; page cache in "
        + (f"Redis ({redis}) with per-process copies" if redis else "each worker's memory (no Redis found)")
        + " …"
    )
    wait_until_serving("gunicorn (cached)", ports["cached"], reference_host, "/healthz", started["cached"])
    wait_until_serving("gunicorn (uncached)", ports["uncached"], reference_host, "/healthz", started["uncached"])
    wait_until_serving("gunicorn (plain Wagtail)", ports["plain"], PLAIN_HOST, plain_path, started["plain"])
    wait_until_serving("nginx", ports["nginx"], reference_host, reference_path, started["nginx"])

    # The same page, four ways: check they are the same article before timing them.
    for port, host, path in (
        (ports["nginx"], reference_host, reference_path),
        (ports["direct"], "localhost", "/index.html"),
        (ports["cached"], reference_host, reference_path),
        (ports["uncached"], reference_host, reference_path),
        (ports["plain"], PLAIN_HOST, plain_path),
    ):
        status, body, _ = http_get(port, host, path)
        assert status == 200 and REFERENCE_TITLE in body.decode(), (port, host, path, status)

    # --- Routes while publishing goes on -----------------------------------------------------------
    search_terms = ["安全生产", "招生入学", "养老服务", "营商环境", "政务公开", "乡村振兴 工作", "道路运输", "通知"]
    search_targets = [
        (host_of(index), f"/api/search/?q={quote(term)}")
        for index in range(args.sites)
        for term in rng.sample(search_terms, 2)
    ]

    class Publisher(threading.Thread):
        """Publishes an article on a random site every ``interval`` seconds, as an editor would,
        and rewrites the article's and its lists' static output, as the outbox engine does."""

        def __init__(self, interval, limit):
            super().__init__(daemon=True)
            self.interval, self.limit = interval, limit
            self.stopping = threading.Event()
            self.seconds = []
            self.error = None

        def run(self):
            rng = random.Random(7)
            try:
                while not self.stopping.is_set() and len(self.seconds) < self.limit:
                    began = time.monotonic()
                    index = rng.randrange(len(tenants))
                    tenant = tenants[index]
                    db.set_tenant(tenant)
                    topic = rng.choice(TOPICS)
                    news = content.column("yw" if index == 0 else "gzdt")
                    title = f"{rng.choice(TITLES).format(s=tenant.name, t=topic)}（{len(self.seconds) + 1}）"
                    page = content.article(
                        news,
                        title=title,
                        summary=f"{tenant.name}{topic}工作情况。",
                        body=_paragraphs(rng, tenant.name, topic, 6),
                    )
                    db.set_schema_to_public()
                    refresh_item(tenant, page.pk)
                    self.seconds.append(time.monotonic() - began)
                    self.stopping.wait(max(0.0, self.interval - (time.monotonic() - began)))
            except Exception as error:  # reported by the main thread
                self.error = error
            finally:
                db.close()

    route_runs = [
        ("home", "nginx", ports["nginx"], pages["home"]),
        ("column lists", "nginx", ports["nginx"], pages["column"]),
        ("articles", "nginx", ports["nginx"], pages["article"]),
        ("disclosure documents", "nginx", ports["nginx"], pages["disclosure"]),
        ("search /api/search/", "nginx→gunicorn", ports["nginx"], search_targets),
        # What every page costs the application when neither static output nor the cache answers.
        ("home", "gunicorn, uncached", ports["uncached"], pages["home"]),
        ("column lists", "gunicorn, uncached", ports["uncached"], pages["column"]),
        ("articles", "gunicorn, uncached", ports["uncached"], pages["article"]),
        ("disclosure documents", "gunicorn, uncached", ports["uncached"], pages["disclosure"]),
    ]
    publisher = Publisher(args.publish_every, limit=int(len(route_runs) * (args.duration + 5) / args.publish_every))
    log(f"load average before measuring: {os.getloadavg()[0]:.1f} on {multiprocessing.cpu_count()} cores")
    print(
        f"\nRoutes across {args.sites} sites while publishing (wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration}s; one article published every {args.publish_every:g} s on a random site):",
        flush=True,
    )
    # First requests of a fresh worker import and compile templates: warm every worker first.
    warm("warm-up", ports["uncached"], pages["home"] + pages["column"] + pages["article"] + pages["disclosure"], False)
    warm("warm-up", ports["nginx"], search_targets, cache=False)
    route_results = []
    publisher.start()
    for route, via, port, targets in route_runs:
        route_results.append(run_wrk(f"{route} [{via}] ({len(targets)} URLs)", port, targets))
        if publisher.error:
            raise RuntimeError(f"publishing failed: {publisher.error!r}")
    publisher.stopping.set()
    publisher.join(timeout=60)
    if publisher.error:
        raise RuntimeError(f"publishing failed: {publisher.error!r}")
    published = len(publisher.seconds)
    print(
        f"  published meanwhile: {published} articles (median {statistics.median(publisher.seconds) * 1000:.0f} ms "
        f"each, static output included)"
        if published
        else "  published meanwhile: none",
        flush=True,
    )

    # An editor publishes (in another process): is the article in its list at once, as nginx (static
    # output, rewritten by the outbox) and as gunicorn's page cache serve it?
    probe = tenants[1]
    probe_host = host_of(1)
    db.set_tenant(probe)
    probe_column = content.column("gzdt")
    probe_path = probe_column.url
    db.set_schema_to_public()
    for _ in range(4 * args.workers):  # cache the list in (nearly) every worker
        http_get(ports["cached"], probe_host, probe_path)
    db.set_tenant(probe)
    probe_title = "关于公布2026年第一批政务服务事项清单的通知（新闻检查）"
    probe_page = content.article(content.column("gzdt"), title=probe_title, summary="", body=REFERENCE_BODY[:400])
    db.set_schema_to_public()
    refresh_item(probe, probe_page.pk)
    # nginx rechecks open files after 1 s (open_file_cache_valid); gunicorn's processes reread the
    # purge counter after CMS_PAGE_CACHE_RECHECK (1 s).
    time.sleep(1.2)
    shown = {}
    for name in ("nginx", "cached"):
        bodies = [http_get(ports[name], probe_host, probe_path)[1].decode() for _ in range(2 * args.workers)]
        shown[name] = (sum(probe_title in body for body in bodies), len(bodies))
    print(
        f"  a new article in its list 1.2 s after publishing: nginx (static output) "
        f"{shown['nginx'][0]}/{shown['nginx'][1]} responses, gunicorn page cache {shown['cached'][0]}/{shown['cached'][1]}",
        flush=True,
    )
    if shown["cached"][0] < shown["cached"][1]:
        print(
            "  NOTE: gunicorn answered from a stale page cache"
            + (
                ": a process's copy outlived CMS_PAGE_CACHE_RECHECK."
                if redis
                else ": without REDIS_URL each worker has its own\n"
                "        cache (LocMemCache), and a publish in another process purges none of them (which is why\n"
                "        production caches no pages without REDIS_URL unless CMS_PAGE_CACHE_SECONDS is set, as here)."
            ),
            flush=True,
        )

    # --- Side by side --------------------------------------------------------------------------------
    print(f"\nThe same article ({reference_host}{reference_path}), publishing stopped:", flush=True)
    reference = [(reference_host, reference_path)]
    plain_reference = [(PLAIN_HOST, plain_path)]
    warm("(c) warm-up", ports["cached"], reference)
    warm("(d) warm-up", ports["uncached"], reference, cache=False)
    warm("(e) warm-up", ports["plain"], plain_reference, cache=False)
    warm("(f) warm-up", ports["cached"], many_references)
    # Each round runs every case once, in a rotated order; the figures are the medians over rounds,
    # so a burst of other work on the machine moves one round, not one side of a ratio.
    cases = {
        "a": ("(a) nginx, static output (cluster.conf)", ports["nginx"], reference, None),
        "b": ("(b) nginx, the file from a plain location", ports["direct"], [("localhost", "/index.html")], None),
        "c": ("(c) gunicorn, warm page cache", ports["cached"], reference, (DB_NAME, "gunicorn-cached.log")),
        "d": ("(d) gunicorn, page cache off", ports["uncached"], reference, (DB_NAME, "gunicorn-uncached.log")),
        "e": (
            "(e) plain single-site Wagtail, gunicorn",
            ports["plain"],
            plain_reference,
            (PLAIN_DB_NAME, "gunicorn-plain.log"),
        ),
        "f1": ("(f) gunicorn, page cache, 1 site", ports["cached"], reference, None),
        "fm": (f"(f) gunicorn, page cache, {len(many_references)} sites", ports["cached"], many_references, None),
    }
    measured = {key: [] for key in cases}
    database = {key: [] for key in cases}
    order = list(cases)
    for round_ in range(args.rounds):
        print(f"  round {round_ + 1} of {args.rounds}:", flush=True)
        for key in order[round_ % len(order) :] + order[: round_ % len(order)]:
            label, port, targets, counted = cases[key]
            before = database_counters(counted[0]) if counted else None
            run = run_wrk(label, port, targets)
            measured[key].append(run)
            if counted:
                database[key].append(database_counters(counted[0], before, run, counted[1]))

    def median_run(key):
        runs = measured[key]
        return {
            "rps": statistics.median(run["rps"] for run in runs),
            "p50": statistics.median(run["p50"] for run in runs),
            "p95": statistics.median(run["p95"] for run in runs),
        }

    static, direct, cached, uncached, plain, cached_one, cached_all = (
        median_run(key) for key in ("a", "b", "c", "d", "e", "f1", "fm")
    )
    cached_db, uncached_db, plain_db = (
        tuple(statistics.median(values) for values in zip(*database[key], strict=True)) for key in ("c", "d", "e")
    )
    uncached_all = run_wrk(f"(d') gunicorn, page cache off, {args.sites} sites", ports["uncached"], pages["reference"])
    print(f"\nMedians over {args.rounds} rounds:", flush=True)
    for key, run in zip(
        ("a", "b", "c", "d", "e", "f1", "fm"),
        (static, direct, cached, uncached, plain, cached_one, cached_all),
        strict=True,
    ):
        print(
            f"  {cases[key][0]:<44} {run['rps']:>9,.0f} req/s  p50 {run['p50']:>7.2f} ms  p95 {run['p95']:>7.2f} ms",
            flush=True,
        )

    print("\nRatios:", flush=True)
    met = [
        ratio_line(
            "static output / nginx serving the file directly",
            f"{div(static['rps'], direct['rps']):.2f}x",
            ">= 0.9x",
            static["rps"] >= 0.9 * direct["rps"],
            f"{static['rps']:,.0f} vs {direct['rps']:,.0f} req/s",
        ),
        ratio_line(
            "gunicorn warm page cache / nginx static output",
            f"1/{div(static['rps'], cached['rps']):.1f}",
            ">= 1/12",
            cached["rps"] * 12 >= static["rps"],
            f"{cached['rps']:,.0f} vs {static['rps']:,.0f} req/s",
        ),
        ratio_line(
            "tenant machinery: cluster uncached vs plain Wagtail",
            f"{(div(plain['rps'], uncached['rps']) - 1) * 100:+.0f}%",
            "<= 10%",
            uncached["rps"] * 1.10 >= plain["rps"],
            f"{'slower' if plain['rps'] > uncached['rps'] else 'faster'}; cluster {uncached['rps']:,.0f} vs plain "
            f"{plain['rps']:,.0f} req/s, "
            f"p50 {uncached['p50']:.1f} vs {plain['p50']:.1f} ms",
        ),
        ratio_line(
            f"cached p95, {len(many_references)} sites / 1 site",
            f"{div(cached_all['p95'], cached_one['p95']):.2f}x",
            "<= 1.15x",
            cached_all["p95"] <= 1.15 * cached_one["p95"],
            f"{cached_all['p95']:.2f} vs {cached_one['p95']:.2f} ms",
        ),
    ]
    print(f"  targets met: {sum(met)} of {len(met)}", flush=True)
    print(
        "  (for reference) database per request, transactions (≈ statements) / connections: "
        f"(c) {cached_db[0]:.1f} / {cached_db[1]:.2f}, (d) {uncached_db[0]:.1f} / {uncached_db[1]:.2f}, "
        f"(e) {plain_db[0]:.1f} / {plain_db[1]:.2f}",
        flush=True,
    )
    print(
        f"  (for reference) page cache on / off: {div(cached['rps'], uncached['rps']):.0f}x; uncached over "
        f"{args.sites} sites / 1 site: {div(uncached_all['rps'], uncached['rps']):.2f}x throughput",
        flush=True,
    )
    print(
        f"\nSet-up: {args.sites} sites provisioned with content in {provision_seconds:.0f} s, "
        f"{args.many - args.sites} more with one article in {light_seconds:.0f} s, "
        f"{exported} pages exported in {export_seconds:.0f} s; whole run {time.monotonic() - STARTED:.0f} s; "
        f"load average {os.getloadavg()[0]:.1f} on {multiprocessing.cpu_count()} cores (other work skews every figure).",
        flush=True,
    )
    if failures:
        print("\nFAIL: 5xx responses — " + "; ".join(failures), flush=True)
    else:
        print("\n5xx responses: 0 in every run.", flush=True)
except KeyboardInterrupt:
    print("\ninterrupted: cleaning up …", flush=True)
finally:
    if publisher is not None and publisher.is_alive():
        publisher.stopping.set()
        publisher.join(timeout=60)
    if plain_seed is not None and plain_seed.poll() is None:
        plain_seed.kill()
        plain_seed.wait(timeout=10)
    servers.stop()
    if redis_url():
        import redis as redis_client

        store = redis_client.Redis.from_url(redis_url())
        for key in store.scan_iter(match=f"*:bench-load-{os.getpid()}:*", count=1000):
            store.delete(key)
    if connection is not None and old_name is not None:
        from django.db import connection as db

        db.set_schema_to_public()
        with db.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{PLAIN_DB_NAME}" WITH (FORCE)')
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [DB_NAME],
            )
        _django.teardown(connection, old_name)
    if args.keep_output:
        print(f"kept {WORK}", flush=True)
    else:
        shutil.rmtree(WORK, ignore_errors=True)
    shutil.rmtree(ROOT / "var" / f"test-media-{DB_NAME}", ignore_errors=True)
