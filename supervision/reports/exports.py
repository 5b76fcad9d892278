"""The annual report as an HTML table (the page's rich text, the admin preview, the PDF), as XLSX
and as PDF.

PDF: the report's HTML printed by headless Chromium (``--print-to-pdf``), in a subprocess with a
timeout. Chromium is what the browser tests already use (scripts/system-packages.sh installs it
with its CJK fonts), it lays out Chinese text and tables exactly as the page shows them, and no
PDF library joins the dependencies (the pure-Python ones need a CJK font file shipped with us, and
WeasyPrint needs Pango). A missing or failing Chromium raises ``PdfUnavailable`` with a Chinese
message for the screen and the command.
"""

import io
import os
import shutil
import subprocess  # noqa: S404 -- a fixed argument list, no shell
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils.html import escape, format_html, format_html_join
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from sites.spreadsheet import safe_cell

from . import annual

PDF_TIMEOUT = 60  # seconds; a cold Chromium prints one page in 1–3 s here
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class PdfUnavailable(Exception):
    """The PDF cannot be made; the message is for people."""


def _section_label(section, group):
    section = section or "基本信息"
    return f"{section}（{group}）" if group else section


def table_html(report):
    """The report as a plain table (no class, no style: the rich-text allow-list keeps it as is);
    a category spans its rows, as in the printed template."""
    rows = [
        (_section_label(section, group), label, value, unit)
        for section, group, label, value, unit, _f in annual.rows(report)
    ]
    spans, start = {}, None  # {index of a category's first row: number of its rows}
    for index, row in enumerate(rows):
        if start is not None and rows[start][0] == row[0]:
            spans[start] += 1
        else:
            start = index
            spans[index] = 1
    body = format_html_join(
        "",
        "<tr>{}<td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                format_html('<td rowspan="{}">{}</td>', spans[index], category) if index in spans else "",
                label,
                value,
                unit,
            )
            for index, (category, label, value, unit) in enumerate(rows)
        ),
    )
    notes = (report.figures or {}).get("notes", [])
    note_html = format_html_join("", "<li>{}</li>", ((note,) for note in notes))
    return format_html(
        "<p>填报单位：{}　　报表年度：{}年</p>"
        "<table><thead><tr><th>类别</th><th>指标</th><th>数据</th><th>单位</th></tr></thead>"
        "<tbody>{}</tbody></table>{}",
        report.tenant.sponsor or report.tenant.name,
        report.year,
        body,
        format_html("<p>说明：</p><ul>{}</ul>", note_html) if notes else "",
    )


def document_html(report):
    """A standalone HTML document of the report, for printing."""
    return (
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
        f"<title>{escape(annual.title(report))}</title><style>"
        "@page{size:A4;margin:16mm 14mm}"
        "body{font-family:'Noto Sans CJK SC','Noto Serif CJK SC','WenQuanYi Zen Hei','SimSun',sans-serif;"
        "font-size:11pt;color:#000}"
        "h1{font-size:16pt;text-align:center;margin:0 0 8mm}"
        "table{border-collapse:collapse;width:100%}"
        "th,td{border:1px solid #000;padding:3pt 5pt;text-align:left;vertical-align:top}"
        "td:nth-last-child(2){text-align:right}"
        "tr{page-break-inside:avoid}"
        "</style></head><body>"
        f"<h1>{escape(annual.title(report))}</h1>{table_html(report)}</body></html>"
    )


# --- XLSX ------------------------------------------------------------------------------------------


def _cell_value(field, value, shown):
    # Numbers stay numbers (the office sums them); text goes through safe_cell, because openpyxl
    # stores a string starting with "=" as a formula (the CSV injection rule, sites/spreadsheet.py).
    if field.kind in (annual.INT, annual.DECIMAL) and isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if field.kind in (annual.INT, annual.DECIMAL) and value in (None, ""):
        return 0
    return safe_cell(shown)


def xlsx_bytes(report):
    """The report as an XLSX workbook: title row, then 类别 | 指标 | 数据 | 单位, one row per field."""
    book = Workbook()
    sheet = book.active
    sheet.title = "年度报表"
    sheet.append([safe_cell(annual.title(report))])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=4)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(["类别", "指标", "数据", "单位"])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for section, group, label, shown, unit, field in annual.rows(report):
        value = annual.value_of(report, field)
        sheet.append([_section_label(section, group), label, _cell_value(field, value, shown), unit])
    for note in (report.figures or {}).get("notes", []):
        sheet.append([safe_cell(f"说明：{note}")])
    for column, width in zip("ABCD", (24, 34, 40, 8), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- PDF -------------------------------------------------------------------------------------------


def chromium_path():
    """The Chromium executable: ``CMS_CHROMIUM`` from the settings, or the first one on PATH."""
    configured = getattr(settings, "CMS_CHROMIUM", "") or os.environ.get("CMS_CHROMIUM", "")
    if configured:
        return configured if Path(configured).exists() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def pdf_bytes(report, timeout=PDF_TIMEOUT):
    """The report printed to PDF by headless Chromium; raises ``PdfUnavailable``."""
    binary = chromium_path()
    if binary is None:
        raise PdfUnavailable("未找到 Chromium 浏览器，无法生成 PDF。请由运维人员运行 scripts/system-packages.sh 安装。")
    with tempfile.TemporaryDirectory(prefix="annual-report-") as work:
        source = Path(work) / "report.html"
        target = Path(work) / "report.pdf"
        source.write_text(document_html(report), encoding="utf-8")
        command = [
            binary,
            "--headless",
            # The sandbox needs user namespaces, which containers and root often lack; the page
            # printed is our own HTML from a local file, with no network access needed.
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-pdf-header-footer",
            # A profile of its own: two prints at once must not fight over one profile lock.
            f"--user-data-dir={Path(work) / 'profile'}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=timeout, check=False)  # noqa: S603
        except subprocess.TimeoutExpired as exc:
            raise PdfUnavailable(f"生成 PDF 超时（{timeout} 秒），请稍后重试。") from exc
        except OSError as exc:
            raise PdfUnavailable(f"无法启动 Chromium 浏览器生成 PDF：{exc}") from exc
        if not target.exists() or not target.read_bytes().startswith(b"%PDF"):
            raise PdfUnavailable("Chromium 未能生成 PDF，请联系运维人员检查浏览器安装。")
        return target.read_bytes()
