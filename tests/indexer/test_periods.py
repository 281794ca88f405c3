"""Deadline-cell normalisation: every form seen in the real plans, helpers, and junk."""

from __future__ import annotations

import random
from datetime import date

import pytest

from indexer.periods import (
    month_bounds,
    parse_period,
    quarter_bounds,
    quarter_key,
    quarter_label,
    quarters_between,
    roman_or_int,
)
from indexer.records import PeriodKind

D, W, R, G, A, U = (
    PeriodKind.DATED,
    PeriodKind.WHOLE_YEAR,
    PeriodKind.RECURRING,
    PeriodKind.PER_GUIDANCE,
    PeriodKind.WHEN_ARISES,
    PeriodKind.UNKNOWN,
)


def year_of(y: int) -> list[int]:
    return [y * 10 + q for q in (1, 2, 3, 4)]


# (text, plan_year, kind, start, end, quarters, continues_after)
CASES = [
    # one quarter, every separator the plans use
    ("Quý I/2022", 2022, D, date(2022, 1, 1), date(2022, 3, 31), [20221], False),
    ("Quý 1-Năm 2022", 2022, D, date(2022, 1, 1), date(2022, 3, 31), [20221], False),
    ("Quý IV- Năm 2022", 2022, D, date(2022, 10, 1), date(2022, 12, 31), [20224], False),
    ("Quý IV Năm 2022", 2022, D, date(2022, 10, 1), date(2022, 12, 31), [20224], False),
    ("Quý IV năm 2022", 2022, D, date(2022, 10, 1), date(2022, 12, 31), [20224], False),
    ("Quý IV/ 2022", 2022, D, date(2022, 10, 1), date(2022, 12, 31), [20224], False),
    ("Quý 3/2021", 2021, D, date(2021, 7, 1), date(2021, 9, 30), [20213], False),
    ("Quý 4/2021", 2021, D, date(2021, 10, 1), date(2021, 12, 31), [20214], False),
    # several quarters
    ("Quý II, III/2022", 2022, D, date(2022, 4, 1), date(2022, 9, 30), [20222, 20223], False),
    ("Quý III, IV/2022", 2022, D, date(2022, 7, 1), date(2022, 12, 31), [20223, 20224], False),
    # one month
    ("Tháng 7/2022", 2022, D, date(2022, 7, 1), date(2022, 7, 31), [20223], False),
    ("Tháng 01/2022", 2022, D, date(2022, 1, 1), date(2022, 1, 31), [20221], False),
    ("Tháng 3/2021", 2021, D, date(2021, 3, 1), date(2021, 3, 31), [20211], False),
    ("Tháng 9/2022", 2022, D, date(2022, 9, 1), date(2022, 9, 30), [20223], False),
    ("12/2021", 2021, D, date(2021, 12, 1), date(2021, 12, 31), [20214], False),
    # ranges
    ("01/2022-06/2022", 2022, D, date(2022, 1, 1), date(2022, 6, 30), [20221, 20222], False),
    (
        "Tháng 2 đến tháng 8 năm 2022",
        2022, D, date(2022, 2, 1), date(2022, 8, 31), [20221, 20222, 20223], False,
    ),
    (
        "Từ Quý II/2022 đến hết Quý IV/2025",
        2022, D, date(2022, 4, 1), date(2025, 12, 31),
        [20222, 20223, 20224, *year_of(2023), *year_of(2024), *year_of(2025)], False,
    ),
    # one day
    ("Ngày 15/11/2021", 2021, D, date(2021, 11, 15), date(2021, 11, 15), [20214], False),
    # a list of milestones marks one piece of work from the first to the last: every quarter between
    (
        "- Tháng 02/2021 - Ngày 15/11/2021",
        2021, D, date(2021, 2, 1), date(2021, 11, 15), [20211, 20212, 20213, 20214], False,
    ),
    ("- Tháng 4/2021 - Tháng 12/2021", 2021, D, date(2021, 4, 1), date(2021, 12, 31), [20212, 20213, 20214], False),
    ("- Tháng 12/2020 - Tháng 12/2021", 2021, D, date(2020, 12, 1), date(2021, 12, 31),
     [20204, 20211, 20212, 20213, 20214], False),
    ("- Tháng 01/2021 - Tháng 12/2021", 2021, D, date(2021, 1, 1), date(2021, 12, 31), [20211, 20212, 20213, 20214], False),
    # quarters named together stay the ones named
    ("Quý II, IV/2022", 2022, D, date(2022, 4, 1), date(2022, 12, 31), [20222, 20224], False),
    # a quarter that then carries on
    (
        "Quý II/2022 và thường xuyên trong các năm tiếp theo",
        2022, D, date(2022, 4, 1), date(2022, 6, 30), [20222], True,
    ),
    (
        "Quý IV/2022 và thường xuyên trong các năm tiếp theo",
        2022, D, date(2022, 10, 1), date(2022, 12, 31), [20224], True,
    ),
    ("Quý IV/2022 và thường xuyên", 2022, D, date(2022, 10, 1), date(2022, 12, 31), [20224], True),
    ("Quý III/2022 và thường xuyên", 2022, D, date(2022, 7, 1), date(2022, 9, 30), [20223], True),
    # whole year
    ("Năm 2022", 2022, W, date(2022, 1, 1), date(2022, 12, 31), year_of(2022), False),
    ("Trong năm 2022", 2022, W, date(2022, 1, 1), date(2022, 12, 31), year_of(2022), False),
    ("Trong năm 2021", 2021, W, date(2021, 1, 1), date(2021, 12, 31), year_of(2021), False),
    ("Trong năm 2021 (nếu có)", 2021, W, date(2021, 1, 1), date(2021, 12, 31), year_of(2021), False),
    ("Năm 2022 và những năm tiếp theo", 2022, W, date(2022, 1, 1), date(2022, 12, 31), year_of(2022), True),
    (
        "Thực hiện thí điểm bắt đầu từ năm 2022",
        2022, W, date(2022, 1, 1), date(2022, 12, 31), year_of(2022), True,
    ),
    ("- Tháng 01/2021 - Trong năm 2021", 2021, W, date(2021, 1, 1), date(2021, 12, 31), year_of(2021), False),
    # recurring
    ("Thường xuyên", 2022, R, date(2022, 1, 1), date(2022, 12, 31), year_of(2022), False),
    ("Hàng năm", 2022, R, date(2022, 1, 1), date(2022, 12, 31), year_of(2022), False),
    ("thường xuyên", 2022, R, date(2022, 1, 1), date(2022, 12, 31), year_of(2022), False),
    ("Hàng quý và năm 2021", 2021, R, date(2021, 1, 1), date(2021, 12, 31), year_of(2021), False),
    ("Tháng 11 hàng năm", 2022, R, date(2022, 11, 1), date(2022, 11, 30), [20224], False),
    ("Tháng 12 hàng năm", 2022, R, date(2022, 12, 1), date(2022, 12, 31), [20224], False),
    # per guidance
    *[
        (text, 2022, G, None, None, [], False)
        for text in (
            "Theo hướng dẫn của Bộ Nội vụ",
            "Theo Kế hoạch của Bộ Nội vụ",
            "Theo kế hoạch của Bộ Nội vụ",
            "Theo quy định của Trung ương",
            "Theo quy định của Bộ Nội vụ",
            "Theo Kế hoạch kiểm tra",
            "Theo tiến độ cụ thể của từng nhiệm vụ",
            "Theo tiến độ triển khai của Trung ương",
            "Theo thời hạn tại Kế hoạch của UBND tỉnh",
            "Theo văn bản triển khai của Bộ Nội vụ",
            "Thực hiện theo lộ trình của Trung ương",
        )
    ],
    # when it arises
    *[
        (text, 2022, A, None, None, [], False)
        for text in (
            "Khi có quy định mới",
            "Khi phát sinh vấn đề",
            "Khi có văn bản hướng dẫn của bộ, ngành Trung ương",
            "Khi có nhiệm vụ giao phân cấp quản lý từ Bộ, ngành chủ quản",
            "Khi có hướng dẫn của bộ, ngành trung ương",
            "Khi có chủ trương của Thủ tướng Chính phủ",
            "Khi có yêu cầu của các đơn vị",
            "Khi phát hiện nhiều bất cập, hạn chế",
            "Sau khi thực hiện kiểm tra xong",
        )
    ],
    # not a period
    ("", 2022, U, None, None, [], False),
    ("Sở Nội vụ", 2022, U, None, None, [], False),
]


