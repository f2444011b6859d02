import io
import zipfile
from datetime import date, datetime

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from members import excel
from members.models import ImportBatch, Member, Status
from tests.factories import form_token, make_member, make_referral

HEADER = ["STT", "Họ và tên *", "Ngày sinh *", "Giới tính *", "Dân tộc", "Tôn giáo", "Số CCCD", "Số điện thoại",
          "Địa chỉ", "Trình độ học vấn", "Nghề nghiệp", "Ngày vào Đoàn", "Số thẻ đoàn viên", "Mã chi đoàn"]  # fmt: skip


def as_upload(wb, name="danh-sach.xlsx") -> io.BytesIO:
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = name
    return out


def sheet(*rows) -> io.BytesIO:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    return as_upload(wb)


def xlsx(rows, header=HEADER) -> io.BytesIO:
    return sheet(header, *rows)


GOOD_ROWS = [
    [
        1,
        "Hoàng Thị Lan",
        "05/09/2005",
        "Nữ",
        "Tày",
        "",
        "001305012345",
        "0912.345.678",
        "Bản Trại",
        "12/12",
        "",
        "",
        "",
        "C1",
    ],
    [2, "Nông Văn Sơn", datetime(2003, 1, 2), "Nam", "", "", "", "", "", "", "", "26/03/2019", "", "C2"],
    ["VD", "Nguyễn Thị Mẫu", "05/09/2005", "Nữ", "", "", "", "", "", "", "", "", "", "C1"],  # the example row
]


def upload(client, unit, f):
    response = client.post(reverse("import_upload"), {"unit": unit.pk, "file": f})
    return client.get(response["Location"]) if response.status_code == 302 else response


def test_template_has_vietnamese_headers_and_an_example_row(client, people):
    client.force_login(people.secretary)
    wb = load_workbook(io.BytesIO(client.get(reverse("import_template")).content))
    ws = wb.active
    assert [c.value for c in ws[1]][:4] == ["STT", "Họ và tên *", "Ngày sinh *", "Giới tính *"]
    assert ws["A2"].value == "VD" and ws["B2"].value == "Nguyễn Thị Mẫu"


def test_a_good_file_is_checked_then_committed_in_one_go(client, people, tree):
    client.force_login(people.officer)
    preview = upload(client, tree.B1, xlsx(GOOD_ROWS))
    assert preview.status_code == 200
    assert len(preview.context["result"].members) == 2
    assert not Member.objects.exists()  # the dry run writes nothing
    client.post(reverse("import_preview", args=[preview.context["token"]]))
    lan = Member.objects.get(full_name="Hoàng Thị Lan")
    son = Member.objects.get(full_name="Nông Văn Sơn")
    assert (lan.cell, lan.date_of_birth, lan.phone, lan.citizen_id) == (
        tree.C1,
        date(2005, 9, 5),
        "0912345678",
        "001305012345",
    )
    assert (son.cell, son.date_of_birth, son.joined_on) == (tree.C2, date(2003, 1, 2), date(2019, 3, 26))
    assert ImportBatch.objects.get().row_count == 2


def test_a_file_sent_twice_is_stored_once_and_the_second_post_leads_to_the_imports(client, people, tree):
    """The answer to "Nhập vào sổ" lost, the phone sends it again: no second batch, and not a 404."""
    client.force_login(people.officer)
    preview = upload(client, tree.B1, xlsx(GOOD_ROWS))
    url = reverse("import_preview", args=[preview.context["token"]])
    data = {"submission": form_token(preview)}
    first, again = client.post(url, data), client.post(url, data)
    assert first["Location"] == again["Location"] == reverse("import_upload")
    page = client.get(again["Location"]).content.decode()
    assert "đã được thực hiện ở lần gửi trước" in page
    assert ImportBatch.objects.count() == 1 and Member.objects.count() == 2


def test_a_commit_that_fails_part_way_stores_nothing(people, tree, monkeypatch, tmp_path):
    path = tmp_path / "f.xlsx"
    path.write_bytes(xlsx(GOOD_ROWS).getvalue())

    def fails(cells):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(excel.tally, "refresh", fails)  # after the batch and its members are written
    with pytest.raises(RuntimeError):
        excel.commit_file(str(path), tree.B1, date(2026, 11, 27), by=people.officer, file_name="f.xlsx")
    assert not ImportBatch.objects.exists() and not Member.objects.exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_commits_of_one_file_at_the_same_moment_store_it_once(people, tree):
    from django.test import Client

    from tests.concurrency import run_together

    first = Client()
    first.force_login(people.officer)
    preview = upload(first, tree.B1, xlsx(GOOD_ROWS))
    second = Client()
    second.cookies = first.cookies  # the same session: one phone sending twice
    url = reverse("import_preview", args=[preview.context["token"]])
    data = {"submission": form_token(preview)}
    answers = run_together(lambda: first.post(url, data), lambda: second.post(url, data))
    assert [a["Location"] for a in answers] == [reverse("import_upload")] * 2, answers
    assert ImportBatch.objects.count() == 1 and Member.objects.count() == 2


