"""The web office's console in the Wagtail admin: sites, their hosts, status, backups, the cluster
home and the audit log; and the site admin's contact screen.

Every view checks who may use it on the server (whatever the menu shows): the cluster screens are
the web office's only (403 for anyone else, whatever their role on whichever site); Wagtail's own
wrapper sends the anonymous to the login page first. Every change is a POST (Django's CSRF check
applies) and goes through ``services`` (same rules and messages as the commands, one audit event).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView
from django_tenants.utils import schema_context
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import audit
from ..access import current_site, is_web_office, may_read_audit_log
from ..backup import backup_site, restore_site
from ..models import AuditEvent, SiteStatus, Tenant
from ..provisioning import ProvisioningError, SiteSpec, create_site
from ..scope import managed_sites, manages_any, scoped_parent_error
from . import audit_log, cluster, forms, services

PER_PAGE = 50


def _here():
    """The site whose admin is being used, or None (public host, template)."""
    site = current_site()
    return site if site is not None and site.pk and not site.is_template and site.code else None


def refused(request, message="只有网站办可以使用此功能。"):
    """A 403 page. Not PermissionDenied: Wagtail's admin turns that into a redirect to its home."""
    return TemplateResponse(request, "sites/console/refused.html", {"message": message}, status=403)


class WebOfficeOnly:
    """Refuses everyone but the web office (403), before any work."""

    def dispatch(self, request, *args, **kwargs):
        if not is_web_office(request.user):
            return refused(request)
        return super().dispatch(request, *args, **kwargs)


class ConsoleScreen(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "site"

    def get_breadcrumbs_items(self):
        items = [{"url": reverse("wagtailadmin_home"), "label": "后台首页"}]
        if self.page_title != SitesView.page_title:
            items.append({"url": reverse("sites_console:sites"), "label": SitesView.page_title})
        return items + [{"url": "", "label": self.get_page_title()}]


class ManagesSites:
    """Admits the cluster's web office and a portal's (scoped) web office; 403 for everyone else."""

    def dispatch(self, request, *args, **kwargs):
        if not manages_any(request.user):
            return refused(request)
        return super().dispatch(request, *args, **kwargs)


def _site_or_404(code, user=None):
    """A site by code; with ``user``, only one the user manages (another city's site is a 404)."""
    sites = Tenant.objects.sites() if user is None else managed_sites(user)
    site = sites.filter(code=code).first()
    if site is None:
        raise Http404("没有这个站点")
    return site


# --- Sites -------------------------------------------------------------------------------------


class SitesView(ManagesSites, ConsoleScreen):
    """站点管理: the cluster home's table with the actions on each site."""

    template_name = "sites/console/sites.html"
    page_title = "站点管理"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            rows=cluster.site_rows(self.request, sites=managed_sites(self.request.user)), statuses=SiteStatus
        )
        return context


class SiteCreateView(WebOfficeOnly, ConsoleScreen):
    template_name = "sites/console/site_create.html"
    page_title = "开通站点"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = form or forms.SiteCreateForm()
        return context

    def post(self, request, *args, **kwargs):
        form = forms.SiteCreateForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        steps = []
        start = time.perf_counter()
        try:
            tenant = create_site(SiteSpec(**form.spec_values()), actor=request.user, progress=steps.append)
        except ProvisioningError as exc:
            form.add_error(None, str(exc))
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(
            request,
            f"已开通站点 {tenant.name}（{tenant.code}），用时 {time.perf_counter() - start:.1f} 秒："
            + " → ".join(steps)
            + " → 完成。",
        )
        return redirect("sites_console:site", code=tenant.code)


