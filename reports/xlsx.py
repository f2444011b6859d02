"""Union documents in Excel. The "1+1" report (shared/report-layout.md): header blocks, title, a two-row
merged header with numbered columns, one row per child unit, a bold total, the signature block; a second
sheet with every cell of the subtree; a chart of target against result. The list attached to an approval
decision, with the same header and signature blocks; the member ratings report. ``download`` sends any of
them, recorded in the audit trail."""

import weakref
from copy import copy

from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference, Series
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from reports.rollup import Figures, Report
from unionapp import audit
from unionapp.models import Kind

FONT = "Times New Roman"
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
# [$-42A]: the Vietnamese locale, so the file shows 10.369 and 132,5 whatever the reader's settings.
NUMBER, RATE = "[$-42A]#,##0", "[$-42A]0.0"
NCOLS = 16
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
MIDDLE = Alignment(horizontal="center", vertical="center")
CENTERED, RIGHT = Alignment(horizontal="center"), Alignment(horizontal="right")
WRAP, WRAP_MIDDLE = Alignment(wrap_text=True), Alignment(wrap_text=True, vertical="center")


def figure_values(f: Figures) -> list:
    """Columns (3)..(16): numbers as numbers; a rate or target that does not exist is "—"."""

    def opt(value):
        return "—" if value is None else value

    return [
        f.members_start,
        f.members_now,
        f.introducers,
        opt(f.one_plus_one_rate),
        f.introduced,
        f.in_training,
        opt(f.union_target),
        f.admitted_union,
        opt(f.union_pct),
        opt(f.federation_target),
        f.admitted_federation,
        opt(f.federation_pct),
        f.party_introduced,
        f.party_admitted,
    ]


RATE_COLUMNS = {6, 11, 14}  # (6), (11), (14) are percentages


# Per workbook: the style of each combination of put()'s arguments, once openpyxl has indexed it. Setting a
# font, alignment or border makes openpyxl build and hash style objects, about 100 µs a cell: most of the
# province file's 3 s for its 35.000 cells. A cell styled as an earlier one takes a copy of that one's
# style indexes instead: the same file, byte for byte.
_STYLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def put(ws, row, col, value, *, bold=False, italic=False, size=13, align=None, fmt=None, border=False):
    """One cell, in the document's font. ``align`` is one of the alignments above (the style is
    remembered by the alignment object's identity)."""
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # user text (unit names) is never read as a formula
    styles = _STYLES.setdefault(ws.parent, {})
    key = (bold, italic, size, id(align), fmt, border)
    known = styles.get(key)
    if known is not None:
        cell._style = copy(known[1])
        return cell
    cell.font = Font(name=FONT, size=size, bold=bold, italic=italic)
    if align:
        cell.alignment = align
    if fmt:
        cell.number_format = fmt
    if border:
        cell.border = BOX
    styles[key] = (align, copy(cell._style))  # the alignment held, so that its id stays its own
    return cell


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(request, wb: Workbook, *, unit, filename: str, changes: dict) -> HttpResponse:
    """``wb`` as an attachment, its export recorded in the audit trail against ``unit`` (what, and the scope of
    whoever took it)."""
    audit.record(
        audit.Action.EXPORT, by=request.user, obj=unit, changes=changes, scope=audit.scope_label(request),
        request=request,
    )  # fmt: skip
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    wb.save(response)
    return response


def merge(ws, row, first, last, value, **style):
    ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    return put(ws, row, first, value, **style)


# "Tỉnh đoàn Lạng Sơn" issues documents as "BCH Đoàn tỉnh Lạng Sơn", dated at "Lạng Sơn".
PREFIXES = [("Tỉnh đoàn ", "Đoàn tỉnh "), ("Thành đoàn ", "Đoàn thành phố "), ("Huyện đoàn ", "Đoàn huyện "),
            ("Quận đoàn ", "Đoàn quận "), ("Thị đoàn ", "Đoàn thị xã ")]  # fmt: skip
PLACE_WORDS = ["Đoàn tỉnh ", "Đoàn thành phố ", "Đoàn huyện ", "Đoàn quận ", "Đoàn thị xã ", "Đoàn xã ",
               "Đoàn phường ", "Đoàn thị trấn ", "Đoàn "]  # fmt: skip


def issuing_body(name: str) -> str:
    for old, new in PREFIXES:
        if name.startswith(old):
            name = new + name[len(old) :]
    return f"BCH {name}".upper()


def place_of(name: str) -> str:
    for old, new in PREFIXES:
        if name.startswith(old):
            name = new + name[len(old) :]
    for word in PLACE_WORDS:
        if name.startswith(word):
            return name[len(word) :]
    return ""


