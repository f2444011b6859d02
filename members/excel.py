"""The register as Excel: the import template, the import (dry run, then commit) and the export.

One column table (COLUMNS) feeds all three, so a file exported here imports back unchanged.
"""

import functools
import os
import re
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import zip_longest

from django.db import transaction
from django.http import FileResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill

from members import services, text
from members.models import Gender, ImportBatch, Member, Status, joining_dates_refused, party_dates_refused
from members.xlsx_stream import EPOCH, StreamingXlsx
from reports import tally
from unionapp import audit
from unionapp.models import Kind, Unit
from unionapp.scoping import unit_label_within

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_UNCOMPRESSED = 200 * 1024 * 1024  # a 10 MB xlsx rarely unpacks past 100 MB; more is a zip bomb
EMPTY_ROWS_END = 1_000  # this many empty rows in a row end the data
EXAMPLE_MARK = "VD"

# field, header, width, required
COLUMNS = [
    ("full_name", gettext_lazy("Họ và tên"), 28, True),
    ("date_of_birth", gettext_lazy("Ngày sinh"), 13, True),
    ("gender", gettext_lazy("Giới tính"), 10, True),
    ("ethnicity", gettext_lazy("Dân tộc"), 10, False),
    ("religion", gettext_lazy("Tôn giáo"), 11, False),
    ("citizen_id", gettext_lazy("Số CCCD"), 15, False),
    ("phone", gettext_lazy("Số điện thoại"), 14, False),
    ("address", gettext_lazy("Địa chỉ"), 32, False),
    ("education", gettext_lazy("Trình độ học vấn"), 12, False),
    ("occupation", gettext_lazy("Nghề nghiệp"), 16, False),
    ("joined_on", gettext_lazy("Ngày vào Đoàn"), 13, False),
    ("card_number", gettext_lazy("Số thẻ đoàn viên"), 16, False),
    ("cell_code", gettext_lazy("Mã chi đoàn"), 14, False),
    ("party_introduced_on", gettext_lazy("Ngày giới thiệu cho Đảng"), 14, False),
    ("party_admitted_on", gettext_lazy("Ngày vào Đảng"), 13, False),
]
DATE_FIELDS = {"date_of_birth", "joined_on", "party_introduced_on", "party_admitted_on"}
# Written by the register's export, read by the import: members who have left are skipped, not brought back.
STATUS_LABEL = gettext_lazy("Tình trạng")
# Kept as typed: digits, grades, and dates (05/09/2005 typed on a computer set to month/day would become 9 May).
TEXT_COLUMNS = {"citizen_id", "phone", "education", "card_number", "cell_code", *DATE_FIELDS}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
INSTRUCTIONS_TITLE = gettext_lazy("Hướng dẫn")  # the templates' second sheet, not read as data


class ImportRefused(Exception):
    """The whole file is refused (wrong type, too large, too many rows); nothing was read into the register."""


@dataclass
class RowError:
    row: int
    column: str
    message: str
    sheet: str = ""  # in a file read sheet by sheet (a sheet per cell), the sheet's name


@dataclass
class ImportResult:
    members: list = field(default_factory=list)  # (row number, unsaved Member)
    header_row: int = 1  # the row of the column names (an office's own list may start with its title)
    font: str = ""  # the old font the file was typed in (TCVN3, VNI), read back into Unicode
    font_changes: list = field(default_factory=list)  # (row, column, as typed, as read, sheet when several)
    sheet: str = ""  # the name of the sheet read
    sheet_index: int = 0  # its place in the file: the first one with the register's column names
    skipped_sheets: list = field(default_factory=list)  # other sheets holding data: not read
    # A file with the register on several sheets (a base union's, a sheet per cell): each sheet read, as
    # (name, its place in the file, its header row, the unit its rows go to when they name no cell, rows kept).
    parts: list = field(default_factory=list)
    columns_read: list = field(default_factory=list)  # (the file's column name, what it was read as)
    columns_unread: list = field(default_factory=list)  # the file's column names not read
    errors: list = field(default_factory=list)  # RowError
    duplicates: list = field(default_factory=list)  # RowError: reported, skipped at commit

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def font_examples(self) -> list:
        """A few of the old font's cells read back, for the preview: names first, what the reader checks."""
        names = [c for c in self.font_changes if c[1] == str(COLUMNS[0][1])]
        return (names or self.font_changes)[:3]

    def error_rows(self) -> dict[tuple[str, int], list[str]]:
        """{(sheet, row): messages}; the sheet is "" when the file was read from one sheet."""
        rows: dict[tuple[str, int], list[str]] = {}
        for e in [*self.errors, *self.duplicates]:
            rows.setdefault((e.sheet, e.row), []).append(f"{e.column}: {e.message}" if e.column else e.message)
        return rows


# --- template ------------------------------------------------------------------------


def template_workbook() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Danh sách đoàn viên")
    ws.append([_("STT"), *[str(c[1]) + (" *" if c[3] else "") for c in COLUMNS]])
    ws.append(
        [
            EXAMPLE_MARK,
            "Nguyễn Thị Mẫu",
            "05/09/2005",
            "Nữ",
            "Kinh",
            "Không",
            "001305012345",
            "0912 345 678",
            "Thôn Bản Trại, xã Quang Lang",
            "12/12",
            "Sinh viên",
            "26/03/2021",
            "",
            "",
        ]
    )
    style_header(ws)
    ws.column_dimensions["A"].width = 6
    for i, col in enumerate(COLUMNS, start=2):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = col[2]
    for row in ws.iter_rows(min_row=2, max_row=2):
        for cell in row:
            cell.font = Font(italic=True, color="808080")
            cell.number_format = "@"
    # Typed into these columns, 001305012345, 0912345678, 12/12 and 05/09/2005 stay as typed (not a number
    # without its zeros, nor a date read month first): the columns are formatted as text.
    for i, col in enumerate(COLUMNS, start=2):
        if col[0] in TEXT_COLUMNS:
            ws.column_dimensions[ws.cell(1, i).column_letter].number_format = "@"
    instructions_sheet(
        wb,
        [
            _("Mỗi dòng một đoàn viên, bắt đầu từ dòng 3. Dòng có STT là 'VD' là dòng ví dụ và không được nhập."),
            _("Cột có dấu * là bắt buộc. Ngày ghi dạng dd/mm/yyyy (ví dụ 05/09/2005) hoặc dùng kiểu ngày của Excel."),
            _("Giới tính: Nam hoặc Nữ. Số CCCD: đúng 12 chữ số, có thể để trống."),
            _(
                "Các cột ngày, số CCCD, số điện thoại, trình độ học vấn đã định dạng là văn bản: gõ như viết trên "
                "giấy (05/09/2005, 001305012345, 0912345678, 12/12)."
            ),
            _("Ngày giới thiệu cho Đảng, ngày vào Đảng: để trống nếu chưa có."),
            _("Mã chi đoàn: để trống khi nhập cho một chi đoàn; bắt buộc khi nhập cho cả đoàn cơ sở."),
            _("Tệp tối đa 10 MB và 50.000 dòng."),
        ],
    )
    return wb


