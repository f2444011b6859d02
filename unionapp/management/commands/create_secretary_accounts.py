"""Roll-out: an account for the secretary of every active cell under a unit that has none yet, with a
temporary password, listed in a spreadsheet for the province office to hand out.

    python manage.py create_secretary_accounts LS --out tai-khoan-bi-thu.xlsx [--by vanphong] [--dry-run]

Usernames are the cells' codes in lower case (LS-CL-QL-BT -> ls-cl-ql-bt). Each password is temporary: at
the first login its holder must choose their own. Hashing a password takes a fraction of a second, so a
province's few thousand cells take some minutes: this is a command, not a page. The file holds passwords:
delete it once they are handed out.
"""

import secrets

from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from openpyxl import Workbook

from members.excel import append_text_row, style_header
from unionapp import accounts
from unionapp.models import Role, Unit

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or copied by hand


def temporary_password(user: User) -> str:
    while True:
        password = "-".join("".join(secrets.choice(ALPHABET) for _ in range(4)) for _ in range(3))
        try:
            password_validation.validate_password(password, user)
        except ValidationError:
            continue
        return password


def free_username(base: str) -> str:
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


class Command(BaseCommand):
    help = "Create a cell secretary account with a temporary password for every active cell under a unit that has none."

    def add_arguments(self, parser):
        parser.add_argument("unit_code", help="the code of the unit whose cells get accounts (e.g. a province's)")
        parser.add_argument("--out", required=True, help="the .xlsx file listing usernames and temporary passwords")
        parser.add_argument("--by", help="the username recorded as having created them (audit trail)")
        parser.add_argument("--dry-run", action="store_true", help="list the cells, create nothing")

    def handle(self, *args, unit_code, out, by=None, dry_run=False, **options):
        unit = Unit.objects.filter(code__iexact=unit_code).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị mã {unit_code}.")
        creator = User.objects.filter(username=by).first() if by else None
        if by and creator is None:
            raise CommandError(f"Không có tài khoản {by}.")
        cells = list(accounts.cells_without_secretary(unit).select_related("parent").order_by("path"))
        self.stdout.write(f"{len(cells)} chi đoàn chưa có tài khoản bí thư dưới {unit.name}.")
        if dry_run or not cells:
            for cell in cells:
                self.stdout.write(f"  {cell.code}  {cell.name}")
            return
        wb = Workbook()
        ws = wb.active
        ws.title = "Tài khoản bí thư"
        ws.append(["Đơn vị cấp trên", "Chi đoàn", "Mã chi đoàn", "Tên đăng nhập", "Mật khẩu tạm"])
        style_header(ws)
        for width, column in zip((34, 34, 18, 20, 18), "ABCDE", strict=True):
            ws.column_dimensions[column].width = width
        for i, cell in enumerate(cells, start=1):
            username = free_username(cell.code.lower())
            full_name = f"Bí thư {cell.name}"
            password = temporary_password(User(username=username, first_name=full_name))
            accounts.create_account(
                username=username,
                full_name=full_name,
                password=password,
                role=Role.CELL_SECRETARY,
                unit=cell,
                by=creator,
            )
            append_text_row(ws, [cell.parent.name, cell.name, cell.code, username, password])
            if i % 100 == 0:
                self.stdout.write(f"  {i}/{len(cells)}")
        wb.save(out)
        self.stdout.write(
            f"Đã tạo {len(cells)} tài khoản; danh sách ở {out}. Tệp có mật khẩu: hãy xóa sau khi đã phát cho bí thư."
        )