def document_header(ws, unit, number: str, *, left: tuple, right: tuple, place: str = "") -> None:
    """Rows 1–4 of a Union document (shared/report-layout.md): the superior and the issuing body, "* * *"
    and the number on the left; the Union's name and the place and date on the right."""
    today = timezone.localdate()
    parent_name = unit.parent.name.upper() if unit.parent_id else "BAN CHẤP HÀNH TRUNG ƯƠNG ĐOÀN"
    merge(ws, 1, *left, parent_name, align=MIDDLE)
    merge(ws, 2, *left, issuing_body(unit.name), bold=True, align=MIDDLE)
    merge(ws, 3, *left, "* * *", align=MIDDLE)
    if number:
        merge(ws, 4, *left, number, align=MIDDLE)
    merge(ws, 1, *right, "ĐOÀN TNCS HỒ CHÍ MINH", bold=True, align=MIDDLE)
    merge(ws, 2, *right, "─────────────", align=MIDDLE)
    dated = f"{place or place_of(unit.name) or '.........'}, ngày {today:%d} tháng {today:%m} năm {today:%Y}"
    merge(ws, 4, *right, dated, italic=True, align=MIDDLE)


def signature_block(ws, row: int, on_behalf: str, *, right: tuple) -> None:
    merge(ws, row, *right, on_behalf, bold=True, align=MIDDLE)
    merge(ws, row + 1, *right, "BÍ THƯ", bold=True, align=MIDDLE)


def a4(ws, *, title_rows: str, landscape: bool) -> None:
    """Printed on A4, one page wide, the table's header repeated on every page."""
    ws.print_title_rows = title_rows
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True


def report_workbook(report: Report, *, place: str = "") -> Workbook:
    """The report as the Union's document: in Vietnamese whatever the language of whoever downloads it."""
    with translation.override("vi"):
        return _report(report, place)


def _report(report: Report, place: str) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Báo cáo 1+1")[:31]
    unit = report.unit
    place = place or place_of(unit.name)
    document_header(ws, unit, f"Số:      -BC/{unit.code}", left=(1, 6), right=(10, NCOLS), place=place)
    title = 'BÁO CÁO KẾT QUẢ THỰC HIỆN CHỦ TRƯƠNG "1+1" TRONG PHÁT TRIỂN ĐOÀN VIÊN, HỘI VIÊN MỚI'
    merge(ws, 6, 1, NCOLS, title, bold=True, size=14, align=CENTER)
    merge(ws, 7, 1, NCOLS, f"{unit.name} — {report.period.label}", italic=True, size=14, align=MIDDLE)
    ws.row_dimensions[6].height = 40

    _table_header(ws)
    row = 12
    for n, r in enumerate(report.rows, start=1):
        _data_row(ws, row, n, r.label, r.figures)
        row += 1
    first_data, last_data = 12, row - 1
    _data_row(ws, row, "", "TỔNG CỘNG", report.total, bold=True)
    total_row = row

    # Signature block.
    row = total_row + 2
    put(ws, row, 1, "Nơi nhận:", bold=True, italic=True, size=12)
    put(ws, row + 1, 1, f"- {unit.parent.name if unit.parent_id else 'Trung ương Đoàn'};", size=12)
    put(ws, row + 2, 1, "- Lưu VP.", size=12)
    signature_block(ws, row, "TM. BAN THƯỜNG VỤ", right=(10, NCOLS))

    widths = [6, 32, 11, 11, 10, 9, 11, 10, 10, 10, 9, 10, 10, 9, 11, 11]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "C12"
    a4(ws, title_rows="9:11", landscape=True)

    _cells_sheet(wb, report)
    if last_data >= first_data:
        _chart_sheet(wb, ws, first_data, last_data)
    return wb


def _table_header(ws) -> None:
    bold = {"bold": True, "align": CENTER, "border": True}
    single = [(1, "STT"), (2, "Đơn vị"), (3, "Đoàn viên đầu kỳ"), (4, "Đoàn viên hiện có"),
              (7, "Thanh niên được giới thiệu"), (8, "Đang bồi dưỡng")]  # fmt: skip
    for col, text in single:
        ws.merge_cells(start_row=9, start_column=col, end_row=10, end_column=col)
        put(ws, 9, col, text, **bold)
        put(ws, 10, col, None, border=True)
    groups = [
        (5, 6, 'Đoàn viên giới thiệu thanh niên ("1+1")', ["Số lượng", "Tỷ lệ (%)"]),
        (9, 11, "Kết nạp đoàn viên", ["Chỉ tiêu", "Kết quả", "Tỷ lệ (%)"]),
        (12, 14, "Kết nạp hội viên", ["Chỉ tiêu", "Kết quả", "Tỷ lệ (%)"]),
        (15, 16, "Giới thiệu ĐV ưu tú cho Đảng", ["Giới thiệu", "Được kết nạp"]),
    ]
    for first, last, text, subs in groups:
        ws.merge_cells(start_row=9, start_column=first, end_row=9, end_column=last)
        put(ws, 9, first, text, **bold)
        for col in range(first + 1, last + 1):
            put(ws, 9, col, None, border=True)
        for i, sub in enumerate(subs):
            put(ws, 10, first + i, sub, **bold)
    for col in range(1, NCOLS + 1):
        put(ws, 11, col, f"({col})", italic=True, size=11, align=CENTER, border=True)
    ws.row_dimensions[9].height = 36
    ws.row_dimensions[10].height = 36