def test_a_file_with_bad_rows_writes_nothing_and_reports_every_error(client, people, tree):
    rows = [
        [1, "Hoàng Thị Lan", "31/02/2005", "Nữ", "", "", "", "", "", "", "", "", "", "C1"],
        [2, "", "01/01/2005", "Nam", "", "", "", "", "", "", "", "", "", "C1"],
        [3, "Lý Văn Ba", "01/01/2005", "Không rõ", "", "", "123", "12", "", "", "", "", "", "C3"],
        [4, "Lý Văn Bốn", "01/01/2005", "Nam", "", "", "", "", "", "", "", "", "", "C1"],
    ]
    client.force_login(people.officer)
    preview = upload(client, tree.B1, xlsx(rows))
    errors = {(e.row, e.column) for e in preview.context["result"].errors}
    assert errors == {
        (2, "Ngày sinh"),
        (3, "Họ và tên"),
        (4, "Giới tính"),
        (4, "Số CCCD"),
        (4, "Số điện thoại"),
        (4, "Mã chi đoàn"),  # C3 is outside B1
    }
    body = preview.content.decode()
    assert "ngày không hợp lệ, cần dạng dd/mm/yyyy" in body and "Chưa có gì được lưu" in body
    response = client.post(reverse("import_preview", args=[preview.context["token"]]))
    assert response.status_code == 200
    assert not Member.objects.exists()
    # The copy with an error column.
    marked = load_workbook(
        io.BytesIO(client.get(reverse("import_errors", args=[preview.context["token"]])).content)
    ).active
    assert marked.cell(1, marked.max_column).value == "Lỗi"
    assert "Giới tính" in marked.cell(4, marked.max_column).value
    assert marked.cell(5, marked.max_column).value is None


def test_numbers_and_dates_excel_made_of_what_was_typed_are_read_back(client, people, tree):
    """Typed into cells not formatted as text, a CCCD or a phone number is stored as a number without its
    leading zeros, and a grade 9/12 as a date: the import reads them back as they were typed."""
    rows = [  # CCCD of Hà Nội (001...) and of TP. HCM (079...); a mobile; a landline; 9/12 read either way round
        [1, "Lò Văn Một", "05/05/2005", "Nam", "", "", 1305012345, 912345678, "", datetime(2026, 12, 9), "", "", "",
         "C1"],
        [2, "Lò Văn Hai", "05/05/2005", "Nam", "", "", 79305012346.0, 2053812345, "", datetime(2026, 9, 12), "", "",
         "", "C1"],
        [3, "Lò Văn Ba", "05/05/2005", "Nam", "", "", "", 84912345679, "", datetime(2025, 12, 12), "", "", "", "C1"],
        [4, "Lò Văn Bốn", "05/05/2005", "Nam", "", "", 12345, 12345, "", "", "", "", "", "C1"],
    ]  # fmt: skip
    client.force_login(people.officer)
    result = upload(client, tree.B1, xlsx(rows)).context["result"]
    assert {(e.row, e.column) for e in result.errors} == {(5, "Số CCCD"), (5, "Số điện thoại")}  # too short
    read = [(m.citizen_id, m.phone, m.education) for _row, m in result.members]
    assert read == [
        ("001305012345", "0912345678", "9/12"),
        ("079305012346", "02053812345", "9/12"),
        (None, "0912345679", "12/12"),
    ]


def test_a_date_shown_as_its_serial_number_is_read_and_a_year_alone_is_explained(client, people, tree):
    """Pasted as values, 05/09/2005 is 38600 (days from 30/12/1899); an old register often kept the year alone."""
    rows = [
        [1, "Lò Văn Một", 38600, "Nam", "", "", "", "", "", "", "", 44646.0, "", "C1"],
        [2, "Lò Văn Hai", 2005, "Nam", "", "", "", "", "", "", "", "", "", "C1"],
        [3, "Lò Văn Ba", "2006", "Nam", "", "", "", "", "", "", "", "", "", "C1"],
    ]
    client.force_login(people.officer)
    result = upload(client, tree.B1, xlsx(rows)).context["result"]
    [(_row, member)] = result.members
    assert (member.date_of_birth, member.joined_on) == (date(2005, 9, 5), date(2022, 3, 26))
    assert {(e.row, e.column, e.message) for e in result.errors} == {
        (3, "Ngày sinh", "chỉ có năm; cần đủ ngày, tháng, năm dạng dd/mm/yyyy"),
        (4, "Ngày sinh", "chỉ có năm; cần đủ ngày, tháng, năm dạng dd/mm/yyyy"),
    }


def test_the_template_formats_the_columns_of_digits_and_grades_as_text(client, people):
    """So that what a secretary types there stays as typed (Excel would drop the zeros or make a date)."""
    client.force_login(people.secretary)
    ws = load_workbook(io.BytesIO(client.get(reverse("import_template")).content)).active
    formats = {ws.cell(1, i).value: ws.column_dimensions[ws.cell(1, i).column_letter].number_format
               for i in range(2, ws.max_column + 1)}  # fmt: skip
    assert {h for h, f in formats.items() if f == "@"} == {
        "Ngày sinh *", "Số CCCD", "Số điện thoại", "Trình độ học vấn", "Ngày vào Đoàn", "Số thẻ đoàn viên",
        "Mã chi đoàn", "Ngày giới thiệu cho Đảng", "Ngày vào Đảng"
    }  # fmt: skip