@pytest.mark.parametrize(("text", "plan_year", "kind", "start", "end", "quarters", "continues"), CASES)
def test_every_form_in_the_plans(text, plan_year, kind, start, end, quarters, continues):
    period = parse_period(text, plan_year)
    assert period.text == text
    assert period.kind is kind
    assert period.start == start
    assert period.end == end
    assert period.quarters == quarters
    assert period.continues_after is continues
    assert period.understood is (kind is not U)


@pytest.mark.parametrize(
    ("text", "kind", "start", "end", "quarters"),
    [
        ("Quy II/2022", D, date(2022, 4, 1), date(2022, 6, 30), [20222]),
        ("Quy IV/2022", D, date(2022, 10, 1), date(2022, 12, 31), [20224]),
        ("QUÝ iv/2022", D, date(2022, 10, 1), date(2022, 12, 31), [20224]),
        ("thuong xuyen", R, date(2022, 1, 1), date(2022, 12, 31), year_of(2022)),
        ("nam 2022", W, date(2022, 1, 1), date(2022, 12, 31), year_of(2022)),
        ("Thang 2 den thang 8 nam 2022", D, date(2022, 2, 1), date(2022, 8, 31), [20221, 20222, 20223]),
        ("Hang nam", R, date(2022, 1, 1), date(2022, 12, 31), year_of(2022)),
    ],
)
def test_unaccented_and_uppercase_variants(text, kind, start, end, quarters):
    period = parse_period(text, 2022)
    assert (period.kind, period.start, period.end, period.quarters) == (kind, start, end, quarters)
    assert period.text == text


