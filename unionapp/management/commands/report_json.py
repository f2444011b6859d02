import json

from django.core.management.base import BaseCommand, CommandError

from reports.periods import year_period
from reports.rollup import build_report
from unionapp.models import Unit


class Command(BaseCommand):
    help = "Print a unit's yearly report as JSON (to compare a restored backup with the original)."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("year", type=int)

    def handle(self, *args, code, year, **options):
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            raise CommandError(f"No unit with code {code}")
        self.stdout.write(json.dumps(report_as_dict(unit, year), ensure_ascii=False, sort_keys=True))


def report_as_dict(unit, year) -> dict:
    report = build_report(unit, year_period(year), per_cell=True)
    return {
        "rows": [[r.label, r.figures.as_dict()] for r in report.rows],
        "total": report.total.as_dict(),
        "cells": {str(k): v.as_dict() for k, v in sorted(report.per_cell.items())},
    }