def _data_row(ws, row, n, label, figures: Figures, bold=False) -> None:
    put(ws, row, 1, n, bold=bold, align=CENTERED, border=True)
    put(ws, row, 2, label, bold=bold, align=WRAP_MIDDLE, border=True)
    for col, value in enumerate(figure_values(figures), start=3):
        fmt = RATE if col in RATE_COLUMNS else NUMBER
        align = CENTERED if value == "—" else RIGHT
        put(ws, row, col, value, bold=bold, fmt=fmt, align=align, border=True)


CELL_SHEET_HEADERS = ["Huyện / đơn vị cấp trên", "Đoàn cơ sở", "Chi đoàn", "Mã chi đoàn", "Đoàn viên đầu kỳ",
                      "Đoàn viên hiện có", "ĐV giới thiệu (1+1)", "Tỷ lệ 1+1 (%)", "Thanh niên được giới thiệu",
                      "Đang bồi dưỡng", "Kết nạp đoàn viên", "Kết nạp hội viên", "Giới thiệu cho Đảng",
                      "Được kết nạp Đảng"]  # fmt: skip


def _cells_sheet(wb, report: Report) -> None:
    ws = wb.create_sheet("Chi tiết chi đoàn")
    for col, text in enumerate(CELL_SHEET_HEADERS, start=1):
        put(ws, 1, col, text, bold=True, size=12, align=CENTER)
    row = 2
    for cell in report.cells():
        f = report.per_cell.get(cell.pk, Figures())
        district = report.ancestor_of_kind(cell, Kind.DISTRICT)
        base = report.ancestor_of_kind(cell, Kind.BASE)
        values = [district.name if district else "", base.name if base else "", cell.name, cell.code,
                  f.members_start, f.members_now, f.introducers,
                  "—" if f.one_plus_one_rate is None else f.one_plus_one_rate,
                  f.introduced, f.in_training, f.admitted_union, f.admitted_federation,
                  f.party_introduced, f.party_admitted]  # fmt: skip
        for col, value in enumerate(values, start=1):
            put(ws, row, col, value, size=12, fmt=RATE if col == 8 else (NUMBER if col > 4 else None))
        row += 1
    for i, w in enumerate([26, 26, 30, 14] + [12] * 10, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(CELL_SHEET_HEADERS))}{max(row - 1, 1)}"


def _chart_sheet(wb, ws, first, last) -> None:
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = "Kết nạp đoàn viên: chỉ tiêu và kết quả"
    chart.y_axis.title = "Số đoàn viên"
    for col, title in ((9, "Chỉ tiêu"), (10, "Kết quả")):
        chart.series.append(Series(Reference(ws, min_col=col, min_row=first, max_row=last), title=title))
    chart.set_categories(Reference(ws, min_col=2, min_row=first, max_row=last))
    chart.width, chart.height = 26, 13
    sheet = wb.create_sheet("Biểu đồ")
    sheet.add_chart(chart, "A1")


DECISION_HEADERS = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Nơi học tập, làm việc", "Chi đoàn",
                    "Người giới thiệu"]  # fmt: skip


def decision_list_workbook(unit, number: str, day, joins: str, referrals) -> Workbook:
    """The list attached to an approval decision ("Danh sách kèm theo Quyết định số ..."): one row per
    person admitted by it, in the Union's document layout, portrait A4, for the approving body to sign.
    A Union document is in Vietnamese whatever the language of the person downloading it."""
    with translation.override("vi"):
        return _decision_list(unit, number, day, joins, referrals)


