"""Changes to the organisation tree, for the admin and for the pages of those who hold
``Cap.MANAGE_UNITS``: a new unit, a rename or a move, closing and reopening. Each is recorded in the
audit trail; the tree's paths are kept by ``Unit.add`` and ``Unit.move_to``.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from members import text
from members.excel import append_text_row, header_map, instructions_sheet, open_upload, style_header
from members.models import Member, Status
from unionapp import audit
from unionapp.forms import CODE_CHARACTERS, UNIT_CODE
from unionapp.models import Kind, Unit
from unionapp.scoping import Cap


def create_unit(*, parent: Unit | None, name: str, code: str, kind: str, by, request=None) -> Unit:
    unit = Unit.add(name=name, code=code, kind=kind, parent=parent)
    audit.record(
        audit.Action.CREATE,
        by=by,
        obj=unit,
        changes={"parent": [None, parent.name if parent else None]},
        request=request,
    )
    return unit


@transaction.atomic
def change_unit(*, unit: Unit, name: str, code: str, parent: Unit | None, by, request=None, **more) -> None:
    """Rename, recode and move (the whole subtree follows, with what is attached to it). ``more`` takes
    ``is_active`` from the admin's form; the app's pages close a unit through ``set_active``."""
    before = audit.snapshot(unit, ["name", "code", "parent", "is_active"])
    Unit.objects.filter(pk=unit.pk).update(name=name, code=code, **more)
    if parent is not None and parent.pk != unit.parent_id:
        unit.move_to(parent)
    unit.refresh_from_db()
    changes = audit.diff(before, audit.snapshot(unit, ["name", "code", "parent", "is_active"]))
    if changes:
        audit.record(audit.Action.CHANGE, by=by, obj=unit, changes=changes, request=request)


def set_active(*, unit: Unit, active: bool, by, request=None) -> None:
    """Close (or reopen) a unit. A closed unit keeps its members, referrals and history, which the reports
    still count; it is no longer offered for new members, referrals or roles, and roles held on it lapse."""
    change_unit(unit=unit, name=unit.name, code=unit.code, parent=None, by=by, request=request, is_active=active)


def still_inside(unit: Unit) -> dict:
    """What a closed unit would still hold: active units under it, members counted in it."""
    return {
        "units": Unit.objects.filter(unit.subtree_q(), is_active=True).exclude(pk=unit.pk).count(),
        "members": Member.objects.filter(unit.subtree_q("cell__"), status__in=Status.COUNTED).count(),
    }


# --- the tree from a spreadsheet ---------------------------------------------------------
# Columns: code, name, kind, parent's code. A unit's parent is a unit already in the tree (within the
# importer's scope) or another row of the file; rows may come in any order. Nothing is written unless
# every row is right: the check and the import read the file the same way.

TREE_COLUMNS = [
    ("code", gettext_lazy("Mã đơn vị"), 18),
    ("name", gettext_lazy("Tên đơn vị"), 40),
    ("kind", gettext_lazy("Cấp"), 22),
    ("parent", gettext_lazy("Mã đơn vị cấp trên"), 18),
]
# What people write in the "kind" column, accents and case aside, besides the kinds' own labels.
KIND_WORDS = {
    "huyen doan": Kind.DISTRICT,
    "quan doan": Kind.DISTRICT,
    "thi doan": Kind.DISTRICT,
    "district": Kind.DISTRICT,
    "doan co so": Kind.BASE,
    "co so": Kind.BASE,
    "base": Kind.BASE,
    "chi doan": Kind.CELL,
    "cell": Kind.CELL,
}


@dataclass
class TreeRow:
    row: int
    code: str
    name: str
    kind: str
    parent_code: str


@dataclass
class TreeResult:
    new: list[TreeRow] = field(default_factory=list)  # in an order where each parent comes first
    known: int = 0  # rows already in the tree as written: left alone
    errors: list[tuple[int, str]] = field(default_factory=list)

    def counts(self) -> list[tuple[str, int]]:
        return [(Kind(k).label, n) for k in Kind if (n := sum(r.kind == k for r in self.new))]


def tree_workbook(units) -> Workbook:
    """The import file: the units given (those the importer already has, to add rows under), then a sheet
    of instructions."""
    wb = Workbook()
    ws = wb.active
    ws.title = str(_("Đơn vị"))
    ws.append([f"{label} *" for _key, label, _width in TREE_COLUMNS])
    for unit in units.select_related("parent"):
        append_text_row(ws, [unit.code, unit.name, unit.get_kind_display(), unit.parent.code if unit.parent else ""])
    style_header(ws)
    for i, (key, _label, width) in enumerate(TREE_COLUMNS, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = width
        if key in ("code", "parent"):  # a code typed as 01 stays 01, not the number 1
            ws.column_dimensions[ws.cell(1, i).column_letter].number_format = "@"
    instructions_sheet(
        wb,
        [
            _(
                "Mỗi dòng một đơn vị. Các dòng đã có sẵn là đơn vị hiện có: giữ nguyên hoặc xóa; thêm dòng cho đơn vị mới."
            ),
            _("Cấp: Huyện đoàn (hoặc tương đương), Đoàn cơ sở, Chi đoàn."),
            _("Mã đơn vị cấp trên: mã của một đơn vị đã có hoặc của một dòng khác trong tệp."),
            _("Mã đơn vị là duy nhất; nên đặt theo mã cấp trên, ví dụ LS-CL-QL-BT cho một chi đoàn của LS-CL-QL."),
            _("Phần mềm kiểm tra cả tệp; chỉ nhập khi không còn lỗi nào."),
        ],
    )
    return wb


def read_tree(path: str, scope) -> TreeResult:
    """Check a tree file against the tree and the importer's scope (``Cap.MANAGE_UNITS``); write nothing."""
    wb, ws = open_upload(path)
    try:
        rows = list(_tree_rows(ws))
    finally:
        wb.close()
    result = TreeResult()
    if not rows:
        result.errors.append(
            (1, _("Tệp không có dòng đơn vị nào, hoặc thiếu cột: Mã đơn vị, Tên đơn vị, Cấp, Mã đơn vị cấp trên."))
        )
        return result
    wanted = {r.code.lower() for r in rows} | {r.parent_code.lower() for r in rows}
    existing = {
        u.code.lower(): u
        for u in Unit.objects.annotate(lower_code=Lower("code")).filter(lower_code__in=wanted).select_related("parent")
    }
    managed = set(
        scope.units(Cap.MANAGE_UNITS).filter(pk__in=[u.pk for u in existing.values()]).values_list("pk", flat=True)
    )
    first_row: dict[str, int] = {}
    pending: list[TreeRow] = []
    for r in rows:
        problem = _row_problem(r, first_row, existing, managed)
        first_row.setdefault(r.code.lower(), r.row)
        if problem:
            result.errors.append((r.row, problem))
        elif r.code.lower() in existing:
            result.known += 1
        else:
            pending.append(r)
    # Parents first: a row waits until its parent is in the tree or placed; what never can be is an error.
    placed = {code: unit.kind for code, unit in existing.items() if unit.pk in managed}
    while ready := [r for r in pending if r.parent_code.lower() in placed]:
        for r in ready:
            try:
                Unit.check_parent(r.kind, Unit(kind=placed[r.parent_code.lower()]))
            except ValidationError as e:
                result.errors.append((r.row, " ".join(e.messages)))
            else:
                placed[r.code.lower()] = r.kind
                result.new.append(r)
        pending = [r for r in pending if r not in ready]
    for r in pending:
        if r.parent_code.lower() in first_row:
            message = _("Đơn vị cấp trên (mã %(code)s) có lỗi ở dòng khác.")
        else:
            message = _("Không tìm thấy đơn vị cấp trên có mã %(code)s trong phạm vi của bạn hay trong tệp.")
        result.errors.append((r.row, message % {"code": r.parent_code}))
    result.errors.sort()
    return result