def instructions_sheet(wb, lines) -> None:
    """A second sheet, "Hướng dẫn", a line of instructions a row."""
    notes = wb.create_sheet(str(INSTRUCTIONS_TITLE))
    for line in lines:
        notes.append([str(line)])
    notes.column_dimensions["A"].width = 110


def append_text_row(ws, values) -> None:
    """Append a row whose text (names, codes: what users typed) is never read as a formula. The cells are made
    before they are appended: looking the row up after (``ws[ws.max_row]``) reads the whole sheet each time."""
    cells = [Cell(ws, value=value) for value in values]
    for cell in cells:
        if isinstance(cell.value, str):
            cell.data_type = "s"
    ws.append(cells)


def style_header(ws) -> None:
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.freeze_panes = "A2"


# --- import --------------------------------------------------------------------------


# An Excel 97–2003 workbook (.xls) is an OLE2 compound file; so is an .xlsx saved with a password.
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def open_upload(path: str):
    """Open an uploaded file as a read-only workbook, or refuse it with a message. An Excel 97–2003 file (.xls,
    as many offices' registers still are) or a LibreOffice one (.ods, the state's open format) is first rewritten
    in place as .xlsx (``xlsx_from_xls``, ``xlsx_from_ods``), so that what reads, previews and marks the errors of
    a file reads it as any other."""
    if os.path.getsize(path) > MAX_BYTES:
        raise ImportRefused(_("Tệp lớn hơn 10 MB. Hãy chia thành nhiều tệp nhỏ hơn."))
    not_xlsx = _(
        "Tệp không phải bảng tính Excel (.xlsx, .xls) hay LibreOffice (.ods). Hãy mở tệp và lưu lại dạng .xlsx."
    )
    with open(path, "rb") as f:
        if f.read(len(OLE2_SIGNATURE)) == OLE2_SIGNATURE:
            xlsx_from_xls(path)
    if is_ods(path):
        xlsx_from_ods(path)
    if not zipfile.is_zipfile(path):
        raise ImportRefused(not_xlsx)
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise ImportRefused(_("Tệp có chứa macro (.xlsm). Hãy lưu lại dạng .xlsx không có macro."))
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
                raise ImportRefused(not_xlsx)
            if sum(i.file_size for i in z.infolist()) > MAX_UNCOMPRESSED:
                raise ImportRefused(_("Tệp giải nén quá lớn, không thể đọc an toàn."))
    except zipfile.BadZipFile:
        raise ImportRefused(not_xlsx) from None
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:
        raise ImportRefused(not_xlsx) from None
    ws = wb.worksheets[0]
    if ws.max_row and ws.max_row > MAX_ROWS + 2:
        wb.close()
        raise ImportRefused(_("Trang tính có hơn 50.000 dòng. Hãy chia thành nhiều tệp."))
    return wb, ws


def xlsx_from_xls(path: str) -> None:
    """Rewrite the Excel 97–2003 workbook at ``path`` as an .xlsx holding the same sheets, in the same order and
    under the same names, with the values openpyxl reads from an .xlsx: text as text (an old font's text as typed;
    never a formula), whole numbers as int, dates as dates (shown dd/mm/yyyy), empty cells empty. Formatting is
    not kept; nothing of ours reads it. A file it cannot read (a password, a broken file) is refused."""
    import xlrd

    try:
        book = xlrd.open_workbook(path, on_demand=True)
    except Exception:  # xlrd's errors for encrypted, truncated or foreign files are of several kinds
        raise ImportRefused(
            _(
                "Không đọc được tệp Excel 97–2003 (.xls) này; tệp có thể đặt mật khẩu hoặc bị hỏng. Hãy mở tệp trong "
                "Excel, bỏ mật khẩu nếu có, và lưu lại dạng .xlsx."
            )
        ) from None

    def value(cell):
        kind, v = cell.ctype, cell.value
        if kind == xlrd.XL_CELL_NUMBER:
            return int(v) if v.is_integer() else v
        if kind == xlrd.XL_CELL_DATE:
            try:
                return xlrd.xldate_as_datetime(v, book.datemode)
            except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                return v  # a serial no calendar holds: read on as the number it is
        if kind == xlrd.XL_CELL_BOOLEAN:
            return bool(v)
        if kind == xlrd.XL_CELL_ERROR:
            return xlrd.error_text_from_code.get(v)
        return v  # text, or "" for an empty cell

    with _rewritten_as_xlsx(path) as out:
        try:
            for index in range(book.nsheets):
                sheet = book.sheet_by_index(index)
                out.sheet(sheet.name, frozen_header=False)
                for r in range(min(sheet.nrows, MAX_ROWS + 3)):  # past the limit, refused by the row count
                    out.row([value(cell) for cell in sheet.row(r)])
                book.unload_sheet(index)
        finally:
            book.release_resources()  # before the file is replaced