def test_a_register_typed_in_an_old_font_is_read_back_into_unicode(client, people, tree):
    """An old register typed in .VnTime (TCVN3) or VNI-Times shows "NguyÔn V¨n An": read back as it was meant,
    the preview showing what was changed; what reads as no Vietnamese is refused with how to convert it."""
    rows = [
        [1, "NguyÔn V¨n An", "05/05/2005", "Nam", "Tµy", "", "", "", "Th«n B¶n Tr¹i", "", "", "", "", "C1"],
        [2, "Nguyeãn Vaên Ñoaøn", "05/05/2005", "Nam", "", "", "", "", "", "", "", "", "", "C1"],
        [3, "Nguyễn Văn Ba", "05/05/2005", "Nam", "Tày", "", "", "", "Thôn Bản Trại", "", "", "", "", "C1"],
        [4, "Lò Văn Hai", "05/05/2005", "Nam", "", "", "", "", "Tæ 5", "", "", "", "", "C1"],  # "Tổ" or "Tỉ"
        [5, "¸nh ThÞ Mai", "05/05/2005", "Nữ", "", "", "", "", "", "", "", "", "", "C1"],
        [6, "K'Br« Y Blim", "05/05/2005", "Nam", "£ §ª", "", "", "", "", "", "", "", "", "C1"],
    ]
    client.force_login(people.officer)
    preview = upload(client, tree.B1, xlsx(rows))
    result = preview.context["result"]
    read = [(m.full_name, m.ethnicity, m.address) for _row, m in result.members]
    assert read == [
        ("Nguyễn Văn An", "Tày", "Thôn Bản Trại"),
        ("Nguyễn Văn Đoàn", "Kinh", ""),
        ("Nguyễn Văn Ba", "Tày", "Thôn Bản Trại"),
        ("Lò Văn Hai", "Kinh", "Tổ 5"),  # the file's font (TCVN3) decides what reads in both
        ("Ánh Thị Mai", "Kinh", ""),  # no capital with a tone in those fonts
    ]
    assert result.font == "TCVN3"
    assert (2, "Họ và tên", "NguyÔn V¨n An", "Nguyễn Văn An", "") in result.font_changes
    body = preview.content.decode()
    assert "NguyÔn V¨n An” → “Nguyễn Văn An" in body and 'data-testid="old-font"' in body
    assert [(e.row, e.column) for e in result.errors] == [(7, "Họ và tên")]
    assert "phông cũ (TCVN3 .VnTime hoặc VNI)" in body
    marked = load_workbook(io.BytesIO(client.get(reverse("import_errors", args=[preview.context["token"]])).content))
    assert "Unikey" in marked.active.cell(7, marked.active.max_column).value


def test_dates_excel_read_month_first_are_refused_with_the_date_meant(client, people, tree):
    """Typed on a computer set to month/day: 05/09/2005 became 9 May, while 25/09/2005 stayed text."""
    rows = [
        [1, "Lò Văn Một", "25/09/2005", "Nam", "", "", "", "", "", "", "", "", "", "C1"],
        [2, "Lò Văn Hai", datetime(2005, 5, 9), "Nam", "", "", "", "", "", "", "", "", "", "C1"],
        [3, "Lò Văn Ba", datetime(2006, 3, 3), "Nam", "", "", "", "", "", "", "", "", "", "C1"],  # 03/03 either way
        [4, "Lò Văn Bốn", (date(2005, 6, 7) - date(1899, 12, 30)).days, "Nam", "", "", "", "", "", "", "", "", "",
         "C1"],  # the same, pasted as values: its serial number
    ]  # fmt: skip
    client.force_login(people.officer)
    preview = upload(client, tree.B1, xlsx(rows))
    result = preview.context["result"]
    assert [(e.row, e.column) for e in result.errors] == [(3, "Ngày sinh"), (5, "Ngày sinh")]
    assert "07/06/2005 có lẽ là 06/07/2005" in result.errors[1].message
    assert "09/05/2005 có lẽ là 05/09/2005" in result.errors[0].message
    assert [m.full_name for _row, m in result.members] == ["Lò Văn Một", "Lò Văn Ba"]
    assert "Excel đã đọc ngày này theo kiểu tháng trước, ngày sau" in preview.content.decode()


def test_excel_dates_past_the_12th_show_a_file_read_day_first(client, people, tree):
    rows = [
        [1, "Lò Văn Một", "25/09/2005", "Nam", "", "", "", "", "", "", "", "", "", "C1"],
        [2, "Lò Văn Hai", datetime(2005, 5, 9), "Nam", "", "", "", "", "", "", "", "", "", "C1"],
        [3, "Lò Văn Ba", datetime(2006, 3, 20), "Nam", "", "", "", "", "", "", "", "", "", "C1"],
    ]
    client.force_login(people.officer)
    result = upload(client, tree.B1, xlsx(rows)).context["result"]
    assert result.errors == [] and len(result.members) == 3


