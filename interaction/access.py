"""Who may see and do what in 互动交流 — the one place the rule is written.

* 互动办理员 (``Role.HANDLER``) of a site handles its messages and applications and is the only site
  role that sees the citizen's personal data: a dedicated role because editors and reviewers of a
  department are many and need none of it (《个人信息保护法》: the minimum necessary).
* 审核员 of the answering site reviews replies (先审后发); they see the question and the reply with
  the personal data masked.
* 站点管理员 sees the site's list (masked) to follow deadlines; the forwarding site's handlers follow
  a message they forwarded (督办).
* 网站办 sees every site's messages. Every display of personal data is written to the audit log
  (interaction/services.py ``reveal``).
"""

from django.db.models import Q

from sites.access import is_web_office, roles_on
from sites.models import Role

STAFF_ROLES = {Role.HANDLER, Role.REVIEWER, Role.SITE_ADMIN}


def can_handle(user, tenant):
    return is_web_office(user) or Role.HANDLER in roles_on(user, tenant)


def can_review(user, tenant):
    return is_web_office(user) or Role.REVIEWER in roles_on(user, tenant)


def can_open_desk(user, tenant):
    """The 互动交流 screens of the site's admin: handlers, reviewers, the site admin, the web office."""
    return is_web_office(user) or bool(STAFF_ROLES & roles_on(user, tenant))


def messages_visible_to(queryset, user, tenant):
    if is_web_office(user):
        return queryset
    roles = roles_on(user, tenant)
    if not STAFF_ROLES & roles:
        return queryset.none()
    visible = Q(handling_tenant=tenant)
    if Role.HANDLER in roles:
        visible |= Q(forwards__from_tenant=tenant)
    return queryset.filter(visible).distinct()


def applications_visible_to(queryset, user, tenant):
    if is_web_office(user):
        return queryset
    if not STAFF_ROLES & roles_on(user, tenant):
        return queryset.none()
    return queryset.filter(tenant=tenant)


def sees_personal_data(user, tenant, record):
    """The handlers of the site that holds the record (or forwarded it), and the web office."""
    if is_web_office(user):
        return True
    if Role.HANDLER not in roles_on(user, tenant):
        return False
    owner = getattr(record, "handling_tenant_id", None) or record.tenant_id
    if tenant.pk in (owner, record.tenant_id):
        return True
    forwards = getattr(record, "forwards", None)
    return bool(forwards is not None and forwards.filter(from_tenant=tenant).exists())