@contextmanager
def _rewritten_as_xlsx(path: str):
    """A streaming .xlsx (``StreamingXlsx``) written beside ``path``, replacing it when the block ends well and
    removed when it does not: an upload is never left half rewritten."""
    converted = f"{path}.converting"
    try:
        with StreamingXlsx(converted) as out:
            yield out
    except BaseException:
        if os.path.exists(converted):
            os.remove(converted)
        raise
    os.replace(converted, path)


ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
ODS_MAX_COLUMNS = 1024  # far past any register's columns; a row's trailing repeat runs to 16.384


def is_ods(path: str) -> bool:
    if not zipfile.is_zipfile(path):
        return False
    try:
        with zipfile.ZipFile(path) as z:
            return "mimetype" in z.namelist() and z.read("mimetype").strip() == ODS_MIMETYPE
    except zipfile.BadZipFile:
        return False


def _ods_text(element) -> str:
    """The text of a paragraph (text:p) with its spans, runs of spaces (text:s), tabs and line breaks."""
    parts = [element.text or ""]
    for child in element:
        tag = child.tag.removeprefix(_TEXT)
        if tag == "s":
            parts.append(" " * min(int(child.get(f"{_TEXT}c", "1")), 1000))  # a run of spaces, not a memory bomb
        elif tag == "tab":
            parts.append("\t")
        elif tag == "line-break":
            parts.append("\n")
        else:
            parts.append(_ods_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _ods_value(cell):
    """A cell's value as openpyxl reads the same cell of an .xlsx."""
    kind = cell.get(f"{_OFFICE}value-type")
    try:
        if kind in ("float", "percentage", "currency"):
            number = float(cell.get(f"{_OFFICE}value"))
            return int(number) if number.is_integer() else number
        if kind == "date":
            return datetime.fromisoformat(cell.get(f"{_OFFICE}date-value"))
    except (TypeError, ValueError, OverflowError):
        pass  # read as the text it shows
    if kind == "boolean":
        return cell.get(f"{_OFFICE}boolean-value") == "true"
    paragraphs = [_ods_text(p) for p in cell.findall(f"{_TEXT}p")]  # not a comment's (office:annotation)
    return "\n".join(paragraphs) if paragraphs else None


def xlsx_from_ods(path: str) -> None:
    """Rewrite the OpenDocument spreadsheet at ``path`` as an .xlsx, as ``xlsx_from_xls`` does: every sheet by
    name and in order, values as openpyxl reads them, row numbers as the file shows them. Its XML is read as a
    stream; the repeats ODF writes for runs of empty rows and cells (to the sheet's last row and column) are
    written only up to the next value."""
    from xml.etree.ElementTree import ParseError, iterparse

    broken = _("Không đọc được tệp .ods này; tệp có thể bị hỏng. Hãy mở tệp và lưu lại dạng .xlsx.")
    with zipfile.ZipFile(path) as z:
        if sum(i.file_size for i in z.infolist()) > MAX_UNCOMPRESSED:
            raise ImportRefused(_("Tệp giải nén quá lớn, không thể đọc an toàn."))
        if "content.xml" not in z.namelist():
            raise ImportRefused(broken)
        with z.open("content.xml") as content:  # what comes before the root element, where a DTD would be
            prologue = content.read(65536)
        if b"<!DOCTYPE" in prologue.split(b"<office:document-content", 1)[0] or b"<office:" not in prologue:
            raise ImportRefused(broken)  # ODF has no DTD: entities are an attack (billion laughs), not a sheet
    try:  # the file closed before it is replaced
        with _rewritten_as_xlsx(path) as out, zipfile.ZipFile(path) as z, z.open("content.xml") as content:
            written = empty = 0
            # No DTD (checked above), so no entity to expand, and ElementTree resolves no external one.
            for event, element in iterparse(content, events=("start", "end")):  # noqa: S314
                if event == "start" and element.tag == f"{_TABLE}table":
                    out.sheet(element.get(f"{_TABLE}name") or "Sheet", frozen_header=False)
                    written = empty = 0
                elif event == "end" and element.tag == f"{_TABLE}table-row":
                    values, blanks = [], 0
                    for cell in element:
                        if cell.tag not in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"):
                            continue
                        repeat = int(cell.get(f"{_TABLE}number-columns-repeated", "1"))
                        value = _ods_value(cell)
                        if value in (None, ""):
                            blanks += repeat
                            continue
                        values += [None] * min(blanks, ODS_MAX_COLUMNS) + [value] * min(repeat, ODS_MAX_COLUMNS)
                        blanks = 0
                        if len(values) >= ODS_MAX_COLUMNS:
                            break
                    repeat = int(element.get(f"{_TABLE}number-rows-repeated", "1"))
                    element.clear()
                    if not values:
                        empty += repeat  # written only if a row with values follows
                        continue
                    room = MAX_ROWS + 3 - written  # past the limit, refused by the row count
                    blank_rows = min(empty, room)
                    for row in [[]] * blank_rows + [values[:ODS_MAX_COLUMNS]] * min(repeat, room - blank_rows):
                        out.row(row)
                    written += min(empty + repeat, room)
                    empty = 0
    except (ParseError, ValueError, KeyError, zipfile.BadZipFile):
        raise ImportRefused(broken) from None


def folded_in_both_languages(labels: dict) -> dict[str, str]:
    """{folded label: key} for ``labels`` ({key: lazy label}), in Vietnamese and in English: what a file made in
    either language writes, accents and case aside."""
    folded = {}
    for language in ("vi", "en"):
        with translation.override(language):
            folded.update({text.fold(str(label)): key for key, label in labels.items()})
    return folded


def header_map(header_row, labels: dict[str, str], aliases: dict[str, tuple[str, ...]] | None = None) -> dict[int, str]:
    """{column index: key} for the headers that name one of ``labels`` ({key: lazy label}), in either
    language, accents, case and a trailing "*" aside: a file made from the Vietnamese template imports
    whatever language the person uploading it has chosen. ``aliases``: other names a column goes by."""
    wanted = folded_in_both_languages(labels)
    for key, names in (aliases or {}).items():
        wanted.update(dict.fromkeys(names, key))
    mapping = {}
    for i, value in enumerate(header_row):
        key = text.fold(str(value or "")).replace("*", "").strip()
        if key in wanted:
            mapping[i] = wanted[key]
    return mapping


EXCEL_SERIALS = range(10_000, 100_000)  # 18/05/1927 to 14/10/2173: a five-digit number in a date column is a date
YEAR_ONLY = re.compile(r"(19|20)\d\d")  # old registers often kept only the year of birth


def _serial_date(value) -> date | None:
    """A date whose cell lost its date format (pasted as values, or set to General) shows as its serial number,
    38600 for 05/09/2005: Excel counts days from 30/12/1899."""
    serial = _typed_as_number(value)
    if serial and int(serial) in EXCEL_SERIALS:
        return EPOCH + timedelta(days=int(serial))
    return None


def _parse_date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if serial := _serial_date(value):
        return serial
    raw = text.nfc(str(value))
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueError(raw)


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):  # a text Excel took for a date: shown as typed in Vietnam, not as 2026-12-12 00:00
        value = f"{value:%d/%m/%Y}"
    return text.nfc(str(value))