def test_an_offices_own_list_is_read_below_its_title_with_the_column_names_it_uses(client, people, tree):
    """A list kept by an office starts with its title; its columns are "Họ tên", "Nam/Nữ", "SĐT"..., and a row
    numbers them (1), (2), (3)... The rows are named by their place in the sheet."""
    f = sheet(
        ["ĐOÀN XÃ MỘT"],
        ["DANH SÁCH ĐOÀN VIÊN CHI ĐOÀN MỘT"],
        [],
        ["STT", "Họ tên", "Ngày tháng\nnăm sinh", "Nam/Nữ", "CCCD", "SĐT", "Ngày kết nạp Đoàn", "Mã chi đoàn"],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)"],
        [1, "Hoàng Thị Lan", "05/09/2005", "Nữ", "001305012345", "0912345678", "26/03/2021", "C1"],
        [2, "Nông Văn Sơn", "31/02/2005", "Nam", "", "", "", "C1"],
    )
    client.force_login(people.officer)
    preview = upload(client, tree.B1, f)
    result = preview.context["result"]
    [(row, lan)] = result.members
    assert (row, lan.full_name, lan.date_of_birth, lan.citizen_id, lan.phone, lan.joined_on) == (
        6, "Hoàng Thị Lan", date(2005, 9, 5), "001305012345", "0912345678", date(2021, 3, 26)
    )  # fmt: skip
    assert [(e.row, e.column) for e in result.errors] == [(7, "Ngày sinh")]
    marked = load_workbook(io.BytesIO(client.get(reverse("import_errors", args=[preview.context["token"]])).content))
    ws = marked.active
    assert ws.cell(4, ws.max_column).value == "Lỗi" and "Ngày sinh" in ws.cell(7, ws.max_column).value


def test_sheets_after_the_first_that_hold_data_are_named_as_not_read(client, people, tree):
    """A base union's file with a sheet per cell: the preview says which were left out, rather than import half."""
    wb = load_workbook(xlsx(GOOD_ROWS))
    wb.create_sheet("Chi đoàn Hai").append(["STT", "Họ và tên"])
    wb.create_sheet("Trống")
    wb.create_sheet("Hướng dẫn").append(["Mỗi dòng một đoàn viên"])  # the template's own
    client.force_login(people.officer)
    preview = upload(client, tree.B1, as_upload(wb))
    assert preview.context["result"].skipped_sheets == ["Chi đoàn Hai"]
    assert "Tệp còn 1 trang tính khác có dữ liệu, không được nhập: Chi đoàn Hai." in preview.content.decode()
    single = upload(client, tree.B1, xlsx(GOOD_ROWS)).content.decode()
    assert 'data-testid="skipped-sheets"' not in single


def test_the_register_is_read_from_the_sheet_that_holds_it(client, people, tree):
    """An office's file opening on a cover sheet: the register is the first sheet with its column names, and the
    preview says which sheet was read; the errors file marks that sheet and opens on it."""
    wb = Workbook()
    wb.active.title = "Bìa"
    wb.active.append(["BÁO CÁO DANH SÁCH ĐOÀN VIÊN NĂM 2026"])
    register = wb.create_sheet("Danh sách")
    for row in [HEADER, *GOOD_ROWS, [3, "Lò Văn Sai", "chưa rõ", "Nam", *[""] * 9, "C1"]]:
        register.append(row)
    client.force_login(people.officer)
    preview = upload(client, tree.B1, as_upload(wb))
    result = preview.context["result"]
    assert [m.full_name for _row, m in result.members] == ["Hoàng Thị Lan", "Nông Văn Sơn"]
    assert (result.sheet, [(e.row, e.column) for e in result.errors]) == ("Danh sách", [(5, "Ngày sinh")])
    assert "Đã đọc trang tính “Danh sách”" in preview.content.decode()
    assert result.skipped_sheets == ["Bìa"]  # said too: it holds something
    marked = load_workbook(io.BytesIO(client.get(reverse("import_errors", args=[preview.context["token"]])).content))
    assert marked.active.title == "Danh sách" and "Ngày sinh" in marked.active.cell(5, marked.active.max_column).value
    assert marked["Bìa"].max_column == 1  # the cover is left as it was
    # The first sheet holding the register is read as before, without a word about sheets.
    single = upload(client, tree.B1, xlsx(GOOD_ROWS)).content.decode()
    assert 'data-testid="sheet-read"' not in single


NO_CELL_COLUMN = HEADER[:-1]  # a cell's own list names no cell