def _decision_list(unit, number: str, day, joins: str, referrals) -> Workbook:
    from referrals.models import Joins

    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách kết nạp"
    last = len(DECISION_HEADERS)
    document_header(ws, unit, "", left=(1, 3), right=(4, last))
    who = "ĐOÀN VIÊN" if joins == Joins.UNION else "HỘI VIÊN"
    merge(ws, 6, 1, last, f"DANH SÁCH {who} ĐƯỢC KẾT NẠP", bold=True, size=14, align=CENTER)
    body = issuing_body(unit.name)
    merge(ws, 7, 1, last, f"(Kèm theo Quyết định số {number} ngày {day:%d/%m/%Y} của {body})", italic=True,
          align=CENTER)  # fmt: skip
    ws.row_dimensions[7].height = 34
    for col, text in enumerate(DECISION_HEADERS, start=1):
        put(ws, 9, col, text, bold=True, align=CENTER, border=True)
    row = 10
    for n, r in enumerate(referrals, start=1):
        values = [n, r.full_name, r.date_of_birth, r.get_gender_display(),
                  r.place_name or r.get_place_kind_display(), r.admitted_cell.name, r.introducer_label]  # fmt: skip
        for col, value in enumerate(values, start=1):
            fmt = "dd/mm/yyyy" if col == 3 else None
            align = CENTERED if col in (1, 3, 4) else WRAP
            put(ws, row, col, value, fmt=fmt, align=align, border=True)
        row += 1
    put(ws, row + 1, 1, f"Danh sách có {row - 10} người.", italic=True)
    signature_block(ws, row + 3, "TM. BAN CHẤP HÀNH", right=(4, last))
    for i, w in enumerate([6, 28, 12, 9, 24, 24, 24], start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    a4(ws, title_rows="9:9", landscape=False)
    return wb


RATING_LEVELS = ["Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm vụ", "Hoàn thành nhiệm vụ",
                 "Không hoàn thành nhiệm vụ"]  # fmt: skip


def ratings_workbook(unit, year: int, rows, total) -> Workbook:
    """The year-end review in figures (``rollup.ratings_report``) as a Union document: per unit, how many members
    were rated at each of the four levels, and their share. In Vietnamese whatever the user's language."""
    with translation.override("vi"):
        return _ratings(unit, year, rows, total)


def _ratings(unit, year: int, rows, total) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = f"Xếp loại {year}"
    last = 3 + 2 * len(RATING_LEVELS)
    document_header(ws, unit, f"Số:      -BC/{unit.code}", left=(1, 4), right=(6, last))
    merge(ws, 6, 1, last, f"BÁO CÁO KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG ĐOÀN VIÊN NĂM {year}", bold=True, size=14,
          align=CENTER)  # fmt: skip
    merge(ws, 7, 1, last, unit.name, italic=True, size=14, align=MIDDLE)
    head = {"bold": True, "align": CENTER, "border": True}
    for col, text in [(1, "STT"), (2, "Đơn vị"), (3, "Số đoàn viên được xếp loại")]:
        ws.merge_cells(start_row=9, start_column=col, end_row=10, end_column=col)
        put(ws, 9, col, text, **head)
        put(ws, 10, col, None, border=True)
    for i, level in enumerate(RATING_LEVELS):
        first = 4 + 2 * i
        ws.merge_cells(start_row=9, start_column=first, end_row=9, end_column=first + 1)
        put(ws, 9, first, level, **head)
        put(ws, 9, first + 1, None, border=True)
        put(ws, 10, first, "Số lượng", **head)
        put(ws, 10, first + 1, "Tỷ lệ (%)", **head)
    ws.row_dimensions[9].height = 36
    row = 11
    for n, r in [*enumerate(rows, start=1), ("", total)]:
        bold = r is total
        put(ws, row, 1, n, bold=bold, align=CENTERED, border=True)
        put(ws, row, 2, "TỔNG CỘNG" if bold else r.label, bold=bold, align=WRAP_MIDDLE, border=True)
        put(ws, row, 3, r.rated, bold=bold, fmt=NUMBER, align=RIGHT, border=True)
        for i, (count, share) in enumerate(r.levels()):
            put(ws, row, 4 + 2 * i, count, bold=bold, fmt=NUMBER, align=RIGHT, border=True)
            put(ws, row, 5 + 2 * i, "—" if share is None else share, bold=bold, fmt=RATE,
                align=CENTERED if share is None else RIGHT, border=True)  # fmt: skip
        row += 1
    row += 1
    put(ws, row, 1, "Nơi nhận:", bold=True, italic=True, size=12)
    put(ws, row + 1, 1, f"- {unit.parent.name if unit.parent_id else 'Trung ương Đoàn'};", size=12)
    put(ws, row + 2, 1, "- Lưu VP.", size=12)
    signature_block(ws, row, "TM. BAN THƯỜNG VỤ", right=(6, last))
    for i, w in enumerate([6, 32, 13, *[10, 10] * len(RATING_LEVELS)], start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "C11"
    a4(ws, title_rows="9:10", landscape=True)
    return wb