def _typed_as_number(value) -> str | None:
    """The digits of a number Excel stored as a number (typed into a cell not formatted as text), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    return str(int(value)) if float(value).is_integer() else None


def _citizen_id_text(value) -> str:
    """A CCCD typed as a number has lost its leading zeros: each one starts with its province's code, 001 to 096,
    so the 10 or 11 digits left are the 12 there were."""
    digits = _typed_as_number(value)
    if digits and len(digits) in (10, 11):
        return digits.zfill(12)
    return _as_text(value)


def _phone_text(value) -> str:
    """A phone number typed as a number has lost its leading 0: 9 digits left of a mobile (09x...), 10 of a
    landline starting 02x. A number starting 84 keeps its country code and is read as before."""
    digits = _typed_as_number(value)
    if digits and (len(digits) == 9 or (len(digits) == 10 and digits.startswith("2"))):
        return "0" + digits
    return _as_text(value)


def _education_text(value) -> str:
    """A grade such as "9/12" or "12/12", typed into a cell not formatted as text, becomes a date: the 9th of
    December or the 12th of September, as the computer reads dates. The grade is the smaller number over the
    larger, whichever way round it was read."""
    if isinstance(value, datetime | date):
        low, high = sorted((value.day, value.month))
        return f"{low}/{high}"
    return _as_text(value)


TEXT_READERS = {"education": _education_text}  # what Excel made of a field typed into a plain cell, read back
OLD_FONT_CHECKED = ("ethnicity", "religion", "address", "occupation")  # besides the name: words, not codes
OLD_FONT = gettext_lazy(
    "chữ gõ bằng phông cũ (TCVN3 .VnTime hoặc VNI) mà phần mềm không tự đọc lại được. Hãy chuyển mã tệp sang "
    "Unicode (ví dụ bằng Unikey: Công cụ chuyển mã, từ TCVN3 hoặc VNI sang Unicode) rồi tải lên lại."
)


@functools.cache  # read on each row that names a status: the labels do not change while the process runs
def _statuses() -> dict[str, str]:
    """A status as the register's export writes it, in either language, folded."""
    return folded_in_both_languages(dict(Status.choices))


GENDERS = {"nam": Gender.MALE, "m": Gender.MALE, "nu": Gender.FEMALE, "f": Gender.FEMALE}


HEADER_SEARCH_ROWS = 20  # an office's own list starts with its title, the unit's name, a date...
HEADER_MAX_COLUMNS = 200  # column names are looked for this far right (a hostile file may fill 16.384)
# Other names the columns go by in the lists offices keep (folded: no accents, lower case).
HEADER_ALIASES = {
    "full_name": ("ho ten", "ho va ten dem", "ho, ten"),
    "date_of_birth": ("ngay thang nam sinh", "ngay, thang, nam sinh", "sinh ngay", "ngay sinh (dd/mm/yyyy)"),
    "gender": ("nam/nu", "nam, nu", "gioi"),
    "male": ("nam",),  # a column for each gender, holding the date of birth or a mark
    "female": ("nu",),
    "citizen_id": (
        "cccd",
        "so cccd/cmnd",
        "cccd/cmnd",
        "so dinh danh",
        "so dinh danh ca nhan",
        "ma dinh danh",
        "can cuoc cong dan",
        "so can cuoc cong dan",
        "so can cuoc",
    ),  # fmt: skip
    "phone": ("dien thoai", "sdt", "so dt", "so dien thoai lien he"),  # not "DT": some lists mean dân tộc
    "address": ("noi o", "noi o hien nay", "cho o hien nay", "dia chi thuong tru", "noi thuong tru"),
    "education": ("trinh do van hoa", "hoc van", "van hoa", "trinh do"),
    "occupation": ("cong viec", "nghe nghiep hien nay", "cong viec hien nay"),
    "joined_on": ("ngay ket nap doan", "ngay ket nap", "ngay vao doan tncs ho chi minh"),
    "card_number": ("so the doan", "so the"),
    "status": ("trang thai", "tinh trang sinh hoat"),
}
GENDER_COLUMNS = {"male": "nam", "female": "nữ"}
_COLUMN_NUMBER = re.compile(r"\(?\d{1,2}\)?")