def test_a_base_unions_file_with_a_sheet_per_cell_is_read_sheet_by_sheet(client, people, tree):
    """Each sheet named after a cell (its name, without "Chi đoàn", or its code) gives that cell its rows; the
    preview says which sheet went where; the whole file is stored at once."""
    wb = Workbook()
    wb.active.title = "Tổng hợp"
    wb.active.append(["Tổng số đoàn viên", 3])
    for title, rows in (
        ("Một", [["1", "Hoàng Thị Lan", "05/09/2005", "Nữ"], ["2", "Nông Văn Sơn", "02/01/2003", "Nam"]]),
        ("c2", [["1", "Lß ThÞ Mai", "01/02/2004", "Nữ"]]),  # typed in TCVN3
    ):
        ws = wb.create_sheet(title)
        for row in [NO_CELL_COLUMN, *rows]:
            ws.append(row)
    client.force_login(people.officer)
    preview = upload(client, tree.B1, as_upload(wb))
    result = preview.context["result"]
    assert result.errors == []
    assert [(m.full_name, m.cell) for _row, m in result.members] == [
        ("Hoàng Thị Lan", tree.C1),
        ("Nông Văn Sơn", tree.C1),
        ("Lò Thị Mai", tree.C2),
    ]
    body = preview.content.decode()
    assert "“Một” → Chi đoàn Một: 2 dòng hợp lệ" in body and "“c2” → Chi đoàn Hai: 1 dòng hợp lệ" in body
    assert "Trang tính c2, dòng 2, Họ và tên: “Lß ThÞ Mai” → “Lò Thị Mai”" in body
    assert "không có dòng tên cột của sổ đoàn viên, không được nhập: Tổng hợp" in body
    client.post(reverse("import_preview", args=[preview.context["token"]]), {"submission": form_token(preview)})
    assert Member.objects.filter(cell=tree.C1).count() == 2 and Member.objects.filter(cell=tree.C2).count() == 1


def test_a_sheet_per_cell_names_its_sheet_in_each_error_and_in_the_errors_file(client, people, tree):
    wb = Workbook()
    wb.active.title = "Một"
    for row in [NO_CELL_COLUMN, ["1", "Hoàng Thị Lan", "05/09/2005", "Nữ", "", "", "001305012345"]]:
        wb.active.append(row)
    other = wb.create_sheet("Thôn Lạ")  # no cell of that name: its rows must name their cell
    for row in [NO_CELL_COLUMN, ["1", "Lò Thị Mai", "01/02/2004", "Nữ"]]:
        other.append(row)
    beyond = wb.create_sheet("Ba")  # the name of a cell of another base union: not one of the officer's
    for row in [NO_CELL_COLUMN, ["1", "Vi Văn Ba", "01/02/2004", "Nam"]]:
        beyond.append(row)
    third = wb.create_sheet("Hai")
    for row in [NO_CELL_COLUMN, ["1", "Hà Văn Tư", "01/02/2004", "Nam", "", "", "001305012345"]]:
        third.append(row)
    client.force_login(people.officer)
    preview = upload(client, tree.B1, as_upload(wb))
    errors = [(e.sheet, e.row, e.column, e.message) for e in preview.context["result"].errors]
    assert errors == [
        ("Thôn Lạ", 2, "Mã chi đoàn", "thiếu mã chi đoàn"),
        ("Ba", 2, "Mã chi đoàn", "thiếu mã chi đoàn"),
        ("Hai", 2, "Số CCCD", "trùng với dòng 2 của trang tính Một"),
    ]
    body = preview.content.decode()
    assert "<td>Thôn Lạ</td><td>2</td>" in body
    assert "“Thôn Lạ” → Đoàn xã Một: 0 dòng hợp lệ <span" in body and "không có chi đoàn tên này" in body
    marked = load_workbook(io.BytesIO(client.get(reverse("import_errors", args=[preview.context["token"]])).content))
    assert marked.active.title == "Thôn Lạ"
    assert marked["Thôn Lạ"].cell(2, marked["Thôn Lạ"].max_column).value == "Mã chi đoàn: thiếu mã chi đoàn"
    assert "trang tính Một" in marked["Hai"].cell(2, marked["Hai"].max_column).value
    assert marked["Một"].max_column == len(NO_CELL_COLUMN)  # a sheet without errors is left as it was
    assert not Member.objects.exists()


def test_a_file_with_no_register_anywhere_says_which_columns_are_missing(client, people, tree):
    wb = Workbook()
    wb.active.append(["Tổng hợp", 120])
    wb.create_sheet("Ghi chú").append(["Họ và tên", "Quê quán"])
    client.force_login(people.officer)
    body = upload(client, tree.B1, as_upload(wb)).content.decode()
    assert "Không tìm thấy cột: Họ và tên (hoặc Họ tên); Ngày sinh" in body
    assert not Member.objects.exists()


def test_a_list_with_the_date_of_birth_under_nam_or_nu_is_read(client, people, tree):
    """The official lists' layout: "Ngày sinh" over two columns, "Nam" and "Nữ"; the date under one tells both."""
    f = sheet(
        ["DANH SÁCH ĐOÀN VIÊN"],
        ["STT", "Họ và tên", "Ngày sinh", None, "Dân tộc", "Mã chi đoàn"],
        [None, None, "Nam", "Nữ", None, None],
        [1, "Lò Văn Một", "05/05/2005", None, "Tày", "C1"],
        [2, "Lò Thị Hai", None, "06/06/2006", "Kinh", "C1"],
        [3, "Lò Văn Ba", "01/01/2005", "01/01/2005", "", "C1"],  # under both: which?
    )
    client.force_login(people.officer)
    result = upload(client, tree.B1, f).context["result"]
    read = [(row, m.full_name, m.gender, m.date_of_birth, m.ethnicity) for row, m in result.members]
    assert read == [(4, "Lò Văn Một", "M", date(2005, 5, 5), "Tày"), (5, "Lò Thị Hai", "F", date(2006, 6, 6), "Kinh")]
    assert {(e.row, e.column) for e in result.errors} == {(6, "Ngày sinh"), (6, "Giới tính")}