def test_unaccented_guidance_and_arises():
    assert parse_period("theo huong dan cua Bo Noi vu", 2022).kind is G
    assert parse_period("Thuc hien theo lo trinh", 2022).kind is G
    assert parse_period("KHI CÓ QUY ĐỊNH MỚI", 2022).kind is A


@pytest.mark.parametrize(
    ("text", "start", "end", "quarters"),
    [
        ("  Quý  IV / 2022. ", date(2022, 10, 1), date(2022, 12, 31), [20224]),
        ("- Tháng 7/2022.", date(2022, 7, 1), date(2022, 7, 31), [20223]),
        ("Quý IV – Năm 2022", date(2022, 10, 1), date(2022, 12, 31), [20224]),
        ("Quý II-IV/2022", date(2022, 4, 1), date(2022, 12, 31), [20222, 20223, 20224]),
        ("Ngày 15 tháng 11 năm 2021", date(2021, 11, 15), date(2021, 11, 15), [20214]),
        ("Tháng 12/2022 - Tháng 01/2023", date(2022, 12, 1), date(2023, 1, 31), [20224, 20231]),
    ],
)
def test_tolerant_of_spacing_and_separators(text, start, end, quarters):
    period = parse_period(text, 2022)
    assert (period.kind, period.start, period.end, period.quarters) == (D, start, end, quarters)


def test_year_in_text_wins_over_plan_year():
    assert parse_period("Quý IV/2022", 2021).quarters == [20224]
    assert parse_period("Hàng quý và năm 2021", 2022).quarters == year_of(2021)
    assert parse_period("Năm 2023", 2022).start == date(2023, 1, 1)


def test_plan_year_fills_missing_year():
    assert parse_period("Thường xuyên", 2023).quarters == year_of(2023)
    assert parse_period("Tháng 11 hàng năm", 2021).start == date(2021, 11, 1)
    assert parse_period("Quý III", 2024).quarters == [20243]


def test_year_after_a_yearless_quarter_is_its_year_not_a_whole_year():
    period = parse_period("Quý III và năm 2023", 2022)
    assert (period.kind, period.quarters) == (D, [20233])


def test_range_of_years_is_dated():
    period = parse_period("Năm 2021-2025", 2022)
    assert period.kind is D
    assert (period.start, period.end) == (date(2021, 1, 1), date(2025, 12, 31))
    assert len(period.quarters) == 20


