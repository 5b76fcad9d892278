"""Helpers for the review chain's tests: drafts written and submitted as people do in the admin."""

import pytest
from django.db import connection

from cms.models import ArticlePage
from tests.cms import content
from tests.factories import user_with_role


@pytest.fixture
def jtj(cluster):
    connection.set_tenant(cluster.sites["jtj"])
    return cluster.sites["jtj"]


@pytest.fixture
def people(cluster, jtj):
    """jtj's people by role, plus a second reviewer (a step needs someone who did not edit)."""
    roles = {role: cluster.user("jtj", role) for role in ("editor", "reviewer", "site_admin", "secrecy_officer")}
    roles["reviewer2"] = user_with_role("jtj_reviewer2", "reviewer", jtj)
    return roles


def draft(editor, title="市交通运输局召开安全生产工作会议", body="<p>会议强调，要压实安全生产责任。</p>", **fields):
    fields.setdefault("source", "办公室")
    page = ArticlePage(title=title, body=body, live=False, owner=editor, **fields)
    content.column("gzdt").add_child(instance=page)
    page.save_revision(user=editor)
    page.refresh_from_db()
    return page


def submit(page, user):
    page = page.specific_class.objects.get(pk=page.pk)
    state = page.get_workflow().start(page, user)
    return state


def current(page):
    page = type(page).objects.get(pk=page.pk)
    state = page.current_workflow_task_state
    return state, (state.task.specific if state else None)


def act(page, user, action, **data):
    state, task = current(page)
    task.on_action(state, user, action, **data)


def approve_all(page, people):
    act(page, people["reviewer"], "approve", comment="同意")
    act(page, people["site_admin"], "approve")
    act(page, people["secrecy_officer"], "approve", disclosure_attribute="proactive", opinion="不涉密，同意公开。")
