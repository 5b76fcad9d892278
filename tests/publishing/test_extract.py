"""Attachment text for the scan: txt in both encodings, docx (body, header, text boxes), pdf."""

import io
import zipfile

import pytest

from publishing.extract import ExtractionError, UnsupportedFormat, extract_text
from publishing.scan import scan

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def paragraph(*runs):
    return "<w:p>" + "".join(f"<w:r><w:t xml:space='preserve'>{run}</w:t></w:r>" for run in runs) + "</w:p>"


def make_docx(body, header=""):
    """A minimal .docx: the parts Word itself needs to open it, plus an optional header part."""
    document = f"<w:document xmlns:w='{W_NS}' xmlns:mc='{MC_NS}'><w:body>{body}</w:body></w:document>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            "<Types xmlns='http://schemas.openxmlformats.org/package/2006/content-types'>"
            "<Default Extension='xml' ContentType='application/xml'/></Types>",
        )
        archive.writestr("word/document.xml", document)
        if header:
            archive.writestr("word/header1.xml", f"<w:hdr xmlns:w='{W_NS}'>{header}</w:hdr>")
    return buffer.getvalue()


def make_pdf(lines):
    """A one-page PDF showing ``lines`` in a CID font whose ToUnicode map is the identity (UTF-16)."""
    cmap = (
        b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        b"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        b"1 beginbfrange\n<0000> <FFFF> <0000>\nendbfrange\n"
        b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    )
    ops = [b"BT", b"/F1 12 Tf", b"14 TL", b"50 780 Td"]
    ops += [b"<" + line.encode("utf-16-be").hex().upper().encode() + b"> Tj T*" for line in lines]
    ops.append(b"ET")
    content = b"\n".join(ops)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >>"
        b" /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H"
        b" /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"endstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_txt_in_every_common_encoding(encoding):
    text = "秘密★1年\n关于做好防汛工作的通知"
    assert extract_text(io.BytesIO(text.encode(encoding)), "通知.TXT") == text


def test_docx_body_header_tabs_and_breaks():
    body = (
        paragraph("关于做好", "防汛工作的通知")
        + "<w:p><w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t><w:br/><w:t>丙</w:t></w:r></w:p>"
    )
    data = make_docx(body, header=paragraph("机密★10年"))
    text = extract_text(io.BytesIO(data), "附件1.docx")
    assert text == "机密★10年\n关于做好防汛工作的通知\n甲\t乙\n丙"
    assert scan({"attachment": text}).verdict == "block"


def test_docx_text_box_is_read_once():
    # Word writes a text box twice: DrawingML under mc:Choice and a VML copy under mc:Fallback.
    box = paragraph("内部资料 注意保存")
    body = (
        "<w:p><w:r><mc:AlternateContent>"
        f"<mc:Choice Requires='wps'><w:txbxContent>{box}</w:txbxContent></mc:Choice>"
        f"<mc:Fallback><w:txbxContent>{box}</w:txbxContent></mc:Fallback>"
        "</mc:AlternateContent></w:r></w:p>"
    )
    text = extract_text(io.BytesIO(make_docx(body)), "简报.docx")
    assert text.count("内部资料") == 1


def test_docx_refuses_entity_expansion():
    bomb = (
        "<?xml version='1.0'?><!DOCTYPE w [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;'>]>"
        f"<w:document xmlns:w='{W_NS}'><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", bomb)
    with pytest.raises(ExtractionError):
        extract_text(buffer, "bomb.docx")


def test_pdf_text_including_chinese():
    data = make_pdf(["秘密★1年", "关于做好防汛工作的通知"])
    text = extract_text(io.BytesIO(data), "文件.pdf")
    assert "秘密★1年" in text and "防汛工作" in text
    assert scan({"attachment": text}).verdict == "block"


@pytest.mark.parametrize("name", ["通知.doc", "表格.xlsx", "公文.ofd", "无扩展名"])
def test_unsupported_formats_say_so(name):
    with pytest.raises(UnsupportedFormat, match="请人工审查"):
        extract_text(io.BytesIO(b"data"), name)


@pytest.mark.parametrize("name", ["坏.docx", "坏.pdf"])
def test_damaged_files_raise_extraction_error(name):
    with pytest.raises(ExtractionError):
        extract_text(io.BytesIO(b"this is not a real file"), name)