def test_a_list_marking_nam_or_nu_gives_the_gender(client, people, tree):
    f = sheet(
        ["STT", "Họ tên", "Ngày sinh", "Nam", "Nữ", "Mã chi đoàn"],
        [1, "Lò Văn Một", "05/05/2005", "x", None, "C1"],
        [2, "Lò Thị Hai", "06/06/2006", None, "x", "C1"],
    )
    client.force_login(people.officer)
    result = upload(client, tree.B1, f).context["result"]
    assert [(m.full_name, m.gender) for _row, m in result.members] == [("Lò Văn Một", "M"), ("Lò Thị Hai", "F")]


def test_a_year_column_is_not_taken_for_the_male_column(client, people, tree):
    """ "Năm" folds to "nam": a year's column must not give a member the gender "Nam"."""
    f = sheet(
        ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Năm", "Mã chi đoàn"],
        [1, "Lò Thị Một", "05/05/2005", "", 2021, "C1"],
    )
    client.force_login(people.officer)
    result = upload(client, tree.B1, f).context["result"]
    assert [(e.row, e.column) for e in result.errors] == [(2, "Giới tính")]
    assert result.columns_unread == ["Năm"]


def test_the_preview_says_what_each_column_was_read_as_and_which_were_not_read(client, people, tree):
    f = sheet(
        ["STT", "Họ tên", "Ngày sinh *", "Nam", "Nữ", "Quê quán", "Ghi chú", "Mã chi đoàn"],
        [1, "Lò Văn Một", "05/05/2005", "x", None, "Lạng Sơn", "", "C1"],
    )
    client.force_login(people.officer)
    preview = upload(client, tree.B1, f)
    result = preview.context["result"]
    assert result.columns_read == [
        ("Họ tên", "Họ và tên"), ("Ngày sinh *", None), ("Nam", "Giới tính, ngày sinh"),
        ("Nữ", "Giới tính, ngày sinh"), ("Mã chi đoàn", None),
    ]  # fmt: skip
    assert result.columns_unread == ["Quê quán", "Ghi chú"]
    body = preview.content.decode()
    assert "Họ tên → Họ và tên; Ngày sinh *;" in body
    assert "Các cột không nhập:</span> Quê quán, Ghi chú." in body


def test_a_file_without_the_columns_names_those_missing(client, people, tree):
    client.force_login(people.officer)
    response = upload(client, tree.B1, xlsx([[1, "Hoàng Thị Lan"]], header=["STT", "Họ và tên", "Ghi chú"]))
    body = response.content.decode()
    assert (
        "Không tìm thấy cột: Ngày sinh (hoặc Ngày tháng năm sinh, hoặc hai cột Nam và Nữ ghi ngày sinh); Giới tính"
        in body
    )
    assert not Member.objects.exists()


def test_a_join_date_that_cannot_be_right_is_reported(client, people, tree):
    # Columns swapped, a birth year typed twice: the row names the problem; a member who joined at 16 is fine.
    rows = [
        [1, "Lò Văn Đảo", "01/03/2024", "Nam", "", "", "", "", "", "", "", "01/03/2008", "", "C1"],
        [2, "Lò Văn Mười", "05/05/2008", "Nam", "", "", "", "", "", "", "", "26/03/2018", "", "C1"],
        [3, "Lò Văn Đúng", "05/05/2008", "Nam", "", "", "", "", "", "", "", "26/03/2025", "", "C1"],
    ]
    client.force_login(people.officer)
    result = upload(client, tree.B1, xlsx(rows)).context["result"]
    assert {(e.row, e.column, e.message) for e in result.errors} == {
        (2, "Ngày vào Đoàn", "Ngày vào Đoàn phải sau ngày sinh."),
        (3, "Ngày vào Đoàn", "Vào Đoàn khi mới 9 tuổi: hãy kiểm tra lại ngày sinh và ngày vào Đoàn."),
    }


def test_duplicates_of_existing_members_are_reported_not_stored_twice(client, people, tree):
    make_member(tree.C3, full_name="Hoàng Thị Lan", citizen_id="001305012345")
    make_member(tree.C1, full_name="NÔNG VĂN SƠN", date_of_birth=date(2003, 1, 2))
    client.force_login(people.officer)
    preview = upload(client, tree.B1, xlsx(GOOD_ROWS))
    assert [e.row for e in preview.context["result"].duplicates] == [2, 3]
    client.post(reverse("import_preview", args=[preview.context["token"]]))
    assert Member.objects.count() == 2


def test_a_committed_batch_can_be_undone_until_a_member_changes(client, people, tree):
    client.force_login(people.officer)
    preview = upload(client, tree.B1, xlsx(GOOD_ROWS))
    client.post(reverse("import_preview", args=[preview.context["token"]]))
    batch = ImportBatch.objects.get()
    assert (
        "Tất cả hồ sơ của lần nhập này sẽ bị xóa."
        in client.get(reverse("import_undo", args=[batch.pk])).content.decode()
    )
    client.post(reverse("import_undo", args=[batch.pk]))
    assert not Member.objects.exists()
    batch.refresh_from_db()
    assert batch.undone_at is not None


