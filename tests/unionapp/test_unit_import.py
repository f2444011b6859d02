"""Units from a spreadsheet (the province office's set-up and reorganisations): checked without writing,
imported whole or not at all, within the importer's scope."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import make_unit
from tests.members.test_excel import xlsx
from unionapp.models import AuditEvent, Kind, Unit

HEADER = ["Mã đơn vị *", "Tên đơn vị *", "Cấp *", "Mã đơn vị cấp trên *"]


def upload(client, rows, check_only=True, header=HEADER):
    data = {"file": xlsx(rows, header=header)}
    if check_only:
        data["check_only"] = "1"
    return client.post(reverse("unit_import"), data, follow=True)


NEW_BASE = [
    # children before their parent: the order of the rows does not matter
    ["D1-B9-C1", "Chi đoàn thôn Mới", "Chi đoàn", "D1-B9"],
    ["D1-B9-C2", "Chi đoàn trường Mới", "chi doan", "D1-B9"],
    ["D1-B9", "Đoàn xã Mới", "Đoàn cơ sở", "d1"],
]


def test_it_checks_without_writing_then_imports_in_the_right_places(client, tree, people):
    client.force_login(people.province)
    checked = upload(client, NEW_BASE)
    assert checked.context["result"].errors == []
    assert "Tệp hợp lệ: 3 đơn vị mới (1 đoàn cơ sở, 2 chi đoàn)" in checked.content.decode()
    assert not Unit.objects.filter(code__startswith="D1-B9").exists()
    imported = upload(client, NEW_BASE, check_only=False)
    assert "Đã thêm 3 đơn vị." in imported.content.decode()
    base = Unit.objects.get(code="D1-B9")
    assert base.parent == tree.D1 and base.kind == Kind.BASE and base.path == f"{tree.D1.path}{base.pk}/"
    assert {c.code for c in base.children.all()} == {"D1-B9-C1", "D1-B9-C2"}
    assert AuditEvent.objects.get(action=AuditEvent.Action.IMPORT).changes == {"rows": 3}


def test_the_downloaded_list_imports_back_with_new_rows_added(client, tree, people):
    make_unit(Kind.CELL, make_unit(Kind.BASE, make_unit(Kind.PROVINCE, code="P2"), code="P2-B"), code="P2-C")
    client.force_login(people.province)
    response = client.get(reverse("unit_import_template"))
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert ["C1", "Chi đoàn Một", "Chi đoàn", "B1"] in rows
    assert len(rows) == 9  # every unit of the province but itself; none of another province
    result = upload(client, [*rows, ["B3-C9", "Chi đoàn Chín", "Chi đoàn", "B3"]], check_only=False)
    assert "Đã thêm 1 đơn vị." in result.content.decode()
    again = upload(client, [*rows, ["B3-C9", "Chi đoàn Chín", "Chi đoàn", "B3"]]).context["result"]
    assert (len(again.new), again.known, again.errors) == (0, 10, [])


def test_the_code_columns_of_the_download_are_text(client, tree, people):
    """A code typed there as 01 stays 01 (Excel would store the number 1)."""
    client.force_login(people.province)
    ws = load_workbook(io.BytesIO(client.get(reverse("unit_import_template")).content)).worksheets[0]
    formats = {
        ws.cell(1, i).value: ws.column_dimensions[ws.cell(1, i).column_letter].number_format for i in (1, 2, 3, 4)
    }
    assert formats == {"Mã đơn vị *": "@", "Tên đơn vị *": "General", "Cấp *": "General", "Mã đơn vị cấp trên *": "@"}


def test_a_name_that_looks_like_a_formula_stays_text_in_the_download(client, tree, people):
    Unit.objects.filter(pk=tree.C1.pk).update(name='=HYPERLINK("http://x","bấm")')
    client.force_login(people.province)
    ws = load_workbook(io.BytesIO(client.get(reverse("unit_import_template")).content)).worksheets[0]
    cell = next(row[1] for row in ws.iter_rows(min_row=2) if row[0].value == "C1")
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_it_lists_every_mistake_and_writes_nothing(client, tree, people):
    other = make_unit(Kind.BASE, make_unit(Kind.PROVINCE, code="P2"), code="P2-B1", name="Đoàn xã Tỉnh Khác")
    client.force_login(people.province)
    rows = [
        ["OK-1", "Đoàn xã Đúng", "Đoàn cơ sở", "P"],  # right, but the file has errors
        ["X-1", "Đơn vị lạ", "Liên chi đoàn", "B1"],
        ["X-2", "Chi đoàn dưới huyện", "Chi đoàn", "D1"],
        ["X-3", "Chi đoàn mồ côi", "Chi đoàn", "KHONG-CO"],
        ["X-4", "Chi đoàn tỉnh khác", "Chi đoàn", other.code],
        ["C1", "Chi đoàn Một đổi tên", "Chi đoàn", "B1"],
        ["OK-1", "Trùng mã", "Đoàn cơ sở", "P"],
        ["X-5", "Chi đoàn dưới đơn vị lỗi", "Chi đoàn", "X-2"],
        ["", "Thiếu mã", "Chi đoàn", "B1"],
        ["P9", "Tỉnh mới", "Tỉnh đoàn", "P"],
    ]
    errors = dict(upload(client, rows, check_only=False).context["result"].errors)
    assert "Cấp không rõ" in errors[3]
    assert "không thể trực thuộc" in errors[4]
    assert "Không tìm thấy đơn vị cấp trên có mã KHONG-CO" in errors[5]
    assert "Không tìm thấy đơn vị cấp trên có mã P2-B1" in errors[6] and other.name not in errors[6]
    assert "Mã C1 là của Chi đoàn Một" in errors[7]
    assert "trùng với dòng 2" in errors[8]
    assert "có lỗi ở dòng khác" in errors[9]
    assert "Thiếu mã đơn vị" in errors[10]
    assert "Không nhập Tỉnh đoàn" in errors[11]
    assert 2 not in errors
    assert not Unit.objects.filter(code__in=["OK-1", "X-5"]).exists()
    assert Unit.objects.get(code="C1").name == "Chi đoàn Một"


def test_a_code_of_another_province_is_not_named(client, tree, people):
    make_unit(
        Kind.CELL, make_unit(Kind.BASE, make_unit(Kind.PROVINCE, code="P2")), code="BI-MAT", name="Chi đoàn Bí Mật"
    )
    client.force_login(people.province)
    response = upload(client, [["bi-mat", "Chi đoàn X", "Chi đoàn", "B1"]])
    assert "ngoài phạm vi của bạn" in response.content.decode() and "Bí Mật" not in response.content.decode()


def test_it_refuses_what_is_not_a_spreadsheet(client, tree, people):
    client.force_login(people.province)
    response = client.post(reverse("unit_import"), {"file": SimpleUploadedFile("a.xlsx", b"not a zip")})
    assert "Tệp không phải bảng tính Excel (.xlsx, .xls) hay LibreOffice (.ods)" in response.content.decode()
    missing_columns = upload(client, [["X", "Y"]], header=["Mã đơn vị", "Tên đơn vị"])
    assert "thiếu cột" in missing_columns.content.decode()


def test_a_base_unions_officer_imports_cells_under_it_only(client, tree, people):
    client.force_login(people.officer)
    ws = load_workbook(io.BytesIO(client.get(reverse("unit_import_template")).content)).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert sorted(r[0] for r in rows) == ["B1", "C1", "C2"]  # its own units, none of its neighbours'
    new_year = [["B1-10A", "Chi đoàn Lớp 10A", "Chi đoàn", "B1"], ["B1-10B", "Chi đoàn Lớp 10B", "Chi đoàn", "B1"]]
    refused = upload(client, [*rows, *new_year, ["B2-X", "Chi đoàn nhà bên", "Chi đoàn", "B2"]], check_only=False)
    assert "Không tìm thấy đơn vị cấp trên có mã B2" in dict(refused.context["result"].errors)[len(rows) + 4]
    assert not Unit.objects.filter(code__startswith="B").exclude(code__in=["B1", "B2", "B3"]).exists()
    assert "Đã thêm 2 đơn vị." in upload(client, [*rows, *new_year], check_only=False).content.decode()
    assert set(Unit.objects.filter(code__startswith="B1-").values_list("parent__code", flat=True)) == {"B1"}
