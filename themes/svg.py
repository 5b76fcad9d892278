"""SVG uploads: only plain drawings are stored; anything that could run or fetch is refused.

nginx serves ``/media/`` straight from disk as ``image/svg+xml``, on every site's host. An SVG
opened there is a document of that origin: a ``<script>``, an ``onload=`` or a ``javascript:``
link in it runs with the signed-in editor's session. Rewriting ("sanitising") a file leaves what
the sanitiser's parser and the browser's parser read differently; serving SVGs as attachments
needs every path to the file to set headers. So the file is checked when it is uploaded, against
a list of what a logo needs (shapes, text, gradients, filters, local references), and refused with
a message naming what it found. Design tools' own metadata (Inkscape, Illustrator) is allowed.

``svg_problem(data)`` returns that message, or None for a clean drawing; ``check_svg_upload``
raises it as a ValidationError for forms.
"""

import re
import xml.etree.ElementTree as ET  # noqa: S405 - entities are refused before parsing (see below)

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
# A logo is a few kilobytes; a larger file is not a logo, and its parse cost grows with it.
MAX_SVG_BYTES = 512 * 1024

# What a drawing needs. Not here, so refused: script, foreignObject (HTML inside the drawing),
# iframe/embed/object, animation (``<set attributeName="href" to="javascript:…">``), a, view.
ALLOWED_ELEMENTS = frozenset(
    """svg g defs symbol use title desc metadata switch style
    path rect circle ellipse line polyline polygon image
    text tspan textPath
    linearGradient radialGradient stop pattern clipPath mask marker
    filter feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting
    feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR
    feGaussianBlur feImage feMerge feMergeNode feMorphology feOffset fePointLight
    feSpecularLighting feSpotLight feTile feTurbulence""".split()
)
# Namespaces of design tools' metadata: never rendered, never run. The XHTML namespace is not
# among them: an ``<html:script>`` inside an SVG runs.
METADATA_NAMESPACES = frozenset(
    {
        "http://www.inkscape.org/namespaces/inkscape",
        "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "http://creativecommons.org/ns#",
        "http://purl.org/dc/elements/1.1/",
        "http://purl.org/dc/terms/",
        "http://ns.adobe.com/AdobeIllustrator/10.0/",
        "http://ns.adobe.com/AdobeSVGViewerExtensions/3.0/",
        "http://ns.adobe.com/Extensibility/1.0/",
        "http://ns.adobe.com/Flows/1.0/",
        "http://ns.adobe.com/ImageReplacement/1.0/",
        "http://ns.adobe.com/GenericCustomNamespace/1.0/",
        "http://ns.adobe.com/XPath/1.0/",
        "http://ns.adobe.com/SaveForWeb/1.0/",
        "http://ns.adobe.com/Variables/1.0/",
        "http://ns.adobe.com/xap/1.0/",
        "adobe:ns:meta/",
    }
)
# A reference may only point inside the file, or be a raster picture embedded in it.
LOCAL_REFERENCE_RE = re.compile(r"^\s*#")
EMBEDDED_PICTURE_RE = re.compile(r"^\s*data:image/(png|jpeg|gif|webp);base64,[a-z0-9+/=\s]*$", re.IGNORECASE)
URL_RE = re.compile(r"url\s*\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
# In style text and attribute values: what fetches or runs, whatever else is there.
ACTIVE_TEXT_RE = re.compile(r"@import|expression\s*\(|-moz-binding|behavior\s*:|javascript:|vbscript:", re.IGNORECASE)
# Control characters and whitespace browsers skip inside a URL scheme ("java\tscript:").
SCHEME_NOISE_RE = re.compile(r"[\x00-\x20]+")


def _local_name(name):
    return name.rsplit("}", 1)[-1]


def _namespace(name):
    return name[1:].split("}", 1)[0] if name.startswith("{") else ""


def _external_url(text):
    """The first url(...) in ``text`` that points outside the file, else None."""
    for match in URL_RE.finditer(text):
        target = match.group(2).strip()
        if not (LOCAL_REFERENCE_RE.match(target) or EMBEDDED_PICTURE_RE.match(target)):
            return target
    return None


def _shown(target):
    """A reference as quoted back to the uploader: short, without control characters."""
    return SCHEME_NOISE_RE.sub(" ", target).strip()[:60]


def _text_problem(text):
    squeezed = SCHEME_NOISE_RE.sub("", text)
    if ACTIVE_TEXT_RE.search(text) or ACTIVE_TEXT_RE.search(squeezed):
        return _("含有脚本或可执行的样式")
    target = _external_url(text)
    if target is not None:
        return _("引用了外部资源（%(target)s）") % {"target": _shown(target)}
    return None


class _Collector(ET.TreeBuilder):
    """Builds the tree and remembers processing instructions (``<?xml-stylesheet href=…?>``),
    which the plain tree leaves out."""

    def __init__(self):
        super().__init__()
        self.instructions = []

    def pi(self, target, data=None):
        self.instructions.append(target)


def _parse(text):
    collector = _Collector()
    parser = ET.XMLParser(target=collector)  # noqa: S314 - no entities reach the parser
    parser.feed(text)
    return parser.close(), collector.instructions


def _element_problem(element):
    namespace, name = _namespace(element.tag), _local_name(element.tag)
    if namespace in METADATA_NAMESPACES:
        pass
    elif namespace != SVG_NS or name not in ALLOWED_ELEMENTS:
        return _("含有不允许的元素 <%(name)s>（标志只能由图形、文字、渐变和滤镜组成）") % {"name": name}
    for attribute, value in element.attrib.items():
        local = _local_name(attribute).lower()
        if local.startswith("on"):
            return _("含有事件处理属性 %(name)s") % {"name": _local_name(attribute)}
        if local == "href":
            allowed = LOCAL_REFERENCE_RE.match(value) or (
                name in ("image", "feImage") and EMBEDDED_PICTURE_RE.match(value)
            )
            if not allowed:
                return _("引用了外部资源或链接（%(target)s）") % {"target": _shown(value)}
            continue
        if problem := _text_problem(value):
            return problem
    if name == "style" and namespace == SVG_NS and (problem := _text_problem(element.text or "")):
        return problem
    return None


def svg_problem(data):
    """Why the SVG ``data`` (bytes) may not be stored, as a sentence for the uploader; None if clean."""
    if len(data) > MAX_SVG_BYTES:
        return _("文件超过 %(size)d KB，标志不应这么大") % {"size": MAX_SVG_BYTES // 1024}
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _("文件不是 UTF-8 编码")
    # Entities can expand without bound or pull in files; a drawing needs none. A plain
    # <!DOCTYPE svg PUBLIC …> from a design tool is fine: the parser never fetches it.
    if re.search(r"<!ENTITY", text, re.IGNORECASE):
        return _("含有实体声明（<!ENTITY>）")
    try:
        root, instructions = _parse(text)
    except ET.ParseError:
        return _("不是有效的 SVG 文件，无法解析")
    if root.tag != f"{{{SVG_NS}}}svg":
        return _("不是有效的 SVG 文件（根元素不是 svg）")
    if [target for target in instructions if target.lower() != "xml"]:
        return _("含有处理指令（如 xml-stylesheet），可能引用外部样式")
    for element in root.iter():
        if not isinstance(element.tag, str):  # comments
            continue
        if problem := _element_problem(element):
            return problem
    return None


def is_svg_name(name):
    return (name or "").lower().endswith((".svg", ".svgz"))


def check_svg_upload(uploaded):
    """Raise ValidationError when the uploaded (or stored) file is an SVG that may not be kept."""
    if uploaded is None or not is_svg_name(getattr(uploaded, "name", "")):
        return
    if uploaded.name.lower().endswith(".svgz"):
        raise ValidationError(_("不支持压缩的 SVG（.svgz），请上传 .svg、PNG 或 WebP 文件。"), code="svg_unsafe")
    uploaded.seek(0)
    data = uploaded.read(MAX_SVG_BYTES + 1)
    uploaded.seek(0)
    problem = svg_problem(data)
    if problem:
        raise ValidationError(
            _(
                "该 SVG 文件不能使用：%(problem)s。为防止其中的代码在网站上运行，已拒绝上传。"
                "请从设计软件重新导出为普通 SVG，或上传 PNG/WebP 图片。"
            )
            % {"problem": problem},
            code="svg_unsafe",
        )
