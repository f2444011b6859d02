"""Signals the tree sends, for apps that keep figures by unit (reports)."""

from django.dispatch import Signal

# A unit and its subtree moved under another parent: sent with unit= (its new path) and old_path=.
unit_moved = Signal()