class SiteEditView(ManagesSites, ConsoleScreen):
    """One site: its record (footer registration data), hosts, status and backup."""

    template_name = "sites/console/site_edit.html"
    page_title = "站点信息"

    def dispatch(self, request, *args, **kwargs):
        if not manages_any(request.user):
            return refused(request)
        self.site = _site_or_404(kwargs["code"], request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.site.name

    def get_context_data(self, form=None, domain_form=None, status_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            site=self.site,
            form=form or forms.SiteRecordForm(site=self.site, user=self.request.user),
            domain_form=domain_form or forms.DomainForm(),
            status_form=status_form or forms.StatusForm(),
            domains=self.site.domains.order_by("-is_primary", "is_admin_host", "domain"),
            admin_url=cluster.admin_url(self.site, self.request),
            statuses=SiteStatus,
            recent=[
                (event, audit_log.action_label(event.action))
                for event in AuditEvent.objects.filter(tenant_code=self.site.code).exclude(
                    action__in=["login", "logout", "login_failed", "login_locked"]
                )[:10]
            ],
        )
        return context

    def post(self, request, *args, **kwargs):
        form = forms.SiteRecordForm(request.POST, site=self.site, user=request.user)
        if form.is_valid() and (error := scoped_parent_error(request.user, self.site, form.values().get("parent"))):
            form.add_error("parent", error)
        elif form.is_valid():
            try:
                changes = services.update_site_record(self.site, form.values(), actor=request.user, request=request)
            except ProvisioningError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "已保存站点信息。" if changes else "站点信息没有变化。")
                return redirect("sites_console:site", code=self.site.code)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class SiteActionView(View):
    """POST-only actions on one site; each answers with a message on the site's screen."""

    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        if not manages_any(request.user):
            return refused(request)
        self.site = _site_or_404(kwargs["code"], request.user)
        return super().dispatch(request, *args, **kwargs)

    def back(self):
        return redirect("sites_console:site", code=self.site.code)


class DomainAddView(SiteActionView):
    def post(self, request, *args, **kwargs):
        form = forms.DomainForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请填写域名。")
            return self.back()
        try:
            domain = services.add_domain(
                self.site,
                form.cleaned_data["domain"],
                admin_host=form.cleaned_data["admin_host"],
                actor=request.user,
                request=request,
            )
        except ProvisioningError as exc:
            messages.error(request, str(exc))
        else:
            kind = "后台专用域名" if domain.is_admin_host else "公开域名"
            messages.success(request, f"已添加{kind} {domain.domain}。")
        return self.back()


class DomainRemoveView(SiteActionView):
    def post(self, request, *args, **kwargs):
        try:
            domain = services.remove_domain(self.site, kwargs["domain_id"], actor=request.user, request=request)
        except ProvisioningError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已删除域名 {domain.domain}。")
        return self.back()


class DomainPrimaryView(SiteActionView):
    def post(self, request, *args, **kwargs):
        try:
            domain = services.make_primary(self.site, kwargs["domain_id"], actor=request.user, request=request)
        except ProvisioningError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"主域名已改为 {domain.domain}。")
        return self.back()