def _find_header(rows) -> tuple[dict[int, str], int, list]:
    """The header row among the first rows (a list's title and the unit's name may come first), as
    {column index: field}, its row number and the column names; the rows iterator is left on the row after it."""
    labels = {c[0]: c[1] for c in COLUMNS} | {"status": STATUS_LABEL}
    best: dict[int, str] = {}
    above: tuple = ()
    for row_no, values in enumerate(rows, start=1):
        values = values or ()
        # A header on two rows, its groups merged above ("Ngày sinh" over "Nam" | "Nữ"): a column's name is the
        # lower row's, or the upper's where the lower is blank.
        under = [b if b not in (None, "") else a for a, b in zip_longest(above, values)]
        for names in (values, under):
            mapping = header_map(names, labels, HEADER_ALIASES)
            # "Nam" and "Nữ" as written: folded, "Năm" (a year's column) would read as "Nam".
            mapping = {i: key for i, key in mapping.items() if key not in GENDER_COLUMNS
                       or text.nfc(str(names[i])).lower() == GENDER_COLUMNS[key]}  # fmt: skip
            if _complete(mapping):
                return mapping, row_no, list(names)
            best = max(best, mapping, key=len)
        above = values
        if row_no >= HEADER_SEARCH_ROWS:
            break
    hints = {
        "full_name": _("Họ và tên (hoặc Họ tên)"),
        "date_of_birth": _("Ngày sinh (hoặc Ngày tháng năm sinh, hoặc hai cột Nam và Nữ ghi ngày sinh)"),
        "gender": _("Giới tính (hoặc Nam/Nữ, hoặc hai cột Nam và Nữ)"),
    }
    missing = [hints[c[0]] for c in COLUMNS if c[3] and c[0] not in best.values()]
    raise ImportRefused(
        _(
            "Không tìm thấy cột: %(cols)s. Dòng tên cột phải nằm trong 20 dòng đầu của trang tính. "
            "Hãy dùng tệp mẫu tải về từ trang này."
        )
        % {"cols": "; ".join(missing)}
    )


def _complete(mapping: dict[int, str]) -> bool:
    """Whether a header names every required column: the date of birth and the gender may be told by two
    columns "Nam" and "Nữ", holding the date (as official lists do) or a mark."""
    found = set(mapping.values())
    by_gender = {"male", "female"} <= found
    return "full_name" in found and ("date_of_birth" in found or by_gender) and ("gender" in found or by_gender)


def _split_by_gender(record: dict) -> dict:
    """A row of a list with a column for each gender, "Nam" and "Nữ": the one filled in gives the gender, and
    holds the date of birth when the list has no column of its own for it."""
    male, female = record.pop("male", None), record.pop("female", None)
    filled = [(g, v) for g, v in (("Nam", male), ("Nữ", female)) if v not in (None, "") and str(v).strip()]
    if len(filled) == 1:
        gender, value = filled[0]
        if record.get("gender") in (None, ""):
            record["gender"] = gender
        if "date_of_birth" not in record:
            record["date_of_birth"] = value
    return record


def _column_numbers(values) -> bool:
    """A row numbering the columns, as forms do: (1), (2), (3)... or 1, 2, 3..."""
    filled = [str(v).strip() for v in values or () if v not in (None, "")]
    return len(filled) >= 3 and all(_COLUMN_NUMBER.fullmatch(v) for v in filled)


def read_rows(ws, unit: Unit, today: date, *, sheet: str = "", seen_ids: dict | None = None) -> ImportResult:
    """Check every row; nothing is written. Duplicates against the register are looked up in bulk. ``seen_ids``:
    {citizen ID: (sheet, row)} of the file's sheets read before this one, ``sheet``."""
    result = ImportResult()
    cells = {
        u.code.upper(): u
        for u in Unit.objects.filter(unit.subtree_q(), kind=Kind.CELL, is_active=True).only("pk", "code", "name")
    }
    rows = ws.iter_rows(values_only=True, max_col=HEADER_MAX_COLUMNS)  # no column of ours lies further right
    mapping, result.header_row, names = _find_header(rows)
    labels = {c[0]: str(c[1]) for c in COLUMNS} | {"status": str(STATUS_LABEL)}
    # What each column of the file was read as, and the named columns left unread (the preview shows both).
    shown = labels | {"male": _("Giới tính, ngày sinh"), "female": _("Giới tính, ngày sinh")}
    for i, name in enumerate(names):
        name = text.nfc(str(name or ""))
        if i in mapping:
            label = str(shown[mapping[i]])
            same = text.fold(name).replace("*", "").strip() == text.fold(label)
            result.columns_read.append((name, None if same else label))
        elif name and text.fold(name) not in {"stt", "tt", "so tt"}:
            result.columns_unread.append(name)
    seen_ids = {} if seen_ids is None else seen_ids
    empty_run, count = 0, 0
    month_first = MonthFirst()
    old_font = OldFont()
    by_gender = "male" in mapping.values()  # a column for each gender
    for row_no, values in enumerate(rows, start=result.header_row + 1):
        if values and str(values[0] or "").strip().upper() == EXAMPLE_MARK:
            continue
        if row_no == result.header_row + 1 and _column_numbers(values):  # (1) (2) (3)... under the header
            continue
        record = {mapping[i]: v for i, v in enumerate(values or ()) if i in mapping}
        if by_gender:
            record = _split_by_gender(record)
        if all(v in (None, "") or (isinstance(v, str) and not v.strip()) for v in record.values()):
            empty_run += 1
            if empty_run >= EMPTY_ROWS_END:
                break
            continue
        empty_run = 0
        count += 1
        if count > MAX_ROWS:
            raise ImportRefused(_("Trang tính có hơn 50.000 dòng. Hãy chia thành nhiều tệp."))
        member, errors = _row_to_member(record, row_no, labels, cells, unit, today, old_font)
        if member and member.citizen_id:
            if member.citizen_id in seen_ids:
                first_sheet, first_row = seen_ids[member.citizen_id]
                if first_sheet == sheet:
                    message = _("trùng với dòng %(row)s trong tệp") % {"row": first_row}
                else:
                    message = _("trùng với dòng %(row)s của trang tính %(sheet)s") % {
                        "row": first_row,
                        "sheet": first_sheet,
                    }
                errors.append(RowError(row_no, labels["citizen_id"], message))
            seen_ids.setdefault(member.citizen_id, (sheet, row_no))
        if errors:
            result.errors.extend(errors)
        elif member.status not in Status.COUNTED:  # an exported register lists those who left too
            message = _("đã rời Đoàn (%(status)s), bỏ qua") % {"status": member.get_status_display()}
            result.duplicates.append(RowError(row_no, labels["status"], message))
        else:
            result.members.append((row_no, member))
        month_first.see(row_no, record)
    if suspects := month_first.suspects(labels):
        result.errors.extend(suspects)
        wrong = {e.row for e in suspects}
        result.members = [(n, m) for n, m in result.members if n not in wrong]
        result.errors.sort(key=lambda e: e.row)
    result.font = old_font.font or ""
    result.font_changes = [(row, labels[f], typed, read, sheet) for row, f, typed, read in old_font.changes]
    _mark_duplicates(result, labels, unit.province_path())
    result.duplicates.sort(key=lambda e: e.row)
    return result


