"""Plain text of attachments, for the confidentiality scan: txt, docx and pdf, bounded.

A classification mark in an attached 通知.docx is as much a leak as one in the body, so the
workflow scans attachment text with the page's fields. Formats we cannot read (doc, wps, ofd, xls…)
raise UnsupportedFormat: the workflow must tell the reviewer the file was not checked, never pass it
silently.

Uploaded files are untrusted, and text extraction is where a small file can cost a lot: an 18 KB PDF
whose pages share one Flate stream of 5 MB of text operators kept a web worker busy for 99.7 s (the
worker's timeout does not stop a busy thread). Every extraction is therefore bounded by ``Limits``:

* bytes: the decompressed page content (PDF) or document XML (docx) read, in total: a shared stream
  is parsed again for every page that uses it, so it is counted again;
* pages read;
* characters of text kept;
* wall-clock seconds: docx and pdf are parsed in a child process that is killed at the limit.

Why a child process: one call into the PDF parser cannot be interrupted from a web worker's thread
(``signal.alarm`` works only in the main thread) and checks between pages do not help when a single
page takes long. Measured on this project's 2-core machine: that one page of 5 MB of operators took
9.3 s in pypdf (each further page sharing it 9 s more; 100 pages ≈ 15 min), 676 KB of ordinary
Chinese text lines took 4.2 s on a busy machine, and starting the child (Python with pypdf
imported) costs 0.12–0.15 s. The child also gets an address-space limit.

What was read before a limit stopped the reader is kept: ``Extraction.complete`` is False and
``Extraction.incomplete_reason`` says which limit, so the caller scans the text it has and tells
the reviewer "附件过大或过于复杂，未能完整检查".
"""

from __future__ import annotations

import codecs
import io
import json
import logging
import os
import subprocess
import sys
import time
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from defusedxml import ElementTree

# What the reviewer is told about a file a limit stopped (issue 10: never pass it silently).
INCOMPLETE_NOTICE = "附件过大或过于复杂，未能完整检查"

# Read at most this much of an upload at all (the upload limit is 50 MB); beyond it nothing is read.
MAX_INPUT_BYTES = 60 * 1024 * 1024

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# Parts of a .docx that carry text a reader sees: the body, headers and footers (密级 marks are
# sometimes put in the header), foot- and endnotes, comments.
_DOCX_PARTS = ("word/document.xml", "word/header", "word/footer", "word/footnotes.xml", "word/endnotes.xml")
_PROJECT_ROOT = Path(__file__).resolve().parents[2]
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    """How much one extraction may cost. The defaults: a 300-page text PDF fits, a bomb does not.

    :param seconds: wall clock for one file, child start included.
    :param content_bytes: decompressed page content (PDF) or XML (docx) read, in total.
    :param pages: PDF pages read.
    :param text_chars: characters of text kept.
    :param memory_bytes: address space of the child process.
    """

    seconds: float = 5.0
    content_bytes: int = 2 * 1024 * 1024
    pages: int = 500
    text_chars: int = 1_000_000
    memory_bytes: int = 1024 * 1024 * 1024

    @classmethod
    def from_mapping(cls, values):
        """Limits from a settings mapping such as ``{"SECONDS": 5, "CONTENT_BYTES": …}`` (missing keys: defaults)."""
        names = {name.upper(): name for name in cls.__dataclass_fields__}
        unknown = set(values or {}) - set(names)
        if unknown:
            raise ValueError(f"unknown extraction limits: {', '.join(sorted(unknown))}")
        return cls(**{names[key]: value for key, value in (values or {}).items()})


DEFAULT_LIMITS = Limits()

# Why an extraction stopped early, as the reviewer reads it.
_REASONS = {
    "seconds": "读取超过 {seconds:g} 秒",
    "content_bytes": "内容超过 {content_mb:g} MB",
    "pages": "超过 {pages} 页",
    "text_chars": "文字超过 {text_chars} 字",
    "memory": "读取所需内存过多",
    "crashed": "读取程序意外退出",
}


