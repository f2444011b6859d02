"""Writes that go through for a whole list or not at all."""

from django.db import transaction


def all_or_none(items, action, *, refusal: type[Exception]) -> list[tuple[object, str]]:
    """``action(item)`` for every item, in one transaction: one course or one approval decision for a list
    of candidates, one date for the members of a cell who matured out. Returns [] when every item went
    through; otherwise each refusal (an exception of type ``refusal``) with its item, and nothing is written."""
    refused = []
    with transaction.atomic():
        for item in items:
            try:
                with transaction.atomic():  # a refusal undoes only its own part, so the others are still checked
                    action(item)
            except refusal as e:
                refused.append((item, str(e)))
        if refused:
            transaction.set_rollback(True)
    return refused