class OldFont:
    """Text typed in an old Vietnamese font (TCVN3 ".VnTime", VNI-Times), read back into Unicode. A file is typed
    in one font: a row that reads as Vietnamese in one font only decides it, and a row that reads in both (a
    short word) follows it. Each change is kept for the preview, where the reader checks the names."""

    def __init__(self):
        self.font: str | None = None
        self.changes: list[tuple[int, str, str, str]] = []

    def read(self, row_no: int, fields: dict[str, str]) -> tuple[dict[str, str], str | None]:
        """The fields typed in an old font, read back ({field: text}), and the first field none can read."""
        typed = {f: v for f, v in fields.items() if text.in_old_font(v)}
        if not typed:
            return {}, None
        readings = text.old_font_readings(list(typed.values()))
        font = next(iter(readings)) if len(readings) == 1 else self.font if self.font in readings else None
        if font is None:
            unread = next((f for f, v in typed.items() if len(text.old_font_readings([v])) != 1), next(iter(typed)))
            return {}, unread
        if len(readings) == 1:
            self.font = self.font or font
        read = dict(zip(typed, readings[font], strict=True))
        if "full_name" in read:  # the old fonts had no capital with a tone: "¸nh" was typed for "Ánh"
            read["full_name"] = " ".join(w[:1].upper() + w[1:] for w in read["full_name"].split(" "))
        self.changes.extend((row_no, f, typed[f], read[f]) for f in read)
        return read, None


DAY_FIRST = re.compile(r"\s*(\d{1,2})[/.-]\d{1,2}[/.-]\d{4}\s*$")


class MonthFirst:
    """A file typed on a computer set to read dates month first (as many are in Vietnam): 05/09/2005 typed
    there became the 9th of May, silently, while 25/09/2005, no date to it, stayed text. A date column holding
    both text dates past the 12th and Excel dates of which none is past the 12th is such a file; its Excel dates
    are refused (which day was meant cannot be known for sure), each with the date it likely was."""

    def __init__(self):
        self.text_past_12 = dict.fromkeys(DATE_FIELDS, False)
        self.excel_past_12 = dict.fromkeys(DATE_FIELDS, False)
        self.excel_dates: dict[str, list[tuple[int, date]]] = {f: [] for f in DATE_FIELDS}

    def see(self, row_no: int, record: dict) -> None:
        for f in DATE_FIELDS:
            value = record.get(f)
            if _typed_as_number(value):  # a date's serial number, when in range: an Excel date too
                value = _serial_date(value)
            if isinstance(value, datetime | date):
                self.excel_dates[f].append((row_no, value))
                self.excel_past_12[f] |= value.day > 12
            elif isinstance(value, str) and (typed := DAY_FIRST.match(value)):
                self.text_past_12[f] |= int(typed[1]) > 12

    def suspects(self, labels) -> list[RowError]:
        found = []
        for f in sorted(DATE_FIELDS):
            if not self.text_past_12[f] or self.excel_past_12[f]:
                continue
            for row_no, value in self.excel_dates[f]:
                if value.day == value.month:  # the same date either way
                    continue
                message = _(
                    "Excel đã đọc ngày này theo kiểu tháng trước, ngày sau (máy tính đặt kiểu Mỹ): %(read)s có lẽ "
                    "là %(meant)s. Hãy định dạng cột là Văn bản (Text) rồi gõ lại ngày dạng dd/mm/yyyy, hoặc dùng "
                    "tệp mẫu."
                ) % {"read": f"{value:%d/%m/%Y}", "meant": f"{value.month:02}/{value.day:02}/{value.year}"}
                found.append(RowError(row_no, labels[f], message))
        return found


