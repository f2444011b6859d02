"""The report's own number and date filters write exactly what Django's would, in both languages."""

from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import Context, Template
from django.template.defaultfilters import floatformat
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from reports.templatetags.report_format import dmy, num, pct


@given(n=st.integers(min_value=-(10**9), max_value=10**9), lang=st.sampled_from(["vi", "en"]))
def test_whole_numbers_are_grouped_as_django_groups_them(n, lang):
    with translation.override(lang):
        assert num(n) == intcomma(n, use_l10n=True)


@given(
    # A percentage: 0, or 100 × part / whole for counts up to millions.
    x=st.just(0.0) | st.floats(min_value=1e-6, max_value=1e8) | st.integers(0, 10**6).map(lambda k: k / 40),
    lang=st.sampled_from(["vi", "en"]),
)
def test_percentages_round_and_group_as_django_does(x, lang):
    with translation.override(lang):
        assert pct(x) == floatformat(x, "1g")


def test_the_vietnamese_forms():
    with translation.override("vi"):
        assert (num(10369), pct(132.45), pct(12.25), pct(100.0), num(None), pct(None)) == (
            "10.369", "132,5", "12,3", "100,0", "—", "—",
        )  # fmt: skip


def test_a_report_rows_cells_are_its_figures_in_column_order_in_both_languages():
    from reports.rollup import Figures
    from reports.templatetags.report_format import figure_cells

    f = Figures(members_start=10369, members_now=10400, introducers=3, introduced=4, union_target=6, admitted_union=2)
    # Numbers keep the Vietnamese forms in the English interface too (unionapp/formats).
    expected = ["10.369", "10.400", "3", "0,0", "4", "0", "6", "2", "33,3", "—", "0", "—", "0", "0"]
    for lang in ("vi", "en"):
        with translation.override(lang):
            html = str(figure_cells(f))
        assert html == "".join(f'<td class="num">{cell}</td>' for cell in expected), lang


@given(day=st.dates(), lang=st.sampled_from(["vi", "en"]))
def test_dates_in_lists_are_written_as_djangos_date_filter_writes_them(day, lang):
    with translation.override(lang):
        assert dmy(day) == Template('{{ d|date:"d/m/Y" }}').render(Context({"d": day}))
    assert dmy(None) == "" and dmy("") == ""


def test_a_moment_is_dated_in_the_local_time_zone():
    from datetime import UTC, datetime

    late = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)  # already 1 January in Vietnam (UTC+7)
    rendered = Template("{% load report_format %}{{ t|dmy }}").render(Context({"t": late}))
    assert rendered == "01/01/2027" == Template('{{ t|date:"d/m/Y" }}').render(Context({"t": late}))
