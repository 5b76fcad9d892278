"""哀悼模式: scheduled grey periods, on live, cached and static pages, for the cluster or chosen sites."""

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from publishing.catalogue.static_output import export_site
from sites.console.audit_log import action_label
from sites.models import AuditEvent, Role
from themes import mourning
from themes.mourning import MourningPeriod

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
GREY = "filter: grayscale(1)"
LINK = '<link rel="stylesheet" href="/mourning.css">'


def at(text):
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _forget_periods():
    mourning.forget()  # a rolled-back test's periods must not stay in this process's memo
    yield
    mourning.forget()


def sheet(client, code):
    response = client.get("/mourning.css", HTTP_HOST=f"{code}.localhost")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    return response


def is_grey(client, code):
    return GREY in sheet(client, code).content.decode()


@pytest.fixture
def mourning_day():
    """全国哀悼日 2026-12-13, 00:00 to 24:00 Beijing time, for the whole cluster."""
    return mourning.schedule(
        starts_at=at("2026-12-13 00:00:00"), ends_at=at("2026-12-14 00:00:00"), reason="全国哀悼日"
    )


def test_grey_from_the_start_to_the_end_by_itself(client, mourning_day):
    with time_machine.travel(at("2026-12-12 23:59:00"), tick=False):
        assert not is_grey(client, "portal")
        # A browser may keep the sheet 30 s at most, and never past the start.
        assert sheet(client, "portal")["Cache-Control"] == "public, max-age=30"
    with time_machine.travel(at("2026-12-12 23:59:50"), tick=False):
        assert sheet(client, "portal")["Cache-Control"] == "public, max-age=10"
    with time_machine.travel(at("2026-12-13 00:00:00"), tick=False):
        assert is_grey(client, "portal") and is_grey(client, "jtj") and is_grey(client, "jyj")
    with time_machine.travel(at("2026-12-13 23:59:59"), tick=False):
        assert is_grey(client, "portal")
    with time_machine.travel(at("2026-12-14 00:00:00"), tick=False):
        assert not is_grey(client, "portal") and not is_grey(client, "jtj")
    assert MourningPeriod.objects.get().ends_at == at("2026-12-14 00:00:00")  # nobody had to switch it off


def test_every_public_page_links_the_sheet(client):
    for path in ("/", "/zwdt/"):
        assert LINK in client.get(path, HTTP_HOST="jtj.localhost").content.decode(), path


def test_a_page_cached_before_the_start_turns_grey_and_back(client, settings, mourning_day):
    settings.CMS_PAGE_CACHE_SECONDS = 300
    client.get("/", HTTP_HOST="jtj.localhost")
    first = client.get("/", HTTP_HOST="jtj.localhost")
    assert first["X-Cache"] == "HIT" and LINK in first.content.decode()  # cached before the day
    with time_machine.travel(at("2026-12-13 08:00:00"), tick=False):
        assert is_grey(client, "jtj")  # the sheet the cached page links answers grey
    with time_machine.travel(at("2026-12-14 08:00:00"), tick=False):
        assert not is_grey(client, "jtj")
    again = client.get("/", HTTP_HOST="jtj.localhost")
    assert again["X-Cache"] == "HIT" and again.content == first.content  # no purge was ever needed


def test_a_period_set_by_another_process_shows_after_the_recheck_interval(client, settings):
    settings.CMS_PAGE_CACHE_RECHECK = 3600
    assert not is_grey(client, "jtj")  # this process now knows "no period"
    MourningPeriod.objects.create(starts_at=at("2026-01-01 00:00:00"), all_sites=True)  # as another process would
    assert not is_grey(client, "jtj")  # within the interval: what this process read
    settings.CMS_PAGE_CACHE_RECHECK = 0  # the interval is over
    assert is_grey(client, "jtj")


def test_static_output_needs_no_export_at_the_start_or_the_end(client, settings, tmp_path, cluster, mourning_day):
    settings.CMS_STATIC_OUTPUT_DIR = tmp_path / "static-output"
    with time_machine.travel(at("2026-12-12 22:00:00"), tick=False):
        export_site(cluster.sites["jtj"])
    index = Path(settings.CMS_STATIC_OUTPUT_DIR) / "jtj.localhost" / "index.html"
    html = index.read_text(encoding="utf-8")
    assert LINK in html
    # No file answers /mourning.css in the output: nginx passes it to the application, which
    # answers by the schedule (docker/nginx/cluster.conf).
    assert not (index.parent / "mourning.css").exists()
    conf = (Path(__file__).resolve().parents[2] / "docker/nginx/cluster.conf").read_text()
    assert "location = /mourning.css {" in conf
    with time_machine.travel(at("2026-12-13 00:00:00"), tick=False):
        assert is_grey(client, "jtj")
    with time_machine.travel(at("2026-12-14 00:00:00"), tick=False):
        assert not is_grey(client, "jtj")
    assert index.read_text(encoding="utf-8") == html  # the same file all along


def test_a_chosen_set_reaches_those_sites_and_no_others(client, cluster):
    mourning.schedule(sites=[cluster.sites["jtj"]], ends_at=at("2099-01-01 00:00:00"))
    assert is_grey(client, "jtj")
    assert not is_grey(client, "jyj") and not is_grey(client, "portal")