def _row_to_member(record, row_no, labels, cells, unit, today, old_font):
    errors = []

    def err(field_name, message):
        errors.append(RowError(row_no, labels[field_name], message))

    name = _as_text(record.get("full_name"))
    if not name:
        err("full_name", _("thiếu họ và tên"))
    elif len(name) > 120:
        err("full_name", _("họ và tên quá dài (tối đa 120 ký tự)"))
    dates = {}
    for f in (c[0] for c in COLUMNS if c[0] in DATE_FIELDS):  # in the file's order: so are the errors
        try:
            dates[f] = _parse_date(record.get(f))
        except ValueError:
            if YEAR_ONLY.fullmatch(_as_text(record.get(f))):
                err(f, _("chỉ có năm; cần đủ ngày, tháng, năm dạng dd/mm/yyyy"))
            else:
                err(f, _("ngày không hợp lệ, cần dạng dd/mm/yyyy"))
            continue
        if dates[f] and not (date(1900, 1, 1) <= dates[f] <= today):
            err(f, _("ngày không hợp lệ (sau hôm nay hoặc quá xa)"))
    if record.get("date_of_birth") in (None, ""):
        err("date_of_birth", _("thiếu ngày sinh"))
    elif refusal := joining_dates_refused(dates.get("date_of_birth"), dates.get("joined_on")):
        err("joined_on", refusal)
    party = (dates.get("party_introduced_on"), dates.get("party_admitted_on"))
    for f, refusal in party_dates_refused(dates.get("date_of_birth"), dates.get("joined_on"), *party).items():
        err(f, refusal)
    gender = GENDERS.get(text.fold(_as_text(record.get("gender"))))
    if gender is None:
        err("gender", _("giới tính phải là Nam hoặc Nữ"))
    status = Status.ACTIVE
    if written := text.fold(_as_text(record.get("status"))):
        status = _statuses().get(written)
        if status is None:
            err("status", _("tình trạng phải là Đang sinh hoạt hoặc Đi làm ăn xa (để trống: đang sinh hoạt)"))
    try:
        citizen_id = text.normalise_citizen_id(_citizen_id_text(record.get("citizen_id")))
    except ValueError:
        citizen_id = None
        err("citizen_id", _("số CCCD phải gồm đúng 12 chữ số"))
    try:
        phone = text.normalise_phone(_phone_text(record.get("phone")))
    except ValueError:
        phone = ""
        err("phone", _("số điện thoại không hợp lệ"))
    code = _as_text(record.get("cell_code")).upper()
    if code:
        cell = cells.get(code)
        if cell is None:
            err("cell_code", _("không có chi đoàn mã %(code)s trong đơn vị này") % {"code": code})
    elif unit.kind == Kind.CELL:
        cell = unit
    else:
        cell = None
        err("cell_code", _("thiếu mã chi đoàn"))
    lengths = {"ethnicity": 50, "religion": 50, "address": 255, "education": 100, "occupation": 100, "card_number": 30}
    values = {f: TEXT_READERS.get(f, _as_text)(record.get(f)) for f in lengths}
    read, unread = old_font.read(row_no, {"full_name": name, **{f: values[f] for f in OLD_FONT_CHECKED}})
    if unread:
        err(unread, str(OLD_FONT))  # once a row: the whole file was typed so
    name = read.pop("full_name", name)
    values |= read
    for f, n in lengths.items():
        if len(values[f]) > n:
            err(f, _("quá dài (tối đa %(n)s ký tự)") % {"n": n})
    if errors:
        return None, errors
    member = Member(
        cell=cell,
        full_name=name,
        date_of_birth=dates["date_of_birth"],
        gender=gender,
        citizen_id=citizen_id,
        phone=phone,
        joined_on=dates.get("joined_on"),
        party_introduced_on=dates.get("party_introduced_on"),
        party_admitted_on=dates.get("party_admitted_on"),
        status=status,
        **{f: values[f] for f in lengths},
    )
    member.ethnicity = member.ethnicity or "Kinh"
    member.religion = member.religion or "Không"
    member.refresh_derived()
    return member, []


def _mark_duplicates(result: ImportResult, labels, province: str) -> None:
    """Rows already in the register (same citizen ID, or same name and birth date) are reported
    and left out. Two queries per 1.000 rows."""
    keep = []
    chunk = 1000
    for start in range(0, len(result.members), chunk):
        part = result.members[start : start + chunk]
        ids = {m.citizen_id for _, m in part if m.citizen_id}
        taken = {
            cid: unit_label_within(province, name, path)
            for cid, name, path in Member.objects.filter(citizen_id__in=ids).values_list(
                "citizen_id", "cell__name", "cell__path"
            )
        }
        names = {m.search_name for _, m in part}
        same_person = {
            (n, d): cell
            # Same name and birth date: a likely duplicate within the province, as in the form.
            for n, d, cell in Member.objects.filter(
                Unit(path=province).subtree_q("cell__"), search_name__in=names
            ).values_list("search_name", "date_of_birth", "cell__name")
        }
        for row_no, m in part:
            if m.citizen_id in taken:
                result.duplicates.append(
                    RowError(
                        row_no,
                        labels["citizen_id"],
                        _("đã có trong sổ (%(unit)s), bỏ qua") % {"unit": taken[m.citizen_id]},
                    )
                )
            elif (m.search_name, m.date_of_birth) in same_person:
                result.duplicates.append(
                    RowError(
                        row_no,
                        labels["full_name"],
                        _("trùng họ tên và ngày sinh với đoàn viên đã có (%(unit)s), bỏ qua")
                        % {"unit": same_person[(m.search_name, m.date_of_birth)]},
                    )
                )
            else:
                keep.append((row_no, m))
    result.members = keep


def check_file(path: str, unit: Unit, today: date) -> ImportResult:
    wb, first = open_upload(path)
    try:
        instructions = folded_in_both_languages({"notes": INSTRUCTIONS_TITLE})
        sheets = [ws for ws in wb.worksheets if text.fold(ws.title) not in instructions]
        # The register is on the sheets with its column names: an office's file may open on a cover or a
        # summary sheet, and a base union's may hold a sheet per cell. None has them: the first sheet's reading
        # says which columns are missing.
        registers = [ws for ws in sheets if _has_header(ws)] or [first]
        if len(registers) == 1:
            [ws] = registers
            result = read_rows(ws, unit, today)
            result.sheet, result.sheet_index = ws.title, wb.worksheets.index(ws)
        else:
            result = _read_sheets(wb, registers, unit, today)
        # Sheets with something else on them are named as not read, not half imported in silence (the
        # template's own instructions sheet aside).
        result.skipped_sheets = [other.title for other in sheets if other not in registers and _has_data(other)]
        return result
    finally:
        wb.close()


def _read_sheets(wb, sheets: list, unit: Unit, today: date) -> ImportResult:
    """A register on several sheets, each read on its own: rows naming no cell go to the cell the sheet is named
    after ("Chi đoàn thôn Bản Trại", "Thôn Bản Trại" or its code), or else must name theirs. A citizen ID met
    on two sheets is refused on the second, as on two rows of one sheet."""

    def bare(name: str) -> str:
        return text.fold(name).removeprefix("chi doan ").strip()

    cells = list(Unit.objects.filter(unit.subtree_q(), kind=Kind.CELL, is_active=True))
    named = {bare(c.name): c for c in cells} | {bare(c.code): c for c in cells}
    result = ImportResult()
    seen_ids: dict[str, tuple[str, int]] = {}
    for ws in sheets:
        target = named.get(bare(ws.title), unit)
        part = read_rows(ws, target, today, sheet=ws.title, seen_ids=seen_ids)
        for e in [*part.errors, *part.duplicates]:
            e.sheet = ws.title
        result.errors += part.errors
        result.duplicates += part.duplicates
        result.members += part.members
        result.parts.append((ws.title, wb.worksheets.index(ws), part.header_row, target, len(part.members)))
        result.font = result.font or part.font
        result.font_changes += part.font_changes
        result.columns_read += [c for c in part.columns_read if c not in result.columns_read]
        result.columns_unread += [c for c in part.columns_unread if c not in result.columns_unread]
    result.sheet, result.sheet_index, result.header_row = sheets[0].title, result.parts[0][1], result.parts[0][2]
    return result


