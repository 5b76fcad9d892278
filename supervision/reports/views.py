"""Admin screens: 发稿量统计 (with CSV export) and 网站年度报表 (entries, regeneration, review, XLSX, PDF).

Who sees what is decided in ``access.visible_sites`` only: the web office every site, a city's web
office its subtree (on a site of it), a site admin the site whose admin they are using (their own),
everybody else nothing. A site admin asking for another site's figures or report gets 403, a city's
web office asking for a site outside its subtree 404, whichever host they use.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from sites import spreadsheet
from sites.access import current_site

from . import annual, exports, figures, publication
from .access import export_scope, report_site, spans_sites, visible_sites
from .forms import ManualFieldsForm, PeriodForm
from .models import AnnualReport


def _last_year():
    return timezone.localdate().year - 1


FIRST_YEAR, LAST_YEAR = 2000, 2100  # the forms' bounds; outside them a year is a typing error


def _report_year(value):
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


# --- 发稿量 ----------------------------------------------------------------------------------------


def figures_view(request):
    sites = visible_sites(request.user)
    today = timezone.localdate()
    form = PeriodForm(request.GET or {"year": today.year})
    if not form.is_valid():
        return render(request, "supervision_reports/figures.html", {"form": form, "figures": None}, status=400)
    year, month, code = form.cleaned_data["year"], form.cleaned_data["month"], form.cleaned_data["site"]
    if code:
        chosen = [report_site(request.user, code)]
    elif spans_sites(request.user):
        chosen = list(sites)
    else:
        chosen = [report_site(request.user, "")]
    data = figures.cluster_figures(chosen, year, month)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        suffix = f"{year}{month:02d}" if month else f"{year}"
        scope = export_scope(request.user, chosen)
        response["Content-Disposition"] = f'attachment; filename="fagaoliang-{scope}-{suffix}.csv"'
        response.write("\ufeff")  # Excel reads UTF-8 only with a BOM
        writer = spreadsheet.writer(response)
        writer.writerow(figures.CSV_HEADER)
        writer.writerows(figures.csv_rows(data))
        writer.writerow([])
        writer.writerow(figures.REVIEW_CSV_HEADER)
        writer.writerows(figures.review_csv_rows(data))
        return response
    return render(
        request,
        "supervision_reports/figures.html",
        {
            "form": form,
            "figures": data,
            "sites": sites if spans_sites(request.user) else None,
            "chosen_code": code,
            "query": request.GET.urlencode(),
            "years": range(today.year, today.year - 6, -1),
        },
    )


# --- 年度报表 --------------------------------------------------------------------------------------


def annual_index(request):
    sites = visible_sites(request.user)
    if request.method == "POST":
        tenant = report_site(request.user, request.POST.get("site", ""))
        year = _report_year(request.POST.get("year"))
        if year is None:
            messages.error(request, f"年度应为 {FIRST_YEAR}–{LAST_YEAR} 之间的四位数字。")
            return redirect("supervision_reports:annual_index")
        annual.generate(tenant, year, user=request.user)
        messages.success(request, f"已生成{tenant.name}{year}年政府网站工作年度报表。")
        return redirect("supervision_reports:annual_detail", code=tenant.code, year=year)
    reports = AnnualReport.objects.filter(tenant__in=sites).select_related("tenant")
    return render(
        request,
        "supervision_reports/annual_index.html",
        {"reports": reports, "sites": sites, "default_year": _last_year(), "current": current_site()},
    )


@require_http_methods(["GET", "POST"])
def annual_detail(request, code, year):
    tenant = report_site(request.user, code)
    if _report_year(year) is None:
        raise Http404
    report = AnnualReport.objects.filter(tenant=tenant, year=year).first()
    if report is None:
        if request.method == "POST":
            report = annual.generate(tenant, year, user=request.user)
        else:
            raise Http404
    here = reverse("supervision_reports:annual_detail", args=[tenant.code, year])
    output = request.GET.get("format")
    if output == "xlsx":
        response = HttpResponse(
            exports.xlsx_bytes(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="annual-report-{tenant.code}-{year}.xlsx"'
        return response
    if output == "pdf":
        try:
            content = exports.pdf_bytes(report)
        except exports.PdfUnavailable as exc:
            messages.error(request, str(exc))
            return redirect(here)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="annual-report-{tenant.code}-{year}.pdf"'
        return response
    form = ManualFieldsForm(report=report)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "save":
            form = ManualFieldsForm(request.POST, report=report)
            if form.is_valid():
                report.manual = form.values()
                report.updated_by = request.user
                report.save(update_fields=["manual", "updated_by"])
                messages.success(request, "已保存人工填报内容。")
                return redirect(here)
            messages.error(request, "填报内容有误，请检查标红的项目。")
        elif action == "generate":
            annual.generate(tenant, year, user=request.user)
            messages.success(request, "已按最新数据重新生成，人工填报内容保持不变。")
            return redirect(here)
        elif action == "submit":
            try:
                page = publication.submit_draft(report, user=request.user)
            except publication.PublicationError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"已生成页面“{page.title}”并提交本站审核流程，审核通过后发布。")
            return redirect(here)
        else:
            raise PermissionDenied
    return render(
        request,
        "supervision_reports/annual_detail.html",
        {
            "report": report,
            "tenant": tenant,
            "title": annual.title(report),
            "rows": annual.rows(report),
            "notes": (report.figures or {}).get("notes", []),
            "form": form,
            "state": publication.page_state(report),
            "generated_at": timezone.localtime(report.generated_at).strftime("%Y-%m-%d %H:%M")
            if report.generated_at
            else "",
            "on_this_host": current_site() and current_site().pk == tenant.pk,
        },
    )