@dataclass
class Extraction:
    """The text read from one file, and whether that is all of it."""

    text: str
    complete: bool = True
    # When not complete: "seconds" | "content_bytes" | "pages" | "text_chars" | "memory" | "crashed"
    # (the child ended without its last record).
    incomplete_reason: str = ""
    pages_read: int | None = None
    pages_total: int | None = None
    seconds: float = 0.0

    def notice(self, name, limits=DEFAULT_LIMITS):
        """The reviewer's line about an incomplete file: what stopped it and what was checked."""
        reason = _REASONS.get(self.incomplete_reason, "{}").format(
            seconds=limits.seconds,
            content_mb=round(limits.content_bytes / 1024 / 1024, 1),
            pages=limits.pages,
            text_chars=limits.text_chars,
        )
        done = "未读出任何文字"
        if self.text:
            done = f"已检查读出的 {len(self.text)} 字"
            if self.pages_total:
                done += f"（共 {self.pages_total} 页，完整读出 {self.pages_read or 0} 页）"
        return f"“{name}”{INCOMPLETE_NOTICE}（{reason}），{done}，其余内容请人工审查。"


class ExtractionError(Exception):
    """The file could not be read; the message is for people."""


class UnsupportedFormat(ExtractionError):
    """No text extraction for this kind of file."""


class ExtractionIncomplete(ExtractionError):
    """A limit stopped the reader; ``extraction`` holds what was read (``extract`` returns it instead)."""

    def __init__(self, message, extraction):
        super().__init__(message)
        self.extraction = extraction


def extract(file_obj, filename, limits=DEFAULT_LIMITS):
    """Read the text of ``file_obj`` (a binary file object), choosing the reader by ``filename``.

    :param file_obj: an open binary file (an UploadedFile, a Django File, an io.BytesIO …).
    :param filename: the original name; only its extension is used.
    :param limits: the bounds of this extraction (``Limits``).
    :returns: an ``Extraction``; ``complete`` is False when a limit stopped the reader.
    :raises UnsupportedFormat: for extensions other than .txt, .docx and .pdf.
    :raises ExtractionError: for a damaged, encrypted or oversized file.
    """
    extension = os.path.splitext(filename or "")[1].lower()
    if extension not in (".txt", ".docx", ".pdf"):
        raise UnsupportedFormat(f"无法读取“{filename}”的文字（不支持 {extension or '无扩展名'} 格式），请人工审查。")
    started = time.monotonic()
    if hasattr(file_obj, "seek"):
        file_obj.seek(0)
    data = file_obj.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise ExtractionError(f"“{filename}”超过 {MAX_INPUT_BYTES // 1024 // 1024} MB，无法自动检查，请人工审查。")
    if extension == ".txt":
        # Decoding is linear in the size and cannot loop: no child needed.
        extraction = _collect("txt", data, _Collector(limits), filename)
    else:
        extraction = _in_child(extension[1:], data, limits, filename)
    extraction.seconds = time.monotonic() - started
    return extraction


def extract_text(file_obj, filename, limits=DEFAULT_LIMITS):
    """The whole text of the file, or an error: ``ExtractionIncomplete`` (with the partial text) when
    a limit stopped the reader, so no caller can mistake part of a file for all of it."""
    extraction = extract(file_obj, filename, limits)
    if not extraction.complete:
        raise ExtractionIncomplete(extraction.notice(filename, limits), extraction)
    return extraction.text


def decode_text(data, partial=False):
    """UTF-8 (with or without BOM) or UTF-16 with a BOM, else GB 18030 (a superset of GBK/GB2312).

    ``partial``: ``data`` is the beginning of a file, possibly cut inside a character; that last
    character is left out instead of making valid UTF-8 look like GB 18030.
    """

    def decode(encoding, chunk, errors="strict"):
        return codecs.getincrementaldecoder(encoding)(errors).decode(chunk, final=not partial)

    if data.startswith(codecs.BOM_UTF8):
        return decode("utf-8", data[len(codecs.BOM_UTF8) :])
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode("utf-16", data)
    try:
        return decode("utf-8", data)
    except UnicodeDecodeError:
        return decode("gb18030", data, "replace")