def _row_problem(r: TreeRow, first_row: dict, existing: dict, managed: set) -> str | None:
    if not (r.code and r.name and r.parent_code):
        return _("Thiếu mã đơn vị, tên đơn vị hoặc mã đơn vị cấp trên.")
    if len(r.code) > 30 or len(r.name) > 200:
        return _("Mã dài quá 30 ký tự hoặc tên dài quá 200 ký tự.")
    if not UNIT_CODE.fullmatch(r.code) or not UNIT_CODE.fullmatch(r.parent_code):
        return str(CODE_CHARACTERS)
    if not r.kind:
        return _("Cấp không rõ: ghi Huyện đoàn, Đoàn cơ sở hoặc Chi đoàn.")
    if r.kind == Kind.PROVINCE:
        return _("Không nhập Tỉnh đoàn từ tệp; hãy nhờ quản trị viên.")
    if r.code.lower() in first_row:
        return _("Mã %(code)s trùng với dòng %(row)s.") % {"code": r.code, "row": first_row[r.code.lower()]}
    if r.code.lower() == r.parent_code.lower():
        return _("Đơn vị không thể là cấp trên của chính nó.")
    unit = existing.get(r.code.lower())
    if unit is None:
        return None
    if unit.pk not in managed:
        return _("Mã %(code)s đã dùng cho một đơn vị ngoài phạm vi của bạn.") % {"code": r.code}
    if (unit.name, unit.kind, (unit.parent.code if unit.parent else "").lower()) != (
        r.name,
        r.kind,
        r.parent_code.lower(),
    ):
        return _(
            "Mã %(code)s là của %(name)s, đã có với tên, cấp hoặc cấp trên khác; hãy sửa trên trang đơn vị đó."
        ) % {
            "code": r.code,
            "name": unit.name,
        }
    return None


@transaction.atomic
def import_tree(path: str, scope, *, by, request=None) -> TreeResult:
    """Add the new units of a file with no errors (checked again here); nothing when it has any."""
    result = read_tree(path, scope)
    if result.errors:
        return result
    parents = {r.parent_code.lower() for r in result.new}
    units = {
        u.code.lower(): u
        for u in scope.units(Cap.MANAGE_UNITS).annotate(lower_code=Lower("code")).filter(lower_code__in=parents)
    }
    for r in result.new:
        units[r.code.lower()] = Unit.add(name=r.name, code=r.code, kind=r.kind, parent=units[r.parent_code.lower()])
    audit.record(audit.Action.IMPORT, by=by, changes={"rows": len(result.new)}, scope=audit.scope_label(request),
                 request=request)  # fmt: skip
    return result


def _tree_rows(ws):
    header = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
    columns = {key: i for i, key in header_map(header, {k: label for k, label, _width in TREE_COLUMNS}).items()}
    if len(columns) < len(TREE_COLUMNS):
        return
    for n, values in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        cells = {
            key: text.nfc(str(values[i])) if i < len(values) and values[i] is not None else ""
            for key, i in columns.items()
        }
        if any(cells.values()):
            yield TreeRow(n, cells["code"], cells["name"], _kind_of(cells["kind"]), cells["parent"])


def _kind_of(word: str) -> str:
    folded = text.fold(word)
    labels = {text.fold(str(k.label)): k.value for k in Kind}
    return labels.get(folded) or KIND_WORDS.get(folded) or ""
