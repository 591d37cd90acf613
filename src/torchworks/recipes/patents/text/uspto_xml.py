"""USPTO full-text XML in the layouts the USPTO has published since 2001.

Three element vocabularies cover the six sample layouts:

| layout                    | root                           | description        | claims        |
|---------------------------|--------------------------------|--------------------|---------------|
| pap (2001 pre-grant pubs) | patent-application-publication | subdoc-description | subdoc-claims |
| sgml (2001 grants, ST.32) | PATDOC                         | SDODE              | SDOCL//CLM    |
| xml2004, xml2006, xml2014 | us-patent-grant                | description        | claims/claim  |
| xmlApp2004 (applications) | us-patent-application          | description        | claims/claim  |

Section hints come from container elements (pap: <summary-of-invention>; ST.32: BRFSUM,
DRWDESC, DETDESC) or from processing instructions (ICE: <?BRFSUM end="lead"?> ...
<?BRFSUM end="tail"?>); headings refine them (see `sections`). The weekly bulk files
concatenate many documents, each starting with its own <?xml ...?>: all are read.
ST.32 and pap files use SGML entities (&lsquo;, &lgr;) that plain XML parsers reject, so
entities are resolved before parsing and the DOCTYPE is dropped (no DTD is ever fetched).
"""

from __future__ import annotations

import html.entities
import re
import xml.etree.ElementTree as ET

from torchworks.recipes.patents.text.patent import BadDocument, Patent
from torchworks.recipes.patents.text.sections import CONTAINER_HINTS, Block, assemble_sections

_DOCTYPE = re.compile(r"<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>", re.DOTALL)
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9.]*);")
_XML_ENTITIES = frozenset({"lt", "gt", "amp", "quot", "apos"})
# ISO 8879 Greek entity names used by ST.32 (&agr; = alpha, &lgr; = lambda, ...)
_ISO_GREEK = dict(zip(
    ("agr", "bgr", "ggr", "dgr", "egr", "zgr", "eegr", "thgr", "igr", "kgr", "lgr", "mgr",
     "ngr", "xgr", "ogr", "pgr", "rgr", "sgr", "tgr", "ugr", "phgr", "khgr", "psgr", "ohgr"),
    "αβγδεζηθικλμνξοπρστυφχψω", strict=True))
_XML_START = re.compile(r"(?=<\?xml\s)")
_ST32_START = re.compile(r"(?=<!DOCTYPE\s+PATDOC\b)")
_START_TAG = re.compile(r"<([A-Za-z][\w.-]*)(\s[^<>]*?)?(?<!/)>")
_END_TAG = re.compile(r"</([A-Za-z][\w.-]*)\s*>")
_NUMBERED = re.compile(r"^\s*\d{1,3}\s?\.\s*(?=\S)")

_SKIP = frozenset({
    "tables", "table", "table-us", "table-cals", "table-cwu", "maths", "math", "math-us",
    "mathml", "mathematica", "chemistry", "us-chemistry", "chem-us", "chemcdx", "img", "emi",
    "cwu", "figure", "number", "sequence-cwu", "br-table",
})
_PARAGRAPHS = frozenset({"p", "paragraph", "para"})
_HEADINGS = frozenset({"heading", "h"})
_SPACED = frozenset({"claim-text", "clmstep", "li", "br", "entry", "ptext", "p", "para"})


def split_documents(text: str) -> list[str]:
    """One string per document in a file that may concatenate many (USPTO bulk files). XML
    documents start with <?xml ...?>; the 2001 ST.32 grant files, SGML, with <!DOCTYPE PATDOC."""
    start = _XML_START if "<?xml" in text else _ST32_START
    parts = [p for p in start.split(text) if p.strip()]
    return parts or [text]


def close_empty_sgml(document: str) -> str:
    """ST.32 SGML written as XML: a start tag that is never closed in the document (<EMI ...>,
    <CITED-BY-EXAMINER>, <B597US>: SGML empty elements) becomes self-closing. The USPTO's own
    2001 grant files are like this; without it no XML parser reads them."""
    closed = set(_END_TAG.findall(document))
    return _START_TAG.sub(lambda m: m.group(0) if m.group(1) in closed
                          else f"<{m.group(1)}{m.group(2) or ''}/>", document)


def parse_documents(text: str, source: str) -> list[Patent | BadDocument]:
    """Every document in `text` as a Patent, or a BadDocument saying why it could not be read."""
    results: list[Patent | BadDocument] = []
    for index, document in enumerate(split_documents(text)):
        where = source if index == 0 else f"{source}#{index}"
        try:
            results.append(parse_document(document, where))
        except (ET.ParseError, ValueError) as exc:
            results.append(BadDocument(id=where, source=where, error=f"not readable XML: {exc}"))
    return results


