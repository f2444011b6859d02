"""Registers kept as Excel 97–2003 workbooks (.xls), as many offices' still are (the older the register, the likelier
it is typed in an old font too), or as LibreOffice spreadsheets (.ods, the state's open document format): read as
their .xlsx would be. The files are made by LibreOffice, as an office's "Save as" makes them."""

import io
import zipfile
from datetime import date, datetime

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from members.models import Member
from tests.members.test_excel import HEADER, upload
from tests.printing import converted
from unionapp.models import Unit


def as_xls(wb: Workbook, tmp_path, name="so-doan-vien.xls", to="xls") -> io.BytesIO:
    out = io.BytesIO()
    wb.save(out)
    f = io.BytesIO(converted(out.getvalue(), tmp_path, to))
    f.name = name
    return f


SIGNATURES = {"xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ods": b"PK\x03\x04"}


@pytest.mark.parametrize("to", ["xls", "ods"])
def test_an_xls_or_ods_register_is_checked_and_imported_as_its_xlsx_would_be(client, people, tree, tmp_path, to):
    wb = Workbook()
    ws = wb.active
    ws.title = "Sổ đoàn viên"
    ws.append(["DANH SÁCH ĐOÀN VIÊN CHI ĐOÀN"])  # a title above the header, as offices' lists have
    ws.append(HEADER)
    # An old font's text, a real date cell, a phone number Excel took for a number (its 0 lost), text like a formula
    ws.append(
        [1, "NguyÔn V¨n An", datetime(2005, 9, 5), "Nam", "Tµy", "", "", 912345678, "=Bản Trại", "", "", "", "", "C1"]
    )
    ws["I3"].data_type = "s"
    ws.append(
        [2, "Lò Thị Hai", "05/05/2005", "Nữ", "", "", "001305012345", "", "", "12/12", "", "26/03/2021", "", "C2"]
    )
    ws.append([])  # an empty row between the rows: numbered as the file shows it
    ws.append([3, "Vi Văn Ba", "05/05/2005", "Nam", "", "", "", "", "", "", "", "", "", "C1"])
    xls = as_xls(wb, tmp_path, f"so-doan-vien.{to}", to)
    assert xls.getvalue()[: len(SIGNATURES[to])] == SIGNATURES[to]  # that format, not an .xlsx renamed

    client.force_login(people.officer)
    preview = upload(client, tree.B1, xls)
    result = preview.context["result"]
    assert result.errors == []
    assert result.font == "TCVN3" and result.header_row == 2
    assert [row for row, _m in result.members] == [3, 4, 6]
    client.post(reverse("import_preview", args=[preview.context["token"]]))
    an = Member.objects.get(full_name="Nguyễn Văn An")
    assert (an.cell, an.date_of_birth, an.ethnicity, an.phone, an.address) == (
        tree.C1,
        date(2005, 9, 5),
        "Tày",
        "0912345678",
        "=Bản Trại",
    )
    hai = Member.objects.get(full_name="Lò Thị Hai")
    assert (hai.cell, hai.citizen_id, hai.education, hai.joined_on) == (
        tree.C2,
        "001305012345",
        "12/12",
        date(2021, 3, 26),
    )


@pytest.mark.parametrize("to", ["xls", "ods"])
def test_an_xls_or_ods_with_mistakes_gets_them_marked_in_an_xlsx_copy(client, people, tree, tmp_path, to):
    wb = Workbook()
    wb.active.append(HEADER)
    wb.active.append([1, "Hoàng Thị Lan", "31/02/2005", "Nữ", "", "", "", "", "", "", "", "", "", "C1"])
    client.force_login(people.officer)
    preview = upload(client, tree.B1, as_xls(wb, tmp_path, f"loi.{to}", to))
    assert [(e.row, e.column) for e in preview.context["result"].errors] == [(2, "Ngày sinh")]
    marked = load_workbook(io.BytesIO(client.get(reverse("import_errors", args=[preview.context["token"]])).content))
    ws = marked.active
    assert ws.cell(2, 2).value == "Hoàng Thị Lan" and "Ngày sinh" in ws.cell(2, ws.max_column).value
    assert not Member.objects.exists()


def test_a_broken_or_locked_xls_is_refused_with_what_to_do(client, people, tree):
    broken = io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000)
    broken.name = "so-cu.xls"
    client.force_login(people.officer)
    body = upload(client, tree.B1, broken).content.decode()
    assert "Không đọc được tệp Excel 97–2003 (.xls) này" in body and "lưu lại dạng .xlsx" in body
    assert not Member.objects.exists()


def test_an_ods_with_a_dtd_is_refused_unread(client, people, tree):
    """An OpenDocument file has no DTD: one that declares entities is an attack (billion laughs), not a register."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr(
            "content.xml",
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0">&b;'
            "</office:document-content>",
        )
    out.seek(0)
    out.name = "bom.ods"
    client.force_login(people.officer)
    assert "Không đọc được tệp .ods này" in upload(client, tree.B1, out).content.decode()
    assert not Member.objects.exists()


def test_the_units_file_may_be_an_xls_too(client, people, tree, tmp_path):
    wb = Workbook()
    wb.active.append(["Mã đơn vị *", "Tên đơn vị *", "Cấp *", "Mã đơn vị cấp trên *"])
    wb.active.append(["D1-B9", "Đoàn xã Mới", "Đoàn cơ sở", "D1"])
    client.force_login(people.province)
    response = client.post(reverse("unit_import"), {"file": as_xls(wb, tmp_path, "don-vi.xls")}, follow=True)
    assert "Đã thêm 1 đơn vị." in response.content.decode()
    assert Unit.objects.get(code="D1-B9").parent == tree.D1


def test_an_ods_cell_reads_as_it_shows_its_spaces_kept_its_comment_left_out(tmp_path):
    """What LibreOffice writes for runs of spaces (text:s), a cell comment (office:annotation) and the repeats of
    empty rows and cells that fill a sheet to its last row and column."""
    from members.excel import xlsx_from_ods

    cell = 'table:table-cell office:value-type="string"'
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
        '<table:table table:name="Thôn Bản Trại"><table:table-row>'
        f"<{cell}><office:annotation><text:p>ghi chú của ai đó</text:p></office:annotation>"
        '<text:p>Lò<text:s text:c="2"/>Văn Hai</text:p></table:table-cell>'
        '<table:table-cell table:number-columns-repeated="3"/>'
        '<table:table-cell office:value-type="float" office:value="912345678"><text:p>912345678</text:p>'
        '</table:table-cell><table:table-cell table:number-columns-repeated="16379"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="16384"/>'
        "</table:table-row><table:table-row>"
        f"<{cell}><text:p>Dòng 4</text:p></table:table-cell></table:table-row>"
        '<table:table-row table:number-rows-repeated="1048572"><table:table-cell table:number-columns-repeated="16384"/>'
        "</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
    )
    path = tmp_path / "so.xlsx"  # as an upload is stored
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
    xlsx_from_ods(str(path))
    wb = load_workbook(path, read_only=True)
    assert wb.sheetnames == ["Thôn Bản Trại"]
    assert list(wb.active.iter_rows(values_only=True)) == [
        ("Lò  Văn Hai", None, None, None, 912345678),
        (),  # the two empty rows, kept so that rows are numbered as the file shows them
        (),
        ("Dòng 4",),
    ]  # and nothing of the million empty rows after
