"""Admin plumbing of the cluster: the 站点成员 screen, and Wagtail screens scoped to the current site.

Wagtail assumes one site per install: wherever it lists groups it lists every group, and its bulk
"delete user" deletes rows. Here groups and users are shared by every site, so both are scoped or
replaced below.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.forms.view_restrictions import BaseViewRestrictionForm
from wagtail.admin.forms.workflows import BaseTaskForm
from wagtail.admin.menu import MenuItem

from . import access, admin_views, audit
from . import auth as _auth  # noqa: F401 - scopes Wagtail's permission caches by schema at import
from . import user_forms as _user_forms  # noqa: F401 - Wagtail's user forms lose is_superuser and groups
from .console import wagtail_hooks as _console  # noqa: F401 - the web office's console registers its hooks
from .models import Role, SiteGroup
from .roles import groups_for_current_site

# --- 站点成员 ----------------------------------------------------------------------------------


@hooks.register("register_admin_urls")
def register_site_members_url():
    # Admin URLs registered here are wrapped in Wagtail's require_admin_access: a role on another
    # site (no access_admin here) is sent to the login page before the view runs.
    return [path("site-members/", admin_views.SiteMembersView.as_view(), name="sites_members")]


class SiteMembersMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.can_open_members(request)


@hooks.register("register_settings_menu_item")
def register_site_members_menu_item():
    return SiteMembersMenuItem("站点成员", reverse("sites_members"), icon_name="group", order=590)


# --- Groups offered by Wagtail's forms ------------------------------------------------------------


def _scope_groups_field(form_class):
    """Limit a form's ``groups`` field to the current site's groups (choices *and* validation)."""
    original_init = form_class.__init__

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        field = self.fields.get("groups")
        if field is not None and hasattr(field, "queryset"):
            field.queryset = field.queryset.filter(pk__in=groups_for_current_site().values("pk"))

    form_class.__init__ = __init__


# Page and collection privacy (restrict to groups) and group approval tasks list every group of
# the cluster: a jtj page could be restricted to jyj's editors, or jtj's review task handed to
# jyj's reviewers, and every site admin who may set privacy would read the other sites' groups.
_scope_groups_field(BaseViewRestrictionForm)
_scope_groups_field(BaseTaskForm)


# --- Users are deactivated, never deleted ----------------------------------------------------------


def _deactivate(request, users):
    for user in users:
        if user.is_active:
            user.delete()  # User.delete() deactivates: other sites' revisions still point at the user
            audit.record("user_deactivated", actor=request.user, request=request, target=user.get_username())


def holds_administration(user):
    """An account the user screens may not touch: a superuser, or a holder of one of the three
    administrator roles (cluster-wide or bound to a portal). Otherwise the system administrator,
    who manages accounts, could set the security administrator's password, sign in as them and
    grant roles (三员分立); such accounts change only from the command line (break_glass)."""
    return user.is_superuser or SiteGroup.objects.filter(group__user=user, role__in=Role.administrator_roles()).exists()


def _refuse_account(request, users):
    names = [user.get_username() for user in users]
    audit.record("admin_account_change_refused", actor=request.user, request=request, target="、".join(names)[:200])
    messages.error(request, f"管理员账号（{'、'.join(names)}）不能在用户管理中修改或停用，请在服务器上用命令行处理。")
    return redirect("wagtailusers_users:index")


@hooks.register("before_edit_user")
def refuse_editing_administrators(request, user):
    if user.pk != request.user.pk and holds_administration(user):
        return _refuse_account(request, [user])
    return None


@hooks.register("before_delete_user")
def deactivate_instead_of_delete(request, user):
    if holds_administration(user):
        return _refuse_account(request, [user])
    if request.method != "POST":
        return None
    _deactivate(request, [user])
    messages.success(request, f"用户“{user.get_username()}”已停用（用户不会被删除，其历史记录保留）。")
    return redirect("wagtailusers_users:index")


@hooks.register("before_bulk_action")
def deactivate_instead_of_bulk_delete(request, action_type, objects, action_class_instance):
    if getattr(action_class_instance, "model", None) is not get_user_model():
        return None
    if action_type == "assign_role":
        # Wagtail's "assign role" adds users to any group: roles go through sites.roles only.
        audit.record("admin_account_change_refused", actor=request.user, request=request, target="assign_role")
        messages.error(request, "角色只能在“站点成员”中由有权限的人授予。")
        return redirect("wagtailusers_users:index")
    protected = [user for user in objects if holds_administration(user)]
    if protected and action_type in ("delete", "set_active_state"):
        return _refuse_account(request, protected)
    # Wagtail's bulk delete runs a queryset delete(), which skips User.delete() entirely.
    if action_type != "delete":
        return None
    _deactivate(request, objects)
    messages.success(request, f"已停用 {len(objects)} 个用户（用户不会被删除，其历史记录保留）。")
    return redirect(action_class_instance.next_url)


# --- Restricted pages and documents: members of the site only ----------------------------------


@hooks.register("before_serve_page", order=-10)
def refuse_non_members_page(page, request, serve_args, serve_kwargs):
    # Runs beside Wagtail's own restriction check (which handles the anonymous and passwords).
    if access.refuses_any(page.get_view_restrictions(), getattr(request, "user", None)):
        raise PermissionDenied("not a member of this site")


@hooks.register("before_serve_document", order=-10)
def refuse_non_members_document(document, request):
    if access.refuses_any(document.collection.get_view_restrictions(), getattr(request, "user", None)):
        raise PermissionDenied("not a member of this site")