def _has_header(ws) -> bool:
    try:
        _find_header(ws.iter_rows(values_only=True, max_col=HEADER_MAX_COLUMNS, max_row=HEADER_SEARCH_ROWS))
    except ImportRefused:
        return False
    return True


def _has_data(ws, rows: int = 50) -> bool:
    return any(any(v not in (None, "") for v in values) for values in ws.iter_rows(max_row=rows, values_only=True))


@transaction.atomic
def commit_file(path: str, unit: Unit, today: date, *, by, file_name: str) -> tuple[ImportBatch | None, ImportResult]:
    """Check the file again and store every good row, or nothing when any row has an error."""
    result = check_file(path, unit, today)
    if not result.ok:
        return None, result
    batch = ImportBatch.objects.create(
        cell_scope=unit, file_name=file_name[:255], row_count=len(result.members), created_by=by
    )
    members = [m for _, m in result.members]
    for m in members:
        m.import_batch = batch
    Member.objects.bulk_create(members, batch_size=1000)
    tally.refresh({m.cell_id for m in members})
    audit.record(audit.Action.IMPORT, by=by, obj=batch, changes={"rows": len(members)}, scope=unit.code)
    return batch, result


def undoable(batch: ImportBatch) -> bool:
    """A batch can be undone while none of its members changed since (no edit, event, rating or transfer) nor
    was named as the introducer of a referral (which must not lose its introducer)."""
    if batch.undone_at:
        return False
    members = batch.members.all()
    return not (services.have_history(members) or members.filter(referrals__isnull=False).exists())


@transaction.atomic
def undo_batch(batch: ImportBatch, by=None) -> int:
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if not undoable(batch):
        return 0
    cells = set(Member.objects.filter(import_batch=batch).values_list("cell_id", flat=True))
    count, _by_model = Member.objects.filter(import_batch=batch).delete()
    tally.refresh(cells)
    audit.record(audit.Action.DELETE, by=by, obj=batch, changes={"undone_rows": count})
    batch.undone_at = timezone.now()
    batch.save(update_fields=["undone_at"])
    return count


def errors_workbook(path: str, result: ImportResult) -> Workbook:
    """The uploaded file with one more column that says what is wrong on each row."""
    wb = load_workbook(path)
    parts = {title: (index, header) for title, index, header, *_rest in result.parts}
    marked: dict[int, int] = {}  # sheet index: the column of its errors
    for (sheet, row), messages in sorted(result.error_rows().items()):
        index, header = parts.get(sheet, (result.sheet_index, result.header_row))
        ws = wb.worksheets[index]
        if index not in marked:
            marked[index] = col = ws.max_column + 1
            ws.cell(header, col, _("Lỗi")).font = Font(bold=True, color="C00000")
            ws.column_dimensions[ws.cell(1, col).column_letter].width = 60
        c = ws.cell(row, marked[index], "; ".join(messages))
        c.font = Font(color="C00000")
        c.data_type = "s"
    wb.active = min(marked, default=result.sheet_index)  # opened on the (first) sheet with errors
    return wb


# --- export --------------------------------------------------------------------------

EXPORT_EXTRA = [
    ("cell__name", gettext_lazy("Chi đoàn"), 26),
    ("status", STATUS_LABEL, 14),
]


def send_export(request, path: str, *, filename: str, changes: dict, obj=None) -> FileResponse:
    """The export written at ``path`` as an attachment, recorded in the audit trail with the scope of whoever
    took it. The file is deleted at once: the open handle keeps its data until the response is sent."""
    audit.record(
        audit.Action.EXPORT, by=request.user, obj=obj, changes=changes, scope=audit.scope_label(request),
        request=request,
    )  # fmt: skip
    handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    os.remove(path)
    return FileResponse(handle, as_attachment=True, filename=filename)


def export_register(members, *, show_ids: bool) -> str:
    """Write the register to a temporary .xlsx and return its path (the caller deletes it).
    Rows stream from the database in chunks straight into the file (members/xlsx_stream.py), so a
    whole province never sits in memory. Text is written as text: a name starting with "=" stays a name."""
    statuses = dict(Status.choices)
    genders = dict(Gender.choices)
    headers = [_("STT"), *[str(c[1]) for c in COLUMNS], *[str(c[1]) for c in EXPORT_EXTRA]]
    widths = [6, *[c[2] for c in COLUMNS], *[c[2] for c in EXPORT_EXTRA]]
    fields = [c[0] for c in COLUMNS if c[0] != "cell_code"]
    names = [*fields, "cell__code", "cell__name", "status"]
    gender_at, status_at, id_at = names.index("gender"), names.index("status"), names.index("citizen_id")
    # Output order: the import columns (cell code last), then the extras.
    order = [names.index(c[0] if c[0] != "cell_code" else "cell__code") for c in COLUMNS]
    order += [names.index(c[0]) for c in EXPORT_EXTRA]
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="register-")
    os.close(fd)
    with StreamingXlsx(path, _("Danh sách đoàn viên"), widths) as out:
        out.header(headers)
        rows = members.values_list(*names).iterator(chunk_size=2000)
        for n, values in enumerate(rows, start=1):
            values = list(values)
            values[gender_at] = genders.get(values[gender_at], "")
            values[status_at] = statuses.get(values[status_at], "")
            if not show_ids:
                values[id_at] = text.mask_citizen_id(values[id_at])
            out.row([n, *[values[i] for i in order]])
    return path
