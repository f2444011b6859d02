"""A small streaming .xlsx writer for large exports (the register of a whole province).

openpyxl, even in write-only mode, spends about a millisecond a row building cell objects; a
province of 150.000 members took over a minute. This writes the sheet XML straight into the zip
entry, row by row, so time is linear and memory stays flat. It knows only what exports (and an
uploaded .xls or .ods rewritten as .xlsx) need: one sheet or several, text (always inline text, never a
formula), whole and decimal numbers, dates shown dd/mm/yyyy, a bold header row that stays frozen,
column widths.
"""

import re
import zipfile
from datetime import date, datetime
from xml.sax.saxutils import escape

EPOCH = date(1899, 12, 30)
# Characters XML 1.0 cannot carry; users paste them from other programs.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
{sheets}
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""
SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets>{sheets}</sheets>
</workbook>"""
WORKBOOK_SHEET = '<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>'
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
{sheets}
<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""
WORKBOOK_SHEET_REL = (
    '<Relationship Id="rId{n}" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet{n}.xml"/>'
)
# Style 0: plain; 1: date dd/mm/yyyy; 2: bold header on a light fill, wrapped.
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Times New Roman"/></font><font><b/><sz val="11"/><name val="Times New Roman"/></font></fonts>
<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" applyAlignment="1"><alignment wrapText="1" vertical="center"/></xf></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""


def column_letter(n: int) -> str:
    letters = ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def cell_xml(value, style_text="") -> str:
    if value is None or value == "":
        return "<c/>"
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, (int, float)):
        return f"<c{style_text}><v>{value}</v></c>"
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f'<c s="1"><v>{(value - EPOCH).days}</v></c>'
    text = escape(_ILLEGAL.sub("", str(value)))
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<c t="inlineStr"{style_text}><is><t{space}>{text}</t></is></c>'


class StreamingXlsx:
    """``with StreamingXlsx(path, "Sheet", widths) as x: x.header([...]); x.row([...])``; ``x.sheet(name)`` goes
    on in a further sheet. Without a sheet name, the first sheet is started with ``x.sheet(name)``."""

    def __init__(self, path, sheet_name: str | None = None, widths: list[float] = (), *, frozen_header: bool = True):
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self.first = (sheet_name, widths, frozen_header)
        self.names = []
        self.current = None

    def __enter__(self):
        name, widths, frozen_header = self.first
        if name is not None:
            self.sheet(name, widths, frozen_header=frozen_header)
        return self

    def sheet(self, name: str, widths: list[float] = (), *, frozen_header: bool = True) -> None:
        """Start a further sheet (the one before it is finished)."""
        self._end_sheet()
        self.names.append(escape(name[:31], {'"': "&quot;"}))
        self.current = self.zip.open(f"xl/worksheets/sheet{len(self.names)}.xml", "w", force_zip64=True)
        pane = (
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/></sheetView></sheetViews>'
        )
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, start=1))
        self._write(
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + (pane if frozen_header else "")
            + (f"<cols>{cols}</cols>" if cols else "")
            + "<sheetData>"
        )

    def _end_sheet(self) -> None:
        if self.current:
            self._write("</sheetData></worksheet>")
            self.current.close()
            self.current = None

    def _write(self, text: str) -> None:
        self.current.write(text.encode("utf-8"))

    def header(self, values) -> None:
        self._write("<row>" + "".join(cell_xml(v, ' s="2"') for v in values) + "</row>")

    def row(self, values) -> None:
        self._write("<row>" + "".join(cell_xml(v) for v in values) + "</row>")

    def __exit__(self, *exc):
        self._end_sheet()
        numbers = range(1, len(self.names) + 1)
        self.zip.writestr(
            "[Content_Types].xml", CONTENT_TYPES.format(sheets="\n".join(SHEET_TYPE.format(n=n) for n in numbers))
        )
        self.zip.writestr("_rels/.rels", RELS)
        sheets = "".join(WORKBOOK_SHEET.format(name=name, n=n) for n, name in zip(numbers, self.names, strict=True))
        self.zip.writestr("xl/workbook.xml", WORKBOOK.format(sheets=sheets))
        rels = "\n".join(WORKBOOK_SHEET_REL.format(n=n) for n in numbers)
        self.zip.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(sheets=rels))
        self.zip.writestr("xl/styles.xml", STYLES)
        self.zip.close()
        return False
