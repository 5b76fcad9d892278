"""Attachment text extraction under its bounds, against the unbounded reader, on a PDF bomb.

The bomb (issue 10 item 8) is a small PDF whose pages all draw one Flate stream of megabytes of
text operators. In the same run this times:
  * the unbounded reader (pypdf, in this process) on ONE page of the bomb, the cost every page adds;
  * publishing.confidentiality.extract.extract() with the default limits on the whole bomb (child process, time,
    decompressed bytes, pages);
  * both on an ordinary one-page PDF, for the price of the bounds on a normal file;
and prints seconds and ratios (the unbounded whole-file figure is the one-page cost × pages).
    .venv/bin/python bench/extract.py [--pages 100] [--stream-mb 5]
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")

import django  # noqa: E402

django.setup()

from pypdf import PdfReader  # noqa: E402

from publishing.confidentiality.extract import extract  # noqa: E402
from tests.documents import make_pdf, make_pdf_bomb  # noqa: E402 - the test suite's own files

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--pages", type=int, default=100)
parser.add_argument("--stream-mb", type=float, default=5.0)
args = parser.parse_args()


def timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


bomb = make_pdf_bomb(pages=args.pages, stream_mb=args.stream_mb)
normal = make_pdf(["关于做好冬季道路运输安全工作的通知"] * 40)
print(f"bomb: {len(bomb):,} bytes, {args.pages} pages sharing one {args.stream_mb:g} MB stream")

one_page, _ = timed(lambda: PdfReader(io.BytesIO(bomb)).pages[1].extract_text())
bounded, extraction = timed(lambda: extract(io.BytesIO(bomb), "bomb.pdf"))
print(f"unbounded reader, one page:        {one_page:8.2f} s  (whole file ≈ {one_page * args.pages:,.0f} s)")
print(
    f"bounded extract(), whole file:     {bounded:8.2f} s  complete={extraction.complete} "
    f"stopped by {extraction.incomplete_reason}, {extraction.pages_read}/{extraction.pages_total} pages read"
)
print(f"ratio unbounded/bounded (whole file): {one_page * args.pages / bounded:,.0f}x")

plain, _ = timed(lambda: "".join(page.extract_text() for page in PdfReader(io.BytesIO(normal)).pages))
bounded_plain, normal_extraction = timed(lambda: extract(io.BytesIO(normal), "normal.pdf"))
print(
    f"ordinary 1-page PDF: unbounded {plain:.3f} s, bounded {bounded_plain:.3f} s "
    f"(complete={normal_extraction.complete}; the child process costs {bounded_plain - plain:+.3f} s)"
)
