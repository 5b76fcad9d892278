"""Who moderates the public's comments and reads questionnaire answers: the one place the rule is written.

The comments live in the site's schema, so another site's rows are out of reach of any query made
here; the role check makes sure the *person* belongs to this site. Moderators are the site's staff
who publish or answer on its behalf (站点管理员, 编辑, 审核员, 互动办理员) and the web office. The
保密审查员 reviews content before publishing and has no part in public comments.

The commenter's contact is personal data: only the 互动办理员 and the web office see it in full
(as for messages, interaction/access.py); the other moderators see it masked.
"""

from sites.access import current_site, is_web_office, roles_on
from sites.models import Role

from ..crypto import mask_phone

MODERATOR_ROLES = {Role.SITE_ADMIN, Role.EDITOR, Role.REVIEWER, Role.HANDLER}


def site_for_request():
    site = current_site()
    return site if site is not None and site.pk and not site.is_template else None


def can_moderate(user, site):
    """True for the site's moderators and the web office (``site``: the Tenant whose admin this is)."""
    if site is None:
        return False
    return is_web_office(user) or bool(MODERATOR_ROLES & roles_on(user, site))


def sees_contact(user, site):
    return is_web_office(user) or Role.HANDLER in roles_on(user, site)


def shown_contact(comment, user, site):
    """The contact as this moderator may see it."""
    if not comment.contact:
        return ""
    if sees_contact(user, site):
        return comment.contact
    return mask_phone(comment.contact) if any(ch.isdigit() for ch in comment.contact) else "***"
