"""Pages of a filtered list (the register, the referrals): the count, then the page in the list's order."""

from django.core.paginator import Paginator
from django.db.models import F
from django.db.models.functions import Coalesce

# Up to this many matching rows, the page is read by sorting the matches (see FilteredPaginator).
FEW = 1000


def _unindexed(name: str):
    """The order of field ``name`` ("-" first: descending) as an expression no index holds: the same
    value, so the same order."""
    field = name.removeprefix("-")
    expr = F("pk") if field == "pk" else Coalesce(F(field), F(field))
    return expr.desc() if name.startswith("-") else expr.asc()


class FilteredPaginator(Paginator):
    """A paginator for a filtered list in ``order``. When the filters leave few rows (a name search in a
    district), the page is read by finding them through the filters' indexes and sorting them; when they
    leave many, by walking the order's index until a page is full. The database cannot tell which case
    it is in: PostgreSQL walked the name order through a province's 157.000 members to find a district's
    550 "nguyen" (34 ms) where reading and sorting the 550 takes 12. The count, which the page needs
    anyway, tells."""

    def __init__(self, object_list, per_page, *, order: tuple[str, ...], few: int = FEW):
        super().__init__(object_list.order_by(*order), per_page)
        self.order, self.few = order, few

    def page(self, number):
        number = self.validate_number(number)  # counts the rows
        if self.count <= self.few:
            self.object_list = self.object_list.order_by(*map(_unindexed, self.order))
        return super().page(number)


class UncountedPage:
    """A page of a list too long to count at each visit (a province's log grows by millions of entries): its
    rows, read with one more to tell whether a next page exists; "Trang 3", with no total. Shown by
    includes/pagination.html like a counted page."""

    paginator = None
    # Past any list's end (50 million rows at 50 a page), and within the database's row offsets: a page number
    # typed into the address, too large for the offset, shows an empty page, not an error.
    LAST = 1_000_000

    def __init__(self, object_list, number, per_page: int):
        try:
            self.number = min(max(int(number), 1), self.LAST)
        except (TypeError, ValueError):
            self.number = 1
        start = (self.number - 1) * per_page
        rows = list(object_list[start : start + per_page + 1])
        self.object_list, self._more = rows[:per_page], len(rows) > per_page

    def has_next(self) -> bool:
        return self._more

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1
