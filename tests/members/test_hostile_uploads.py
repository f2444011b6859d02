"""Uploads that try to hurt: each is refused or handled with a clear message, and nothing is written."""

import io
import zipfile

from django.urls import reverse
from openpyxl import Workbook

from members import excel
from members.models import Member
from members.xlsx_stream import StreamingXlsx
from tests.members.test_excel import GOOD_ROWS, HEADER, upload, xlsx


def named(data: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def test_a_renamed_image_is_refused(client, people, tree):
    client.force_login(people.officer)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
    assert (
        "Tệp không phải bảng tính Excel (.xlsx, .xls) hay LibreOffice (.ods)"
        in upload(client, tree.B1, named(png, "danh-sach.xlsx")).content.decode()
    )


def test_a_zip_that_is_not_a_workbook_is_refused(client, people, tree):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "không phải Excel")
    client.force_login(people.officer)
    assert (
        "Tệp không phải bảng tính Excel (.xlsx, .xls) hay LibreOffice (.ods)"
        in upload(client, tree.B1, named(out.getvalue(), "a.xlsx")).content.decode()
    )


def test_a_zip_bomb_is_refused_before_it_is_unpacked(client, people, tree, monkeypatch):
    monkeypatch.setattr(excel, "MAX_UNCOMPRESSED", 2 * 1024 * 1024)  # the real limit is 200 MB
    good = xlsx(GOOD_ROWS).getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        with dst.open("xl/media/padding.bin", "w") as pad:
            for _ in range(4):
                pad.write(b"\x00" * 1024 * 1024)
    data = out.getvalue()
    assert len(data) < 100_000  # 4 MB of zeros packs into a few kilobytes
    client.force_login(people.officer)
    assert "Tệp giải nén quá lớn" in upload(client, tree.B1, named(data, "bom.xlsx")).content.decode()
    assert not Member.objects.exists()


def test_a_million_empty_rows_after_the_data_do_not_keep_the_import_busy(client, people, tree, tmp_path):
    path = tmp_path / "rong.xlsx"
    with StreamingXlsx(path, "Danh sách", [10] * len(HEADER)) as out:
        out.header(HEADER)
        out.row(GOOD_ROWS[0])
        for _ in range(1_000_000):
            out.row([])
    client.force_login(people.officer)
    preview = upload(client, tree.B1, named(path.read_bytes(), "rong.xlsx"))
    result = preview.context["result"]
    assert result.ok and [m.full_name for _, m in result.members] == ["Hoàng Thị Lan"]


def test_a_sheet_declaring_a_million_rows_is_refused_at_once(client, people, tree):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.cell(row=1_000_000, column=1, value="x")  # openpyxl records the dimension A1:N1000000
    out = io.BytesIO()
    wb.save(out)
    client.force_login(people.officer)
    assert "hơn 50.000 dòng" in upload(client, tree.B1, named(out.getvalue(), "lon.xlsx")).content.decode()
    assert not Member.objects.exists()


def test_a_formula_laden_sheet_stores_no_formula(client, people, tree):
    rows = [
        [
            1,
            '=HYPERLINK("http://x","Nguyễn Văn A")',
            "=DATE(2005,1,1)",
            "Nam",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "C1",
        ],
        [2, "=cmd|' /C calc'!A0", "01/01/2005", "Nam", "", "", "", "", "", "", "", "", "", "C1"],
        [3, "Lê Văn Thật", "01/01/2005", "Nam", "", "", "", "=1+1", "", "", "", "", "", "C1"],
    ]
    client.force_login(people.officer)
    preview = upload(client, tree.B1, xlsx(rows))
    result = preview.context["result"]
    # Formulas are read as their computed value; written by a program that stored none, they are empty.
    assert {(e.row, e.column) for e in result.errors} >= {(2, "Họ và tên"), (3, "Họ và tên")}
    client.post(reverse("import_preview", args=[preview.context["token"]]))
    assert not Member.objects.exists()
    assert not Member.objects.filter(full_name__startswith="=").exists()
