"""Documents made for tests: PDFs with Chinese text in a CID font, and a PDF bomb."""

import io
import zlib


def pdf_file(objects):
    """A PDF of ``objects`` (bodies of objects 1…n, object 1 the catalogue), with its cross-reference table."""
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
    return pdf_file(objects)


def make_pdf_bomb(pages=100, stream_mb=5.0, first_page_lines=()):
    """A small PDF whose pages all draw one Flate stream of ``stream_mb`` MB of text operators.

    With ``first_page_lines`` the first page has its own ordinary content (what a reader can still
    read before the bomb). A few KB on disk: the operators repeat, so they compress ~1000:1.
    """
    operator = b"BT /F1 12 Tf 10 10 Td (AAAA) Tj ET\n"
    packed = zlib.compress(operator * int(stream_mb * 1024 * 1024 / len(operator)), 9)
    first = 4 if first_page_lines else None
    font = 6 + pages  # after the catalogue, page tree, two streams, Helvetica and the pages
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % (6 + i) for i in range(pages)), pages),
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream",
    ]
    own = b""
    if first_page_lines:
        own = b"\n".join(
            [b"BT", b"/F2 12 Tf", b"14 TL", b"50 780 Td"]
            + [b"<" + line.encode("utf-16-be").hex().upper().encode() + b"> Tj T*" for line in first_page_lines]
            + [b"ET"]
        )
    objects.append(b"<< /Length %d >>\nstream\n" % len(own) + own + b"\nendstream")  # 4: the first page's own
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")  # 5
    for number in range(pages):
        contents = first if number == 0 and first else 3
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R"
            b" /Resources << /Font << /F1 5 0 R /F2 %d 0 R >> >> >>" % (contents, font)
        )
    # The CID font of make_pdf, for the first page's Chinese lines.
    single = make_pdf(["x"])
    cid_font, cmap = _cid_font_objects(single)
    cid_font = cid_font.replace(b"[6 0 R]", b"[%d 0 R]" % (font + 1)).replace(
        b"/ToUnicode 7 0 R", b"/ToUnicode %d 0 R" % (font + 2)
    )
    objects.append(cid_font)
    objects.append(_object(single, 6))
    objects.append(cmap)
    return pdf_file(objects)


def _object(pdf, number):
    start = pdf.index(b"%d 0 obj\n" % number) + len(b"%d 0 obj\n" % number)
    return pdf[start : pdf.index(b"\nendobj\n", start)]


def _cid_font_objects(pdf):
    """The Type0 font (object 4) and its ToUnicode CMap (object 7) of a make_pdf file."""
    return _object(pdf, 4), _object(pdf, 7)
