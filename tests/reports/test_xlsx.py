import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.printing import printed_text
from tests.reports.conftest import Y
from unionapp.models import Unit


def download(client, unit, **params):
    response = client.get(reverse("report_xlsx", args=[unit.pk]), {"period": "year", "year": str(Y), **params})
    assert response.status_code == 200
    return response.content


def test_the_workbook_follows_the_union_document_layout(client, people, tree, known):
    client.force_login(people.province)
    data = download(client, tree.P)
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    assert ws["A2"].value == "BCH ĐOÀN TỈNH THỬ" and ws["A2"].font.b  # from "Tỉnh đoàn Thử"
    assert ws["J1"].value == "ĐOÀN TNCS HỒ CHÍ MINH" and ws["J1"].font.b
    assert ws["A4"].value == "Số:      -BC/P" and ws["J4"].font.i
    assert ws["A6"].value == 'BÁO CÁO KẾT QUẢ THỰC HIỆN CHỦ TRƯƠNG "1+1" TRONG PHÁT TRIỂN ĐOÀN VIÊN, HỘI VIÊN MỚI'
    assert ws["A7"].value == f"Tỉnh đoàn Thử — Năm {Y}"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A6:P6", "A9:A10", "B9:B10", "E9:F9", "I9:K9", "L9:N9", "O9:P9"} <= merged
    assert [ws.cell(11, c).value for c in (1, 2, 16)] == ["(1)", "(2)", "(16)"]
    assert ws["A6"].font.name == "Times New Roman" and ws["A6"].font.sz == 14 and ws["B12"].font.sz == 13
    total_row = 12 + 3
    assert ws.cell(total_row, 2).value == "TỔNG CỘNG" and ws.cell(total_row, 3).font.b
    assert ws.cell(total_row, 3).number_format == "[$-42A]#,##0" and ws.cell(total_row, 6).number_format == "[$-42A]0.0"
    assert ws.freeze_panes == "C12"
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$9:$11"
    signature = [ws.cell(r, 10).value for r in range(total_row + 1, total_row + 5)]
    assert "TM. BAN THƯỜNG VỤ" in signature and "BÍ THƯ" in signature
    # The second sheet: every cell of the subtree with its district and base union.
    cells = wb["Chi tiết chi đoàn"]
    assert cells.auto_filter.ref.startswith("A1:")
    listed = {(r[0].value, r[1].value, r[2].value) for r in cells.iter_rows(min_row=2)}
    assert ("Huyện đoàn Một", "Đoàn xã Một", "Chi đoàn Một") in listed and (
        None,
        "Đoàn phường Ba",
        "Chi đoàn Bốn",
    ) in listed
    assert len(listed) == 4
    # A native chart of target against result.
    assert any(n.startswith("xl/charts/chart") for n in zipfile.ZipFile(io.BytesIO(data)).namelist())


def test_unit_names_never_become_formulas(client, people, tree, known):
    Unit.objects.filter(pk=tree.D1.pk).update(name='=HYPERLINK("http://x","bấm")')
    client.force_login(people.province)
    data = download(client, tree.P)
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    names = [ws.cell(r, 2).value for r in range(12, 15)]
    assert '=HYPERLINK("http://x","bấm")' in names


def test_libreoffice_opens_it_with_the_layout_intact(client, people, tree, known, tmp_path):
    client.force_login(people.province)
    text = printed_text(download(client, tree.P), tmp_path)
    assert 'BÁO CÁO KẾT QUẢ THỰC HIỆN CHỦ TRƯƠNG "1+1"' in text
    assert "ĐOÀN TNCS HỒ CHÍ MINH" in text and "TM. BAN THƯỜNG VỤ" in text
    total = next(line for line in text.splitlines() if "TỔNG CỘNG" in line).split()
    # Vietnamese formats, as the page shows them: 37,5 % of members did 1+1; 20,0 % of the union target.
    assert total[2:8] == ["8", "11", "3", "37,5", "5", "2"]
    assert "20,0" in total


def test_the_workbook_is_in_vietnamese_whatever_the_users_language(client, people, tree, known):
    client.force_login(people.province)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    wb = load_workbook(io.BytesIO(download(client, tree.P, period="q3")))
    assert wb.sheetnames[0] == "Báo cáo 1+1"
    assert wb.active["A7"].value.endswith(f"— Quý III năm {Y}")


def decision_list(client, people, tree):
    from datetime import date

    from referrals import services
    from tests.factories import reviewed_referral

    day = date(Y, 6, 10)
    for cell, name in ((tree.C1, "Lò Văn An"), (tree.C2, "Hà Thị Bình")):
        referral = reviewed_referral(cell, people.secretary, full_name=name)
        services.admit(referral=referral, by=people.officer, decision_number="21-QĐ/ĐTN", decision_date=day)
    url = reverse("decision_list", args=[tree.B1.pk])
    return lambda: client.get(url, {"number": "21-QĐ/ĐTN", "date": day.isoformat(), "joins": "union"}).content


@pytest.mark.parametrize("document", ["report", "decision list"])
def test_cells_styled_alike_make_the_same_file_as_cells_styled_one_by_one(
    client, people, tree, known, monkeypatch, document
):
    """put() copies the style of an earlier cell with the same arguments (openpyxl's own styling costs
    ~100 µs a cell): the file must not change by it, whatever the arguments' order of first use."""
    from reports import xlsx

    def parts(data):
        z = zipfile.ZipFile(io.BytesIO(data))
        return {n: z.read(n) for n in z.namelist() if not n.startswith("docProps/")}  # docProps: the time

    client.force_login(people.province)
    make = (lambda: download(client, tree.P)) if document == "report" else decision_list(client, people, tree)
    remembered = parts(make())

    class Forgetful:
        def setdefault(self, workbook, default):
            return {}

    monkeypatch.setattr(xlsx, "_STYLES", Forgetful())
    one_by_one = parts(make())
    assert remembered.keys() == one_by_one.keys()
    for name in remembered:
        assert remembered[name] == one_by_one[name], name
    assert b"Times New Roman" in remembered["xl/styles.xml"]
    assert ("Lò Văn An" if document != "report" else "TỔNG CỘNG").encode() in b"".join(remembered.values())