def test_a_batch_with_a_changed_member_cannot_be_undone(client, people, tree):
    client.force_login(people.officer)
    preview = upload(client, tree.B1, xlsx(GOOD_ROWS))
    client.post(reverse("import_preview", args=[preview.context["token"]]))
    lan = Member.objects.get(full_name="Hoàng Thị Lan")
    client.post(
        reverse("member_status", args=[lan.pk]), {"to_status": Status.AWAY, "date": "2026-10-01", "reason": "x"}
    )
    client.post(reverse("import_undo", args=[ImportBatch.objects.get().pk]))
    assert Member.objects.count() == 2


def test_a_batch_whose_member_introduced_someone_cannot_be_undone(client, people, tree):
    client.force_login(people.officer)
    preview = upload(client, tree.B1, xlsx(GOOD_ROWS))
    client.post(reverse("import_preview", args=[preview.context["token"]]))
    batch = ImportBatch.objects.get()
    make_referral(tree.C1, people.secretary, introducer=Member.objects.get(full_name="Hoàng Thị Lan"))
    page = client.get(reverse("import_undo", args=[batch.pk])).content.decode()
    assert "ghi là người giới thiệu 1+1" in page and "Tất cả hồ sơ của lần nhập này sẽ bị xóa." not in page
    response = client.post(reverse("import_undo", args=[batch.pk]), follow=True)
    assert "Không thể hoàn tác" in response.content.decode()
    assert Member.objects.count() == 2


def test_a_file_that_is_not_xlsx_is_refused(client, people, tree):
    client.force_login(people.officer)
    fake = io.BytesIO(b"Ho va ten,Ngay sinh\nA,01/01/2000\n")
    fake.name = "danh-sach.xlsx"
    response = upload(client, tree.B1, fake)
    assert "Tệp không phải bảng tính Excel (.xlsx, .xls) hay LibreOffice (.ods)" in response.content.decode()
    assert not Member.objects.exists()


def test_a_macro_workbook_is_refused(client, people, tree):
    data = xlsx(GOOD_ROWS).getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/vbaProject.bin", b"\x00" * 100)
    out.seek(0)
    out.name = "macro.xlsm"
    client.force_login(people.officer)
    assert "macro" in upload(client, tree.B1, out).content.decode()


def test_a_file_over_the_row_limit_is_refused(client, people, tree, monkeypatch):
    monkeypatch.setattr(excel, "MAX_ROWS", 2)
    rows = [[i, f"Người Số {i}", "01/01/2000", "Nam", "", "", "", "", "", "", "", "", "", "C1"] for i in range(1, 6)]
    client.force_login(people.officer)
    assert "50.000 dòng" in upload(client, tree.B1, xlsx(rows)).content.decode()
    assert not Member.objects.exists()


def test_the_upload_of_another_session_is_404(client, people, tree):
    client.force_login(people.officer)
    preview = upload(client, tree.B1, xlsx(GOOD_ROWS))
    client.force_login(people.district)
    assert client.get(reverse("import_preview", args=[preview.context["token"]])).status_code == 403
    client.force_login(people.province)
    assert client.get(reverse("import_preview", args=[preview.context["token"]])).status_code == 404


def test_import_into_a_unit_outside_the_scope_is_refused(client, people, tree):
    client.force_login(people.secretary)
    response = upload(client, tree.C3, xlsx(GOOD_ROWS))
    assert "Hãy chọn đơn vị nhận danh sách." in response.content.decode()


@pytest.mark.parametrize("unit", ["abc", "-1", ""])
def test_import_into_a_unit_that_is_not_a_unit_asks_for_one(client, people, unit):
    client.force_login(people.secretary)
    response = client.post(reverse("import_upload"), {"unit": unit, "file": xlsx(GOOD_ROWS)})
    assert response.status_code == 200 and "Hãy chọn đơn vị nhận danh sách." in response.content.decode()


# --- export ---------------------------------------------------------------------------