# --- The readers: each feeds a _Collector and stops when it says so ------------------------------


class _Stop(Exception):
    """A limit was reached; the collector knows which."""


class _Collector:
    """Text as the readers find it, with the budgets of ``Limits`` (seconds checked between pieces).

    ``emit`` (a callable) receives every record as it is made: the child process streams them to
    its parent, so what was read before the parent kills it is not lost.
    """

    def __init__(self, limits, emit=None, deadline=None):
        self.limits = limits
        self.emit = emit or (lambda record: None)
        self.deadline = deadline
        self.parts = []
        self.chars = 0
        self.content_bytes = 0
        self.pages_read = 0
        self.pages_total = None
        self.reason = ""

    def stop(self, reason):
        self.reason = reason
        raise _Stop(reason)

    def check_time(self):
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.stop("seconds")

    def left(self):
        """Bytes of content still in the budget."""
        return max(self.limits.content_bytes - self.content_bytes, 0)

    def use(self, size):
        self.content_bytes += size

    def total(self, pages):
        self.pages_total = pages
        self.emit({"pages_total": pages})

    def add(self, text, page=False):
        left = self.limits.text_chars - self.chars
        cut = len(text) > left
        text = text[: max(left, 0)]
        if text:
            self.parts.append(text)
            self.chars += len(text)
        if page:
            self.pages_read += 1
        self.emit({"text": text, "page": page})
        if cut:
            self.stop("text_chars")

    def extraction(self):
        return Extraction(
            text="\n".join(part for part in self.parts if part),
            complete=not self.reason,
            incomplete_reason=self.reason,
            pages_read=self.pages_read if self.pages_total is not None else None,
            pages_total=self.pages_total,
        )


def _read_txt(data, out):
    if len(data) > out.left():
        out.add(decode_text(data[: out.left()], partial=True))
        out.stop("content_bytes")
    out.add(decode_text(data))


def _read_docx(data, out):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ExtractionError("不是有效的 .docx 文件。") from exc
    with archive:
        names = [info for info in archive.infolist() if info.filename.startswith(_DOCX_PARTS)]
        names.sort(key=lambda info: (not info.filename.startswith("word/header"), info.filename))
        for info in names:
            out.check_time()
            allowed = out.left()
            with archive.open(info) as part:
                xml = part.read(allowed + 1)  # counted as inflated: the declared size may lie
            out.use(len(xml))
            if len(xml) > allowed:
                # Over the budget: read the text of the part's beginning, then stop.
                out.add(_wordprocessing_text(xml[:allowed], partial=True))
                out.stop("content_bytes")
            out.add(_wordprocessing_text(xml))


def _wordprocessing_text(xml, partial=False):
    """Text of a WordprocessingML part in document order: runs, tabs, breaks, one line per paragraph.

    Text boxes come twice (DrawingML and a VML copy under mc:Fallback); the fallback is skipped.
    defusedxml refuses entity expansion and external entities. A ``partial`` part (cut at the
    byte budget) gives the text up to where the XML stops.
    """
    out = []
    fallback_depth = 0
    try:
        for event, element in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
            tag = element.tag
            if tag == _MC_FALLBACK:
                fallback_depth += 1 if event == "start" else -1
                continue
            if event != "end" or fallback_depth:
                continue
            if tag == _W + "t":
                out.append(element.text or "")
            elif tag == _W + "tab":
                out.append("\t")
            elif tag in (_W + "br", _W + "cr"):
                out.append("\n")
            elif tag == _W + "p":
                out.append("\n")
    except ElementTree.ParseError:
        if not partial:
            raise
    return "".join(out).strip("\n")