def parse_document(document: str, source: str) -> Patent:
    """One XML document -> Patent. Raises ValueError for an unknown layout."""
    root = _parse(document)
    tag = root.tag.lower()
    if tag in ("us-patent-grant", "us-patent-application"):
        parts = ("description", "claims", "abstract")
        title = _find_text(root, "invention-title")
        doc = root.find(".//publication-reference/document-id")
        number = "".join(_find_text(doc, t) for t in ("country", "doc-number", "kind")) \
            if doc is not None else ""
        date = _find_text(doc, "date") if doc is not None else ""
    elif tag == "patent-application-publication":
        parts = ("subdoc-description", "subdoc-claims", "subdoc-abstract")
        title = _find_text(root, "title-of-invention")
        doc = root.find(".//subdoc-bibliographic-information/document-id")
        number = "US" + _find_text(doc, "doc-number") + _find_text(doc, "kind-code") \
            if doc is not None else ""
        date = _find_text(doc, "document-date") if doc is not None else ""
    elif tag == "patdoc":
        parts = ("SDODE", "SDOCL", "SDOAB")
        title = _find_text(root, "B540")
        number = "US" + _find_text(root, "B110") + _find_text(root, "B130")
        date = _find_text(root, "B140")
    else:
        raise ValueError(f"unknown patent XML layout with root element <{root.tag}>")
    description, claims, abstract = (root.find(f".//{name}") for name in parts)
    blocks: list[Block] = []
    if description is not None:
        _collect_blocks(description, None, blocks)
    return Patent(
        id=number or source,
        title=title,
        date=_iso_date(date),
        abstract=_abstract(abstract),
        sections=assemble_sections(blocks),
        claims=_claims(claims),
        source=source,
    )


def _iso_date(text: str) -> str:
    """"20051129" -> "2005-11-29"; anything else as it stands."""
    text = text.strip()
    if len(text) == 8 and text.isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return text


def _parse(document: str) -> ET.Element:
    document = _DOCTYPE.sub("", document, count=1)
    if "<PATDOC" in document[:4096]:
        document = close_empty_sgml(document)
    document = _ENTITY.sub(_resolve_entity, document)
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_pis=True))
    parser.feed(document)
    return parser.close()


def _resolve_entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in _XML_ENTITIES:
        return match.group(0)
    char = html.entities.html5.get(name + ";") or _ISO_GREEK.get(name)
    if char is None:
        return " "
    return {"<": "&lt;", ">": "&gt;", "&": "&amp;"}.get(char, char)


def _find_text(element: ET.Element | None, tag: str) -> str:
    found = element.find(f".//{tag}") if element is not None else None
    return " ".join(element_text(found).split()) if found is not None else ""


def element_text(element: ET.Element) -> str:
    """Visible text of an element, skipping tables, formulas, images and paragraph numbers."""
    pieces: list[str] = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag.lower() not in _SKIP:
            spaced = child.tag.lower() in _SPACED
            pieces.append(" " if spaced else "")
            pieces.append(element_text(child))
            pieces.append(" " if spaced else "")
        pieces.append(child.tail or "")
    return "".join(pieces)


def _collect_blocks(element: ET.Element, hint: str | None, blocks: list[Block]) -> None:
    """Depth-first: headings and paragraphs in document order, each with its section hint."""
    outer = hint
    for child in element:
        if child.tag is ET.ProcessingInstruction:
            name, _, rest = (child.text or "").partition(" ")
            kind = CONTAINER_HINTS.get(name.lower())
            if kind is not None:
                hint = kind if 'end="lead"' in rest else outer
            continue
        if not isinstance(child.tag, str):
            continue
        tag = child.tag.lower()
        if tag in _SKIP:
            continue
        if tag in _HEADINGS:
            blocks.append(Block(element_text(child), is_heading=True, hint=hint))
        elif tag in _PARAGRAPHS:
            blocks.append(Block(element_text(child), hint=hint))
        else:
            _collect_blocks(child, CONTAINER_HINTS.get(tag, hint), blocks)


def _abstract(element: ET.Element | None) -> str:
    if element is None:
        return ""
    paragraphs = [" ".join(element_text(p).split()) for p in element.iter()
                  if isinstance(p.tag, str) and p.tag.lower() in _PARAGRAPHS]
    if not paragraphs:
        paragraphs = [" ".join(element_text(element).split())]
    return " ".join(p for p in paragraphs if p)


def _claims(element: ET.Element | None) -> list[str]:
    if element is None:
        return []
    claims = []
    for claim in element.iter():
        if isinstance(claim.tag, str) and claim.tag.lower() in ("claim", "clm"):
            text = " ".join(element_text(claim).split())
            claims.append(_NUMBERED.sub("", text, count=1))
    return [c for c in claims if c]