def export(client, unit):
    response = client.get(reverse("register_export", args=[unit.pk]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def test_export_keeps_text_as_text_and_dates_as_dates(client, people, tree):
    make_member(tree.C1, full_name="=HYPERLINK(\"http://x\")", citizen_id="001305012345", phone="0912345678",
                date_of_birth=date(2005, 9, 5))  # fmt: skip
    make_member(tree.C1, full_name="+Lê Văn Cộng", card_number="-12")
    client.force_login(people.secretary)
    ws = export(client, tree.C1)
    rows = {r[1].value: r for r in ws.iter_rows(min_row=2)}
    assert [c.value for c in ws[1]][:3] == ["STT", "Họ và tên", "Ngày sinh"]
    formula_row = rows['=HYPERLINK("http://x")']
    assert formula_row[1].data_type == "s"  # shown as text, never run
    assert formula_row[2].value == datetime(2005, 9, 5) and formula_row[2].number_format.lower() == "dd/mm/yyyy"
    assert formula_row[6].value == "001305012345" and formula_row[7].value == "0912345678"
    assert rows["+Lê Văn Cộng"][1].data_type == "s" and rows["+Lê Văn Cộng"][12].value == "-12"


def test_export_masks_citizen_ids_for_readers(client, people, tree):
    make_member(tree.C1, citizen_id="001305012345")
    client.force_login(people.district)
    ws = export(client, tree.D1)
    assert ws.cell(2, 7).value == "*********345"


def test_export_round_trips_through_the_import(client, people, tree):
    make_member(tree.C1, full_name="Đặng Thị Ánh", date_of_birth=date(2001, 12, 31), citizen_id="001301000001",
                joined_on=date(2016, 3, 26), party_introduced_on=date(2022, 5, 5), party_admitted_on=date(2023, 1, 3))  # fmt: skip
    make_member(tree.C2, full_name="Bế Văn Xa", status=Status.AWAY)
    make_member(tree.C2, full_name="Cù Văn Lớn", status=Status.MATURED)  # left the union: not brought back
    client.force_login(people.officer)
    response = client.get(reverse("register_export", args=[tree.B1.pk]))
    data = io.BytesIO(b"".join(response.streaming_content))
    data.name = "xuat.xlsx"
    Member.objects.all().delete()
    preview = upload(client, tree.B1, data)
    assert preview.context["result"].ok
    (_row, anh), (_row, xa) = preview.context["result"].members
    assert (anh.full_name, anh.joined_on, anh.party_introduced_on, anh.party_admitted_on) == (
        "Đặng Thị Ánh", date(2016, 3, 26), date(2022, 5, 5), date(2023, 1, 3)
    )  # fmt: skip
    assert (xa.full_name, xa.status) == ("Bế Văn Xa", Status.AWAY)
    [skipped] = preview.context["result"].duplicates
    assert (skipped.column, skipped.message) == ("Tình trạng", "đã rời Đoàn (Trưởng thành), bỏ qua")
    assert preview.context["result"].columns_unread == ["Chi đoàn"]  # the cell comes from its code


def test_a_status_the_import_cannot_read_is_an_error(client, people, tree):
    header = [*HEADER, "Tình trạng"]
    rows = [[1, "Lò Văn Một", "05/05/2000", "Nam", "", "", "", "", "", "", "", "", "", "C1", "Đang học"]]
    client.force_login(people.officer)
    result = upload(client, tree.B1, xlsx(rows, header=header)).context["result"]
    assert [(e.row, e.column) for e in result.errors] == [(2, "Tình trạng")]


def test_party_dates_are_imported_under_the_member_forms_rules(client, people, tree):
    header = [*HEADER, "Ngày giới thiệu cho Đảng", "Ngày vào Đảng"]
    rows = [
        [1, "Lò Văn Một", "05/05/2000", "Nam", "", "", "", "", "", "", "", "26/03/2016", "", "C1", "05/05/2022",
         "03/01/2023"],
        [2, "Lò Văn Hai", "05/05/2000", "Nam", "", "", "", "", "", "", "", "26/03/2016", "", "C1", "05/05/2022",
         "03/01/2022"],  # admitted before being introduced
        [3, "Lò Văn Ba", "05/05/2000", "Nam", "", "", "", "", "", "", "", "26/03/2016", "", "C1", "05/05/2015", ""],
    ]  # fmt: skip
    client.force_login(people.officer)
    result = upload(client, tree.B1, xlsx(rows, header=header)).context["result"]
    [(_row, mot)] = result.members
    assert (mot.party_introduced_on, mot.party_admitted_on) == (date(2022, 5, 5), date(2023, 1, 3))
    assert {(e.row, e.column, e.message) for e in result.errors} == {
        (3, "Ngày vào Đảng", "Ngày vào Đảng phải sau ngày giới thiệu."),
        (4, "Ngày giới thiệu cho Đảng", "Ngày giới thiệu vào Đảng phải sau ngày vào Đoàn."),
    }


def test_export_query_count_does_not_grow_with_rows(client, people, tree, django_assert_max_num_queries):
    client.force_login(people.province)
    make_member(tree.C1)
    # session, user, assignments, unit, rows, the audit record of the export (no session save: minutes old)
    with django_assert_max_num_queries(6) as small:
        export(client, tree.P)
    for _ in range(50):
        make_member(tree.C4)
    with django_assert_max_num_queries(len(small)):
        ws = export(client, tree.P)
    assert ws.max_row == 52


@pytest.mark.parametrize("persona", ["secretary", "officer"])
def test_export_of_a_unit_outside_the_scope_is_404(client, people, tree, persona):
    client.force_login(getattr(people, persona))
    assert client.get(reverse("register_export", args=[tree.C3.pk])).status_code == 404


def test_uploads_left_for_a_day_are_deleted(client, people, tree):
    import os
    import time

    from members import views

    client.force_login(people.officer)
    upload(client, tree.B1, xlsx(GOOD_ROWS))
    old = [e.path for e in os.scandir(views.IMPORT_DIR) if e.name.endswith(".xlsx")]
    for path in old:
        os.utime(path, (time.time() - 2 * 86400, time.time() - 2 * 86400))
    upload(client, tree.B1, xlsx(GOOD_ROWS))
    remaining = {e.path for e in os.scandir(views.IMPORT_DIR)}
    assert not set(old) & remaining and len(remaining) >= 1
