"""Working days (工作日) as the State Council's holiday calendar has them, 调休 workdays included.

The ``chinese_calendar`` package carries each year's 国务院办公厅 notice once it is published
(usually in November for the next year). A date it does not know yet, or one the web office
must correct, comes from ``WorkdayOverride`` rows, which always win. With neither, Monday to
Friday are working days: a deadline is never shortened by guessing a holiday.

Counting follows the 条例 (art. 33 and the civil-law rule on periods): the day something is
received does not count; the period ends at the end of its last working day.
"""

import datetime

import chinese_calendar
from django.conf import settings
from django.core.cache import cache
from django_tenants.utils import schema_context

OVERRIDES_CACHE_KEY = "interaction:workday-overrides:v1"


def _overrides():
    # Under the public schema's key prefix: one table for the cluster, forgotten from any site.
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        table = cache.get(OVERRIDES_CACHE_KEY)
        if table is None:
            from .models import WorkdayOverride

            table = dict(WorkdayOverride.objects.values_list("date", "is_workday"))
            cache.set(OVERRIDES_CACHE_KEY, table, 3600)
    return table


def forget_overrides():
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        cache.delete(OVERRIDES_CACHE_KEY)


def known_by_calendar(day):
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def is_workday(day, overrides=None):
    overrides = _overrides() if overrides is None else overrides
    if day in overrides:
        return overrides[day]
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_workdays(start, count, overrides=None):
    """The date that ends ``count`` working days after ``start`` (``start`` itself not counted)."""
    overrides = _overrides() if overrides is None else overrides
    day = start
    remaining = count
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_workday(day, overrides):
            remaining -= 1
    return day


def workdays_between(start, end, overrides=None):
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    overrides = _overrides() if overrides is None else overrides
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_workday(day, overrides):
            count += 1
    return count


def unknown_years(today=None):
    """Years the calendar package does not cover yet, this one and the next: the web office is
    reminded to enter their holidays as overrides until the package is updated."""
    today = today or datetime.date.today()
    return [year for year in (today.year, today.year + 1) if not known_by_calendar(datetime.date(year, 6, 1))]