def _read_pdf(data, out):
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError
    from pypdf.generic import DecodedStreamObject, NameObject

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("PDF 已加密，无法自动检查，请人工审查。")
        out.total(len(reader.pages))
        for number, page in enumerate(reader.pages):
            out.check_time()
            if number >= out.limits.pages:
                out.stop("pages")
            contents = page.get_contents()
            content = contents.get_data() if contents is not None else b""
            allowed = out.left()
            out.use(len(content))
            if len(content) > allowed:
                # Read the page's beginning, up to the end of the last text object that fits.
                head = content[:allowed]
                head = head[: head.rfind(b"ET") + 2] if b"ET" in head else b""
                if head:
                    stream = DecodedStreamObject()
                    stream.set_data(head)
                    page[NameObject("/Contents")] = stream
                    try:
                        text = page.extract_text() or ""
                    except Exception:  # noqa: BLE001 - a cut stream may not parse; the pages before stand
                        text = ""
                    out.add(text)
                out.stop("content_bytes")
            out.add(page.extract_text() or "", page=True)
    except PdfReadError as exc:
        raise ExtractionError("不是有效的 PDF 文件。") from exc


_READERS = {"txt": _read_txt, "docx": _read_docx, "pdf": _read_pdf}


# --- The child process -------------------------------------------------------------------------------


def _in_child(kind, data, limits, filename):
    """Run the ``kind`` reader over ``data`` in a child process killed at ``limits.seconds``."""
    if not sys.executable:  # an embedded interpreter: no child to start; bytes and pages still bound it
        out = _Collector(limits, deadline=time.monotonic() + limits.seconds)
        return _collect(kind, data, out, filename)
    command = [
        sys.executable,
        "-m",
        "publishing.confidentiality.extract",
        kind,
        json.dumps(asdict(limits)),
        filename or "",
    ]
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=_PROJECT_ROOT
    )
    timed_out = False
    try:
        output, errors = process.communicate(data, timeout=limits.seconds)
    except subprocess.TimeoutExpired:
        timed_out = True
        process.kill()
        output, errors = process.communicate()
    extraction = _from_records(output, timed_out)
    if extraction.incomplete_reason == "crashed":
        logger.warning("attachment reader for %r exited with %s: %s", filename, process.returncode, errors[-2000:])
    return extraction


def _from_records(output, timed_out):
    """The Extraction the child's JSON lines describe; a cut-off last line is ignored."""
    parts, pages_read, pages_total, end = [], 0, None, None
    for line in output.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if "error" in record:
            raise ExtractionError(record["error"])
        if "pages_total" in record:
            pages_total = record["pages_total"]
        if "text" in record:
            if record["text"]:
                parts.append(record["text"])
            pages_read += 1 if record.get("page") else 0
        if "end" in record:
            end = record["end"]
    if end is None:
        reason = "seconds" if timed_out else "crashed"
    else:
        reason = end["reason"]
    return Extraction(
        text="\n".join(parts),
        complete=not reason,
        incomplete_reason=reason,
        pages_read=pages_read if pages_total is not None else None,
        pages_total=pages_total,
    )


def _collect(kind, data, out, filename):
    try:
        _READERS[kind](data, out)
    except _Stop:
        pass
    except MemoryError:
        out.reason = "memory"
    except ExtractionError:
        raise
    except Exception as exc:  # every parser has its own exceptions for damaged files
        raise ExtractionError(f"“{filename}”已损坏或无法解析，请人工审查。") from exc
    return out.extraction()


def _child_main(argv):
    """``python -m publishing.confidentiality.extract <kind> <limits JSON> <file name>`` reads the file from stdin and
    writes JSON lines: ``{"pages_total"}``, ``{"text", "page"}`` as it goes, then ``{"end"}`` or
    ``{"error"}``."""
    import math
    import resource

    kind, limits, filename = argv[0], Limits(**json.loads(argv[1])), argv[2]
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    # A child its parent could no longer kill (the worker itself was killed) stops on its own.
    cpu = math.ceil(limits.seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    stdout = sys.stdout

    def emit(record):
        stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        stdout.flush()

    data = sys.stdin.buffer.read()
    # A little under the parent's limit, so a reader between pages ends with its own record.
    out = _Collector(limits, emit=emit, deadline=time.monotonic() + limits.seconds * 0.9)
    try:
        extraction = _collect(kind, data, out, filename)
    except ExtractionError as exc:
        emit({"error": str(exc)})
        return 0
    emit({"end": {"reason": extraction.incomplete_reason}})
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