@pytest.mark.parametrize(
    ("raw", "text", "start", "end", "quarters"),
    [
        (
            '<ul style="list-style-type: none"> - Tháng 02/2021 - Ngày 15/11/2021',
            "- Tháng 02/2021 - Ngày 15/11/2021",
            date(2021, 2, 1), date(2021, 11, 15), [20211, 20212, 20213, 20214],
        ),
        ("<p>Quý 1/2021</p>", "Quý 1/2021", date(2021, 1, 1), date(2021, 3, 31), [20211]),
        (
            "<ul><li>Tháng 4/2021</li><li>Tháng 12/2021</li></ul>",
            "Tháng 4/2021 Tháng 12/2021",
            date(2021, 4, 1), date(2021, 12, 31), [20212, 20214],
        ),
    ],
)
def test_html_cells(raw, text, start, end, quarters):
    period = parse_period(raw, 2021)
    assert period.text == text
    assert (period.kind, period.start, period.end, period.quarters) == (D, start, end, quarters)


def test_html_entity_space():
    period = parse_period("<p>Thường&nbsp;xuyên</p>", 2022)
    assert period.text == "Thường xuyên"
    assert period.kind is R


@pytest.mark.parametrize(
    "text",
    [
        "   ",
        "<p></p>",
        "-",
        "Sở Nội vụ",
        "UBND các huyện, thành phố, thị xã",
        "Quý V/2022",
        "Tháng 13/2022",
        "Ngày 31/02/2022",
        "Ngày 0/11/2021",
        "0000",
        "\x00\x01\x02binary\xff",
        "2022" * 2000,
        "<" * 100_000,
        "Quý I/2022 " * 100,
        "Quý I/2022 " * 500,
    ],
)
def test_garbage_is_unknown(text):
    period = parse_period(text, 2022)
    assert period.kind is U
    assert period.understood is False
    assert (period.start, period.end, period.quarters) == (None, None, [])


def test_nonsense_plan_year_does_not_raise():
    assert parse_period("Thường xuyên", 0).kind is U
    assert parse_period("Quý I", 10**9).kind is U


def test_random_input_never_raises():
    rng = random.Random(20224)
    alphabet = "Quý Tháng Năm đến hết IVX0123456789/-., <>&;\n\tThường xuyên Hàng Khi Theo\x00\u0300"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        period = parse_period(text, 2022)
        assert period.understood is (period.kind is not U)
        if period.start is not None:
            assert period.end is not None and period.start <= period.end
            assert period.quarters == sorted(set(period.quarters))


def test_quarter_key_and_label():
    assert quarter_key(2022, 4) == 20224
    assert quarter_label(20224) == "Quý IV/2022"
    assert quarter_label(20211) == "Quý I/2021"
    with pytest.raises(ValueError):
        quarter_key(2022, 5)
    with pytest.raises(ValueError):
        quarter_label(20220)


def test_bounds():
    assert quarter_bounds(2022, 1) == (date(2022, 1, 1), date(2022, 3, 31))
    assert quarter_bounds(2022, 4) == (date(2022, 10, 1), date(2022, 12, 31))
    assert month_bounds(2024, 2) == (date(2024, 2, 1), date(2024, 2, 29))
    assert month_bounds(2022, 2) == (date(2022, 2, 1), date(2022, 2, 28))


def test_quarters_between():
    assert quarters_between(date(2022, 11, 15), date(2023, 2, 1)) == [20224, 20231]
    assert quarters_between(date(2021, 3, 31), date(2021, 4, 1)) == [20211, 20212]
    assert quarters_between(date(2022, 5, 1), date(2022, 5, 2)) == [20222]
    assert quarters_between(date(2023, 1, 1), date(2022, 1, 1)) == []


@pytest.mark.parametrize(
    ("token", "value"),
    [("IV", 4), ("iv", 4), ("4", 4), ("I", 1), ("III", 3), ("ii", 2), (" IV. ", 4), ("XII", 12),
     ("", None), ("IIII", None), ("VX", None), ("abc", None), ("4a", None), ("-1", None)],
)
def test_roman_or_int(token, value):
    assert roman_or_int(token) == value