def test_switch_off_ends_now_and_cancels_what_is_scheduled(client, cluster):
    running = mourning.schedule()
    later = mourning.schedule(starts_at=at("2099-01-01 00:00:00"), ends_at=at("2099-01-02 00:00:00"))
    assert is_grey(client, "portal")
    assert mourning.switch_off() == 2
    assert not is_grey(client, "portal")
    running.refresh_from_db()
    later.refresh_from_db()
    assert running.ends_at is not None and later.cancelled_at is not None
    assert not MourningPeriod.objects.not_over().exists()


def test_switching_off_some_sites_keeps_the_others(client, cluster):
    mourning.schedule(sites=[cluster.sites["jtj"], cluster.sites["jyj"]])
    mourning.switch_off(sites=[cluster.sites["jtj"]])
    assert not is_grey(client, "jtj") and is_grey(client, "jyj")


def test_the_command(client, cluster, capsys):
    call_command("mourning_mode", "on", "--site", "jtj", "--from", "2026-01-01 00:00", "--until", "2099-01-01 00:00")
    assert is_grey(client, "jtj") and not is_grey(client, "portal")
    call_command("mourning_mode", "status", "--site", "jtj", "portal")
    out = capsys.readouterr().out
    assert "jtj 测试市交通运输局：灰色显示中" in out and "portal 测试市人民政府：正常显示" in out
    assert "进行中：测试市交通运输局 2026-01-01 00:00 至 2099-01-01 00:00" in out
    call_command("mourning_mode", "off")
    assert not is_grey(client, "jtj")
    actions = list(AuditEvent.objects.filter(action__startswith="mourning_").values_list("action", flat=True))
    assert sorted(actions) == ["mourning_ended", "mourning_scheduled"]
    assert action_label("mourning_scheduled") == "开启哀悼模式" and action_label("mourning_ended") == "关闭哀悼模式"


@pytest.mark.parametrize(
    "args, message",
    [
        (["on", "--from", "2026-12-14 00:00", "--until", "2026-12-13 00:00"], "结束时间必须晚于开始时间"),
        (["on", "--until", "2020-01-01 00:00"], "结束时间已经过去"),
        (["on", "--site", "jtj", "nosuch"], "站点不存在：nosuch"),
        (["on", "--from", "2026-13-01 00:00"], "YYYY-MM-DD HH:MM"),
        (["on", "--from", "明天"], "YYYY-MM-DD HH:MM"),
    ],
)
def test_the_command_refuses_bad_input(cluster, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("mourning_mode", *args)
    assert not MourningPeriod.objects.exists()


def test_a_cluster_period_cannot_be_switched_off_for_some_sites(cluster):
    mourning.schedule()
    with pytest.raises(CommandError, match="只能整体关闭"):
        call_command("mourning_mode", "off", "--site", "jtj")


def test_the_web_office_screen(client, cluster):
    web_office = cluster.user(None, Role.WEB_OFFICE)
    client.force_login(web_office)
    url = reverse("themes_mourning:index")
    page = client.get(url, HTTP_HOST="jtj.localhost")
    assert page.status_code == 200 and "设置哀悼时段" in page.content.decode()
    bad = client.post(
        url,
        {"action": "schedule", "scope": "all", "starts_at": "2099-01-02 00:00", "ends_at": "2099-01-01 00:00"},
        HTTP_HOST="jtj.localhost",
    )
    assert bad.status_code == 200 and "结束时间必须晚于开始时间" in bad.content.decode()
    empty = client.post(url, {"action": "schedule", "scope": "chosen"}, HTTP_HOST="jtj.localhost")
    assert "请至少选择一个站点" in empty.content.decode()
    assert not MourningPeriod.objects.exists()
    done = client.post(
        url,
        {
            "action": "schedule",
            "scope": "chosen",
            "sites": [cluster.sites["jyj"].pk],
            "starts_at": "2026-01-01 00:00",
            "ends_at": "2099-01-01 00:00",
            "reason": "全国哀悼日",
        },
        HTTP_HOST="jtj.localhost",
    )
    assert done.status_code == 302
    period = MourningPeriod.objects.get()
    assert not period.all_sites and list(period.sites.all()) == [cluster.sites["jyj"]]
    assert is_grey(client, "jyj") and not is_grey(client, "jtj")
    event = AuditEvent.objects.get(action="mourning_scheduled")
    assert event.actor == web_office and event.detail["sites"] == ["jyj"]
    client.post(url, {"action": "off"}, HTTP_HOST="jtj.localhost")
    assert not is_grey(client, "jyj")


@pytest.mark.parametrize("role", [Role.SITE_ADMIN, Role.EDITOR])
def test_no_site_admin_can_switch_it(client, cluster, role):
    client.force_login(cluster.user("jtj", role))
    url = reverse("themes_mourning:index")
    assert client.get(url, HTTP_HOST="jtj.localhost").status_code in (302, 403)
    response = client.post(url, {"action": "schedule", "scope": "all"}, HTTP_HOST="jtj.localhost")
    assert response.status_code in (302, 403)
    assert not MourningPeriod.objects.exists()
    assert AuditEvent.objects.filter(action="mourning_refused").exists() or response.status_code == 302


def test_the_public_cannot_switch_it(client):
    response = client.post(reverse("themes_mourning:index"), {"action": "schedule"}, HTTP_HOST="jtj.localhost")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.post("/mourning.css", HTTP_HOST="jtj.localhost").status_code == 405
    assert not MourningPeriod.objects.exists()