class StatusView(SiteActionView):
    def post(self, request, *args, **kwargs):
        form = forms.StatusForm(request.POST)
        if not form.is_valid():
            for error in form.errors.get("__all__", []) or ["操作无效。"]:
                messages.error(request, error)
            return self.back()
        try:
            tenant = services.change_status(
                self.site, form.cleaned_data["action"], actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ProvisioningError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{tenant.name}：{tenant.get_status_display()}。")
        return self.back()


class BackupView(SiteActionView):
    """Backs the site up now and hands the file to the web office (kept under var/backups too)."""

    def post(self, request, *args, **kwargs):
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        target = Path(settings.VAR_DIR) / "backups" / f"{self.site.code}-{stamp}.tar.gz"
        try:
            path = backup_site(self.site.code, target, actor=request.user)
        except ProvisioningError as exc:
            messages.error(request, str(exc))
            return self.back()
        return FileResponse(path.open("rb"), as_attachment=True, filename=path.name, content_type="application/gzip")


class RestoreView(WebOfficeOnly, ConsoleScreen):
    template_name = "sites/console/restore.html"
    page_title = "从备份恢复站点"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = form or forms.RestoreForm()
        return context

    def post(self, request, *args, **kwargs):
        form = forms.RestoreForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        upload = form.cleaned_data["archive"]
        with tempfile.TemporaryDirectory(prefix="restore-upload-") as work:
            archive = Path(work) / "upload.tar.gz"  # never the uploaded name: it is the sender's text
            with archive.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                # restore_site ends on the public schema; the request goes on in this site's admin.
                with schema_context(settings.PUBLIC_SCHEMA_NAME):
                    tenant = restore_site(
                        archive,
                        code=form.cleaned_data["code"].strip() or None,
                        domain=form.cleaned_data["domain"].strip().lower() or None,
                        name=form.cleaned_data["name"].strip() or None,
                        untrusted=form.cleaned_data["untrusted"],
                        actor=request.user,
                    )
            except ProvisioningError as exc:
                form.add_error(None, str(exc))
                return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(request, f"已恢复为站点 {tenant.name}（{tenant.code}）。")
        return redirect("sites_console:site", code=tenant.code)


# --- The audit log -------------------------------------------------------------------------------


class AuditLogView(ConsoleScreen):
    """审计日志: the audit administrator reads every site's events; a site admin their own site's (audit_log)."""

    template_name = "sites/console/audit_log.html"
    page_title = "审计日志"
    header_icon = "history"

    def get_breadcrumbs_items(self):
        return [{"url": reverse("wagtailadmin_home"), "label": "后台首页"}, {"url": "", "label": self.page_title}]

    def dispatch(self, request, *args, **kwargs):
        self.full = may_read_audit_log(request.user)
        self.site = _here()
        if not self.full and not (self.site is not None and services.is_site_admin(request.user, self.site)):
            return refused(request, "只有审计管理员和本站站点管理员可以查看审计日志。")
        return super().dispatch(request, *args, **kwargs)

    def form(self):
        events = audit_log.visible_events(self.request.user, None if self.full else self.site)
        actions = sorted(set(events.order_by().values_list("action", flat=True).distinct()))
        if self.full:
            site_choices = [(s.code, f"{s.name}（{s.code}）") for s in Tenant.objects.sites().order_by("id")]
        else:
            site_choices = [(self.site.code, self.site.name)]
        form = forms.AuditFilterForm(
            self.request.GET or None,
            site_choices=site_choices,
            action_choices=[(a, audit_log.action_label(a)) for a in actions],
        )
        return form, events

    def events(self):
        form, events = self.form()
        if form.is_bound and form.is_valid():
            events = audit_log.filtered(events, full=self.full, **form.cleaned_data)
        elif form.is_bound:
            events = events.none()
        else:
            events = events.order_by("-created_at", "-id")
        return form, events

    def get(self, request, *args, **kwargs):
        form, events = self.events()
        if request.GET.get("format") == "csv":
            if form.is_bound and not form.is_valid():
                return self.render_to_response(self.context(form, events), status=400)
            return self.csv(events)
        return self.render_to_response(self.context(form, events), status=400 if form.errors else 200)

    def context(self, form, events):
        page = Paginator(events, PER_PAGE).get_page(self.request.GET.get("p"))
        query = self.request.GET.copy()
        query.pop("p", None)
        query.pop("format", None)
        context = self.get_context_data()
        context.update(
            form=form,
            page=page,
            rows=[audit_log.present(event, full=self.full) for event in page.object_list],
            query=query.urlencode(),
            full=self.full,
        )
        return context

    def csv(self, events):
        scope = "cluster" if self.full else self.site.code
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = f"audit-log-{scope}-{timezone.localtime():%Y%m%d-%H%M}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        count = audit_log.write_csv(response, events, full=self.full)
        audit.record(
            "audit_exported",
            actor=self.request.user,
            request=self.request,
            tenant_code="" if self.full else self.site.code,
            target=filename,
            rows=count,
            filters={key: value for key, value in self.request.GET.items() if key not in ("format", "p")},
        )
        return response


# --- The site admin's contact screen ---------------------------------------------------------------


class ContactView(ConsoleScreen):
    """页脚联系方式: a site admin edits their own site's phone and address, when the web office allows it."""

    template_name = "sites/console/contact.html"
    page_title = "页脚联系方式"
    header_icon = "mail"

    def get_breadcrumbs_items(self):
        return [{"url": reverse("wagtailadmin_home"), "label": "后台首页"}, {"url": "", "label": self.page_title}]

    def dispatch(self, request, *args, **kwargs):
        self.site = _here()
        if self.site is None or not services.may_edit_contact(request.user, self.site):
            return refused(request, "网站办尚未允许本站站点管理员修改联系方式，请联系网站办。")
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.site.name

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            site=self.site,
            form=form
            or forms.ContactForm(
                initial={"contact_phone": self.site.contact_phone, "contact_address": self.site.contact_address}
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = forms.ContactForm(request.POST)
        if form.is_valid():
            try:
                changes = services.update_contact(self.site, form.cleaned_data, actor=request.user, request=request)
            except ProvisioningError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "已保存页脚联系方式。" if changes else "联系方式没有变化。")
                return redirect("sites_console:contact")
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- Hosts without an admin --------------------------------------------------------------------------


def admin_entry(request):
    """``/admin/`` on the cluster's own host (站点导航), which has no admin: on to the portal's admin.

    Sites are tenants and the admin lives in each site's schema; the directory host serves none.
    The scheme and port are the request's (``make run PORT=8100``).
    """
    sites = Tenant.objects.serving().prefetch_related("domains")
    target = sites.filter(kind="portal").order_by("id").first() or sites.order_by("id").first()
    url = cluster.admin_url(target, request) if target is not None else ""
    if not url:
        raise Http404("还没有可进入后台的站点")
    return redirect(url)
