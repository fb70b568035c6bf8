"""ERP orders import: parse and validate CSV / XLSX / JSON rows, then plan an idempotent upsert.

Pure: no storage here. ``parse_orders(bytes, filename)`` returns every valid order and a per-row
error report (row as a spreadsheet shows it: the header is row 1; column by its header name).
A file with any error must not be applied at all (``require_valid``); ``plan_import`` compares
the parsed orders with the stored ones by ERP order id: new ids insert, changed rows update,
identical rows change nothing, so re-importing a file is a no-op. See docs/targets.md.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from shared.errors import InvalidInput
from shared.targets.facts import OrderFact

COLUMNS = ("erp_order_id", "customer_id", "ordered_on", "amount", "categories")
REQUIRED = COLUMNS[:4]
ALIASES: dict[str, tuple[str, ...]] = {
    "erp_order_id": ("erporderid", "orderid", "orderno", "order", "订单号", "订单编号", "单号"),
    "customer_id": ("customerid", "customer", "customerno", "客户编号", "客户编码", "客户id"),
    "ordered_on": ("orderedon", "orderdate", "date", "下单日期", "订单日期", "日期"),
    "amount": ("amount", "total", "金额", "订单金额", "含税金额"),
    "categories": ("categories", "category", "品类", "产品品类", "类别"),
}
_HEADER = {alias: column for column, names in ALIASES.items() for alias in names}
MAX_ERRORS = 1000
MAX_AMOUNT = Decimal("1e12")
_DATE = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_SPLIT = re.compile(r"[;,，；、|/]")
_CURRENCY = re.compile(r"[¥￥,\s]|^CNY|^RMB", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ImportedOrder:
    erp_order_id: str
    customer_id: str
    ordered_on: date
    amount: Decimal
    categories: tuple[str, ...] = ()
    row: int = field(default=0, compare=False)

    def to_fact(self) -> OrderFact:
        return OrderFact(
            customer_id=self.customer_id,
            ordered_on=self.ordered_on,
            amount=self.amount,
            categories=self.categories,
            erp_order_id=self.erp_order_id,
        )


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    column: str
    message: str
    message_zh: str
    value: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "message_zh": self.message_zh,
            "value": self.value,
        }


@dataclass(frozen=True, slots=True)
class ParsedOrders:
    orders: tuple[ImportedOrder, ...]
    errors: tuple[RowError, ...]
    error_count: int
    source_format: str
    """'utf-8', 'utf-8-sig', 'utf-16', 'gbk', 'xlsx' or 'json'."""

    @property
    def ok(self) -> bool:
        return self.error_count == 0


@dataclass(frozen=True, slots=True)
class ImportPlan:
    inserts: tuple[ImportedOrder, ...]
    updates: tuple[ImportedOrder, ...]
    unchanged: int


class _RowFailed(Exception):
    def __init__(self, column: str, message: str, message_zh: str, value: Any) -> None:
        super().__init__(message)
        self.error = (column, message, message_zh, "" if value is None else str(value)[:100])


def _bad(column: str, message: str, message_zh: str, value: Any) -> _RowFailed:
    return _RowFailed(column, message, message_zh, value)


def _file_error(message: str, message_zh: str, **details: Any) -> InvalidInput:
    return InvalidInput(message, message_zh=message_zh, field="file", **details)


def parse_orders(
    data: bytes,
    filename: str = "",
    *,
    tz: str = "Asia/Shanghai",
    known_customers: Iterable[str] | None = None,
    max_rows: int = 500_000,
) -> ParsedOrders:
    """Parse an ERP export (XLSX by name or by its ZIP signature, else CSV)."""
    if filename.lower().endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        rows, fmt = _xlsx_rows(data), "xlsx"
    else:
        text, fmt = _decode(data)
        rows = _csv_rows(text)
    return _parse(rows, fmt, tz, known_customers, max_rows)


def parse_order_records(
    records: Sequence[Mapping[str, Any]],
    *,
    tz: str = "Asia/Shanghai",
    known_customers: Iterable[str] | None = None,
    max_rows: int = 500_000,
) -> ParsedOrders:
    """Orders posted as JSON objects; ``row`` in errors is the 1-based position in the list."""
    if not isinstance(records, Sequence) or isinstance(records, str | bytes):
        raise InvalidInput("orders must be a list", message_zh="orders 必须是列表", field="orders")
    table: list[list[Any]] = [list(COLUMNS)]
    for item in records:
        if not isinstance(item, Mapping):
            item = {}
        cats = item.get("categories")
        if isinstance(cats, list | tuple):
            cats = ";".join(str(c) for c in cats)
        table.append([item.get(c) for c in COLUMNS[:4]] + [cats])
    return _parse(iter(table), "json", tz, known_customers, max_rows, first_row=1, skip_blank=False)


def require_valid(parsed: ParsedOrders) -> tuple[ImportedOrder, ...]:
    """The orders of a clean import, or ``InvalidInput`` carrying the whole row report."""
    if parsed.ok:
        return parsed.orders
    first = parsed.errors[0]
    raise InvalidInput(
        f"{parsed.error_count} row error(s); nothing was imported. First: row {first.row}, "
        f"{first.column}: {first.message}",
        message_zh=f"共 {parsed.error_count} 处错误，未导入任何订单。第一处：第 {first.row} 行"
        f"「{first.column}」：{first.message_zh}",
        field="file",
        errors=[e.to_dict() for e in parsed.errors],
        error_count=parsed.error_count,
    )


def plan_import(parsed: ParsedOrders, existing: Mapping[str, ImportedOrder]) -> ImportPlan:
    """Compare with the stored orders (by ERP order id). Refuses a file with errors."""
    inserts: list[ImportedOrder] = []
    updates: list[ImportedOrder] = []
    unchanged = 0
    for order in require_valid(parsed):
        stored = existing.get(order.erp_order_id)
        if stored is None:
            inserts.append(order)
        elif stored != order:
            updates.append(order)
        else:
            unchanged += 1
    return ImportPlan(tuple(inserts), tuple(updates), unchanged)


# --- reading files -------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gbk"
    except UnicodeDecodeError as exc:
        raise _file_error(
            "the file is neither UTF-8 nor GBK text, nor an XLSX workbook",
            "文件既不是 UTF-8 / GBK 文本，也不是 XLSX 工作簿",
        ) from exc


def _csv_rows(text: str) -> Iterable[list[Any]]:
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise _file_error(f"the CSV file is malformed: {exc}", "CSV 文件格式错误") from exc


def _xlsx_rows(data: bytes) -> Iterable[list[Any]]:
    import openpyxl  # server-only dependency, imported where used

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
            finally:
                book.close()
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, TypeError) as exc:
        raise _file_error(
            f"the XLSX workbook cannot be read: {exc}", "无法读取该 XLSX 工作簿"
        ) from exc
    return rows


# --- validating rows -----------------------------------------------------------------------


def _header(cells: list[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = re.sub(r"[\s_\-]", "", str(cell or "")).lower()
        column = _HEADER.get(key)
        if column and column not in found:
            found[column] = index
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise _file_error(
            f"the header row lacks the column(s) {', '.join(missing)}",
            f"表头缺少列：{'、'.join(missing)}",
            missing=missing,
            expected=list(COLUMNS),
        )
    return found


def _parse(
    rows: Iterable[list[Any]],
    fmt: str,
    tz: str,
    known_customers: Iterable[str] | None,
    max_rows: int,
    first_row: int = 2,
    skip_blank: bool = True,
) -> ParsedOrders:
    iterator = iter(rows)
    header_cells = next(iterator, None)
    if header_cells is None:
        raise _file_error("the file is empty", "文件为空")
    columns = _header(header_cells)
    zone = ZoneInfo(tz)
    known = set(known_customers) if known_customers is not None else None
    orders: list[ImportedOrder] = []
    errors: list[RowError] = []
    error_count = 0
    seen: dict[str, int] = {}
    for number, cells in enumerate(iterator, start=first_row):
        if number - first_row >= max_rows:
            raise _file_error(
                f"more than {max_rows} rows; split the file", f"超过 {max_rows} 行，请拆分文件"
            )
        if skip_blank and all(c is None or str(c).strip() == "" for c in cells):
            continue
        values = {c: cells[i] if i < len(cells) else None for c, i in columns.items()}
        try:
            order = _order(values, number, zone, known)
            first = seen.get(order.erp_order_id)
            if first is not None:
                raise _bad(
                    "erp_order_id",
                    f"order {order.erp_order_id} already appears on row {first}",
                    f"订单号 {order.erp_order_id} 已在第 {first} 行出现",
                    order.erp_order_id,
                )
            seen[order.erp_order_id] = number
            orders.append(order)
        except _RowFailed as failed:
            error_count += 1
            if len(errors) < MAX_ERRORS:
                errors.append(RowError(number, *failed.error))
    return ParsedOrders(tuple(orders), tuple(errors), error_count, fmt)


def _order(
    values: Mapping[str, Any], row: int, zone: ZoneInfo, known: set[str] | None
) -> ImportedOrder:
    erp_id = _identifier(values["erp_order_id"], "erp_order_id", "订单号")
    customer = _identifier(values["customer_id"], "customer_id", "客户编号")
    if known is not None and customer not in known:
        raise _bad(
            "customer_id", f"unknown customer {customer}", f"客户 {customer} 不存在", customer
        )
    return ImportedOrder(
        erp_order_id=erp_id,
        customer_id=customer,
        ordered_on=_date(values["ordered_on"], zone),
        amount=_amount(values["amount"]),
        categories=_categories(values.get("categories")),
        row=row,
    )


def _identifier(value: Any, column: str, name_zh: str) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = "" if value is None else str(value).strip()
    if not text:
        raise _bad(column, f"{column} is empty", f"{name_zh}为空", value)
    if len(text) > 64:
        raise _bad(
            column, f"{column} is longer than 64 characters", f"{name_zh}超过 64 个字符", text
        )
    return text


def _date(value: Any, zone: ZoneInfo) -> date:
    if isinstance(value, datetime):
        moment = value if value.tzinfo is None else value.astimezone(zone)
        day = moment.date()
    elif isinstance(value, date):
        day = value
    else:
        match = _DATE.match("" if value is None else str(value).strip())
        if not match:
            raise _bad(
                "ordered_on",
                "date must look like 2024-03-31 (or 2024/3/31, 2024年3月31日)",
                "日期格式应为 2024-03-31（或 2024/3/31、2024年3月31日）",
                value,
            )
        y, m, d, hh, mm, ss, offset = match.groups()
        try:
            day = date(int(y), int(m), int(d))
            if offset and hh is not None:
                moment = datetime.fromisoformat(
                    f"{day.isoformat()}T{int(hh):02d}:{mm}:{ss or '00'}"
                    f"{'+00:00' if offset == 'Z' else offset}"
                )
                day = moment.astimezone(zone).date()
        except ValueError as exc:
            raise _bad("ordered_on", f"not a calendar date: {exc}", "日期不存在", value) from exc
    if not 1990 <= day.year <= 2100:
        raise _bad("ordered_on", "date is out of range", "日期超出范围", value)
    return day


def _amount(value: Any) -> Decimal:
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        if isinstance(value, int | float):
            amount = Decimal(repr(value))
            rounded = amount.quantize(Decimal("0.01"))
            if abs(amount - rounded) < Decimal("1e-9"):  # spreadsheet float noise
                amount = rounded
        else:
            amount = Decimal(_CURRENCY.sub("", "" if value is None else str(value)))
    except InvalidOperation as exc:
        raise _bad("amount", "amount is not a number", "金额不是数字", value) from exc
    if not amount.is_finite():
        raise _bad("amount", "amount is not a number", "金额不是数字", value)
    if amount < 0:
        raise _bad(
            "amount",
            "amount must not be negative (returns are not orders)",
            "金额不能为负数",
            value,
        )
    if amount > MAX_AMOUNT:
        raise _bad("amount", "amount is implausibly large", "金额过大", value)
    if amount != amount.quantize(Decimal("0.01")):
        raise _bad("amount", "amount has more than 2 decimal places", "金额最多两位小数", value)
    return amount.quantize(Decimal("0.01"))


def _categories(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    parts = sorted({p.strip() for p in _SPLIT.split(str(value)) if p.strip()})
    if len(parts) > 50 or any(len(p) > 64 for p in parts):
        raise _bad(
            "categories",
            "at most 50 categories of at most 64 characters",
            "品类最多 50 个，每个最多 64 个字符",
            value,
        )
    return tuple(parts)
