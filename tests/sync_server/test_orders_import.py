"""ERP orders import: CSV (UTF-8, UTF-8 with BOM, GBK) and XLSX files made here, row reports."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.errors import InvalidInput
from sync_server.orders_import import (
    ImportedOrder,
    parse_order_records,
    parse_orders,
    plan_import,
    require_valid,
)

GOOD_CSV = (
    "erp_order_id,customer_id,ordered_on,amount,categories\n"
    "SO-1,C001,2024-02-29,1200.50,饮料;零食\n"
    'SO-2,C002,2024/3/31,"¥3,000",\n'
    "SO-3,C001,2024年4月1日,0,样品\n"
)


def write(tmp_path: Path, name: str, data: bytes) -> bytes:
    """Files go through the disk like a real upload would."""
    path = tmp_path / name
    path.write_bytes(data)
    return path.read_bytes()


def stored(parsed_orders) -> dict[str, ImportedOrder]:
    return {o.erp_order_id: o for o in parsed_orders}


def test_a_utf8_csv_is_parsed_with_dates_amounts_and_categories(tmp_path):
    parsed = parse_orders(write(tmp_path, "orders.csv", GOOD_CSV.encode()), "orders.csv")
    assert parsed.ok and parsed.source_format == "utf-8"
    assert [
        (o.erp_order_id, o.customer_id, o.ordered_on, o.amount, o.categories, o.row)
        for o in parsed.orders
    ] == [
        ("SO-1", "C001", date(2024, 2, 29), Decimal("1200.50"), ("零食", "饮料"), 2),
        ("SO-2", "C002", date(2024, 3, 31), Decimal("3000.00"), (), 3),
        ("SO-3", "C001", date(2024, 4, 1), Decimal("0.00"), ("样品",), 4),
    ]


def test_chinese_headers_in_gbk_and_utf8_with_bom_are_detected(tmp_path):
    text = "订单号,客户编号,下单日期,金额,品类\nSO-9,C九,2024-01-02,88,医疗器械\n"
    gbk = parse_orders(write(tmp_path, "gbk.csv", text.encode("gbk")))
    bom = parse_orders(write(tmp_path, "bom.csv", text.encode("utf-8-sig")))
    assert (gbk.source_format, bom.source_format) == ("gbk", "utf-8-sig")
    assert gbk.orders == bom.orders
    assert gbk.orders[0].customer_id == "C九"
    assert gbk.orders[0].categories == ("医疗器械",)


def test_a_semicolon_separated_export_is_read():
    data = b"order_id;customer;date;amount\nA1;C1;2024-05-01;10\n"
    assert parse_orders(data).orders[0].amount == Decimal("10.00")


def test_every_bad_row_is_reported_by_row_and_column_and_nothing_is_imported(tmp_path):
    data = (
        b"erp_order_id,customer_id,ordered_on,amount\n"
        b"SO-1,C001,2024-02-30,10\n"  # row 2: no 30 February
        b"SO-2,,2024-03-01,10\n"  # row 3: customer missing
        b"SO-3,C001,2024-03-01,ten\n"  # row 4: amount not a number
        b"SO-4,C001,2024-03-01,-5\n"  # row 5: negative
        b"SO-5,C001,2024-03-01,1.005\n"  # row 6: 3 decimals
        b"SO-6,C001,2024-03-01,10\n"  # row 7: fine
        b"SO-6,C001,2024-03-02,10\n"  # row 8: order id repeated
        b",,,\n"  # blank row: skipped
        b"SO-7,C404,31/03/2024,10\n"  # row 10: unknown customer (checked first), bad date
    )
    parsed = parse_orders(write(tmp_path, "bad.csv", data), known_customers={"C001"})
    assert [(e.row, e.column) for e in parsed.errors] == [
        (2, "ordered_on"),
        (3, "customer_id"),
        (4, "amount"),
        (5, "amount"),
        (6, "amount"),
        (8, "erp_order_id"),
        (10, "customer_id"),
    ]
    assert "already appears on row 7" in parsed.errors[5].message
    assert all(e.message_zh for e in parsed.errors)
    with pytest.raises(InvalidInput) as err:
        plan_import(parsed, {})
    assert err.value.field == "file"
    assert err.value.details["error_count"] == 7
    assert err.value.details["errors"][0] == {
        "row": 2,
        "column": "ordered_on",
        "message": parsed.errors[0].message,
        "message_zh": parsed.errors[0].message_zh,
        "value": "2024-02-30",
    }


def test_a_missing_column_names_the_column():
    with pytest.raises(InvalidInput) as err:
        parse_orders(b"erp_order_id,customer_id,amount\nA,B,1\n")
    assert err.value.field == "file"
    assert err.value.details["missing"] == ["ordered_on"]


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\xff\xfe\x00garbage\x81", b"PK\x03\x04not really a zip", b"a,b\x00,c\n1,2,3\n"],
)
def test_files_that_cannot_be_read_are_a_clear_file_error(data):
    with pytest.raises(InvalidInput) as err:
        parse_orders(data)
    assert err.value.field == "file"


def test_re_importing_the_same_file_changes_nothing_and_a_corrected_row_updates(tmp_path):
    first = parse_orders(write(tmp_path, "a.csv", GOOD_CSV.encode()))
    plan = plan_import(first, {})
    assert (len(plan.inserts), len(plan.updates), plan.unchanged) == (3, 0, 0)
    db = stored(plan.inserts)
    again = plan_import(parse_orders(write(tmp_path, "b.csv", GOOD_CSV.encode())), db)
    assert (again.inserts, again.updates, again.unchanged) == ((), (), 3)
    corrected = GOOD_CSV.replace("1200.50", "1250.00").replace("饮料;零食", "零食;饮料")
    corrected += "SO-4,C003,2024-04-02,10\n"
    plan = plan_import(parse_orders(write(tmp_path, "c.csv", corrected.encode())), db)
    # SO-1's amount changed (category order alone is not a change); SO-4 is new.
    assert [o.erp_order_id for o in plan.updates] == ["SO-1"]
    assert plan.updates[0].amount == Decimal("1250.00")
    assert [o.erp_order_id for o in plan.inserts] == ["SO-4"]
    assert plan.unchanged == 2


def make_xlsx(tmp_path: Path, rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / "orders.xlsx"
    book.save(path)
    return path.read_bytes()


def test_an_xlsx_export_with_date_cells_numbers_and_chinese_headers(tmp_path):
    data = make_xlsx(
        tmp_path,
        [
            ["订单号", "客户编号", "订单日期", "订单金额", "品类"],
            [100234, 5001, datetime(2024, 3, 31, 23, 30), 0.1 + 0.2, "饮料、零食"],
            ["SO-X", "C-2", date(2024, 2, 29), 1999, None],
            ["SO-Y", "C-2", "not a date", 5, None],
        ],
    )
    parsed = parse_orders(data, "orders.xlsx")
    assert parsed.source_format == "xlsx"
    first, second = parsed.orders
    # Numeric ids are text without ".0"; 0.1 + 0.2 float noise is 0.30; the naive time is local.
    assert (first.erp_order_id, first.customer_id) == ("100234", "5001")
    assert first.amount == Decimal("0.30")
    assert first.ordered_on == date(2024, 3, 31)
    assert first.categories == ("零食", "饮料")
    assert (second.ordered_on, second.amount) == (date(2024, 2, 29), Decimal("1999.00"))
    assert [(e.row, e.column) for e in parsed.errors] == [(4, "ordered_on")]
    with pytest.raises(InvalidInput):
        require_valid(parsed)


def test_a_timestamp_with_an_offset_is_placed_on_the_shanghai_date():
    data = (
        b"erp_order_id,customer_id,ordered_on,amount\n"
        b"U1,C1,2024-03-31T23:30:00Z,10\n"  # 07:30 on 1 April in Shanghai
        b"U2,C1,2024-03-31 23:30,10\n"  # no offset: already local time
    )
    days = [o.ordered_on for o in parse_orders(data).orders]
    assert days == [date(2024, 4, 1), date(2024, 3, 31)]
    in_utc = [o.ordered_on for o in parse_orders(data, tz="UTC").orders]
    assert in_utc == [date(2024, 3, 31), date(2024, 3, 31)]


def test_json_records_are_validated_the_same_way_with_their_position_as_row():
    parsed = parse_order_records(
        [
            {
                "erp_order_id": "J1",
                "customer_id": "C1",
                "ordered_on": "2024-01-31",
                "amount": 12.5,
                "categories": ["b", "a"],
            },
            {},
            {"erp_order_id": "J1", "customer_id": "C1", "ordered_on": "2024-01-31", "amount": 1},
        ]
    )
    assert parsed.orders[0].categories == ("a", "b")
    assert parsed.orders[0].amount == Decimal("12.50")
    assert [(e.row, e.column) for e in parsed.errors] == [(2, "erp_order_id"), (3, "erp_order_id")]
    assert "row 1" in parsed.errors[1].message
    with pytest.raises(InvalidInput) as err:
        parse_order_records("not a list")  # type: ignore[arg-type]
    assert err.value.field == "orders"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
            st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_what_is_written_to_csv_is_read_back_exactly(rows):
    lines = ["erp_order_id,customer_id,ordered_on,amount"]
    lines += [f"O{i},C{i % 3},{day.isoformat()},{amount}" for i, (day, amount) in enumerate(rows)]
    parsed = parse_orders("\n".join(lines).encode("gbk"))
    assert parsed.ok
    assert [(o.ordered_on, o.amount) for o in parsed.orders] == list(rows)
    assert plan_import(parsed, stored(parsed.orders)).unchanged == len(rows)
