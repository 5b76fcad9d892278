"""Plain text of attachments, for the confidentiality scan: txt, docx and pdf.

A classification mark in an attached 通知.docx is as much a leak as one in the body, so the
workflow scans attachment text with the page's fields. Formats we cannot read (doc, wps, ofd, xls…)
raise UnsupportedFormat: the workflow must tell the reviewer the file was not checked, never pass it
silently.
"""

import codecs
import io
import os
import zipfile

from defusedxml import ElementTree

# Uploaded files are untrusted: cap what we inflate (zip bombs) and what we read.
MAX_INPUT_BYTES = 60 * 1024 * 1024
MAX_XML_BYTES = 50 * 1024 * 1024
MAX_PDF_PAGES = 2000

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# Parts of a .docx that carry text a reader sees: the body, headers and footers (密级 marks are
# sometimes put in the header), foot- and endnotes, comments.
_DOCX_PARTS = ("word/document.xml", "word/header", "word/footer", "word/footnotes.xml", "word/endnotes.xml")


class ExtractionError(Exception):
    """The file could not be read; the message is for people."""


class UnsupportedFormat(ExtractionError):
    """No text extraction for this kind of file."""


def extract_text(file_obj, filename):
    """Return the text of ``file_obj`` (a binary file object), choosing the reader by ``filename``.

    :param file_obj: an open binary file (an UploadedFile, a Django File, an io.BytesIO …).
    :param filename: the original name; only its extension is used.
    :raises UnsupportedFormat: for extensions other than .txt, .docx and .pdf.
    :raises ExtractionError: for a damaged, encrypted or oversized file.
    """
    extension = os.path.splitext(filename or "")[1].lower()
    readers = {".txt": _text_of_txt, ".docx": _text_of_docx, ".pdf": _text_of_pdf}
    reader = readers.get(extension)
    if reader is None:
        raise UnsupportedFormat(f"无法读取“{filename}”的文字（不支持 {extension or '无扩展名'} 格式），请人工审查。")
    if hasattr(file_obj, "seek"):
        file_obj.seek(0)
    data = file_obj.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise ExtractionError(f"“{filename}”超过 {MAX_INPUT_BYTES // 1024 // 1024} MB，无法自动检查，请人工审查。")
    try:
        return reader(data)
    except ExtractionError:
        raise
    except Exception as exc:  # every parser has its own exceptions for damaged files
        raise ExtractionError(f"“{filename}”已损坏或无法解析，请人工审查。") from exc


def decode_text(data):
    """UTF-8 (with or without BOM) or UTF-16 with a BOM, else GB 18030 (a superset of GBK/GB2312)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def _text_of_txt(data):
    return decode_text(data)


def _text_of_docx(data):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ExtractionError("不是有效的 .docx 文件。") from exc
    with archive:
        names = [info for info in archive.infolist() if info.filename.startswith(_DOCX_PARTS)]
        names.sort(key=lambda info: (not info.filename.startswith("word/header"), info.filename))
        if sum(info.file_size for info in names) > MAX_XML_BYTES:
            raise ExtractionError("文档内容过大，无法自动检查。")
        parts = []
        for info in names:
            with archive.open(info) as part:
                xml = part.read(MAX_XML_BYTES + 1)  # the declared size may lie
            if len(xml) > MAX_XML_BYTES:
                raise ExtractionError("文档内容过大，无法自动检查。")
            parts.append(_wordprocessing_text(xml))
    return "\n".join(part for part in parts if part)


def _wordprocessing_text(xml):
    """Text of a WordprocessingML part in document order: runs, tabs, breaks, one line per paragraph.

    Text boxes come twice (DrawingML and a VML copy under mc:Fallback); the fallback is skipped.
    defusedxml refuses entity expansion and external entities.
    """
    out = []
    fallback_depth = 0
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
    return "".join(out).strip("\n")


def _text_of_pdf(data):
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("PDF 已加密，无法自动检查，请人工审查。")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise ExtractionError(f"PDF 超过 {MAX_PDF_PAGES} 页，无法自动检查，请人工审查。")
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except PdfReadError as exc:
        raise ExtractionError("不是有效的 PDF 文件。") from exc
