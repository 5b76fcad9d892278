"""The 站点成员 screen: a site's people and their roles, managed by its site admin or the web office.

Role changes go through ``sites.roles`` so the screen and the ``grant_role``/``revoke_role``
commands follow the same rules and write the same audit events.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import connection
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .models import AuditEvent, Role
from .roles import RoleError, can_manage_roles, grant_role, members_by_user, revoke_role

SITE_ROLE_CHOICES = [(role.value, role.label) for role in Role.site_roles()]


def current_site(request):
    """The site being served, or None on the public host and the template."""
    tenant = getattr(request, "tenant", None) or getattr(connection, "tenant", None)
    if tenant is None or getattr(tenant, "code", "") in ("", None) or tenant.is_template:
        return None
    return tenant


def can_open_members(request):
    """The site admin of *this* site, or the web office; a role on another site counts for nothing."""
    tenant = current_site(request)
    user = request.user
    return tenant is not None and user.is_authenticated and user.is_active and can_manage_roles(user, tenant)


class MemberRoleForm(forms.Form):
    action = forms.ChoiceField(choices=[("grant", "授予"), ("revoke", "撤销")], widget=forms.HiddenInput)
    username = forms.CharField(label="用户名", max_length=150, help_text="已在站群中注册的用户名。")
    role = forms.ChoiceField(label="角色", choices=SITE_ROLE_CHOICES)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError("用户“%(username)s”不存在。", params={"username": username})
        if not user.is_active:
            raise forms.ValidationError("用户“%(username)s”已停用。", params={"username": username})
        self.user = user
        return username


class SiteMembersView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "sites/admin/members.html"
    page_title = "站点成员"
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        self.site = current_site(request)
        if not can_open_members(request):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.site.name

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        labels = dict(SITE_ROLE_CHOICES)
        context.update(
            site=self.site,
            rows=members_by_user(self.site),
            form=form or MemberRoleForm(initial={"action": "grant", "role": Role.EDITOR.value}),
            recent_changes=[
                (event, labels.get(event.detail.get("role"), event.detail.get("role", "")))
                for event in AuditEvent.objects.filter(
                    tenant_code=self.site.code, action__in=["role_granted", "role_revoked"]
                )[:20]
            ],
        )
        return context

    def post(self, request, *args, **kwargs):
        form = MemberRoleForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        user, role = form.user, Role(form.cleaned_data["role"])
        change = grant_role if form.cleaned_data["action"] == "grant" else revoke_role
        try:
            if (
                change is revoke_role
                and not user.groups.filter(site_binding__tenant=self.site, site_binding__role=role).exists()
            ):
                raise RoleError(f"{user.username} 在本站没有“{role.label}”角色。")
            change(user, role, self.site, actor=request.user, request=request)
        except RoleError as exc:
            form.add_error(None, str(exc))
            return self.render_to_response(self.get_context_data(form=form))
        verb = "授予" if change is grant_role else "撤销"
        messages.success(request, f"已{verb} {user.get_full_name()}（{user.username}）的“{role.label}”角色。")
        return redirect(reverse("sites_members"))
