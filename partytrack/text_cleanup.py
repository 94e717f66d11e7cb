"""The data migrations that clean text stored before partytrack.fields cleaned every write.

Each app's migration lists its tables, the cleaning of each text column, the columns derived from
them (folded keys, recomputed with partytrack.text) and the unique constraints the cleaned values
must still satisfy. Two records that differed only by an invisible character become equal: such a
clash is a duplicate that the old checks let in, and which one stays is a person's decision (which
admission counts, which organization is the real one), so the migration stops, writes nothing and
names the records. Works the same on SQLite and PostgreSQL (plain ORM reads and updates).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

BATCH = 2000


@dataclass(frozen=True)
class Unique:
    """A unique constraint in Python: the rows it applies to, and the key it holds once."""

    name: str
    applies: Callable[[dict], bool]
    key: Callable[[dict], tuple]


class CleanedDuplicates(RuntimeError):
    pass


def _rows(model, columns: list[str]) -> Iterator[dict]:
    """Every row in pk order, read in batches (no cursor left open while rows are written)."""
    last = None
    while True:
        queryset = model._default_manager.order_by("pk")
        if last is not None:
            queryset = queryset.filter(pk__gt=last)
        batch = list(queryset.values(*columns)[:BATCH])
        if not batch:
            return
        yield from batch
        last = batch[-1]["pk"]


def plan(
    model,
    cleaners: dict[str, Callable[[str], str]],
    *,
    read: Iterable[str] = (),
    derive: Callable[[dict], dict] | None = None,
    unique: Iterable[Unique] = (),
) -> tuple[dict[int, dict], list[str]]:
    """The changes cleaning `model` makes ({pk: {column: value}}, only for rows that change) and the
    unique constraints they would break, said as "table constraint: pk a, pk b (key)"."""
    unique = list(unique)
    seen: dict[str, dict[tuple, int]] = {rule.name: {} for rule in unique}
    changes: dict[int, dict] = {}
    clashes: list[str] = []
    for values in _rows(model, ["pk", *cleaners, *read]):
        new = dict(values)
        for column, cleaner in cleaners.items():
            if isinstance(new[column], str):
                new[column] = cleaner(new[column])
        if derive is not None:
            new.update(derive(new))
        for rule in unique:
            if rule.applies(new):
                key = rule.key(new)
                first = seen[rule.name].setdefault(key, values["pk"])
                if first != values["pk"]:
                    clashes.append(f"{model._meta.db_table} {rule.name}: {first}, {values['pk']} {key!r}")
        changed = {column: value for column, value in new.items() if column != "pk" and value != values[column]}
        if changed:
            changes[values["pk"]] = changed
    return changes, clashes


def clean_tables(tables: Iterable[tuple]) -> None:
    """Clean every table of `tables` ((model, cleaners, options) each), or none when a clash is found."""
    planned, clashes = [], []
    for model, cleaners, options in tables:
        changes, found = plan(model, cleaners, **options)
        planned.append((model, changes))
        clashes.extend(found)
    if clashes:
        raise CleanedDuplicates(
            "Sau khi bỏ ký tự ẩn (khoảng trắng không độ rộng, gạch nối mềm, ký tự điều khiển hướng chữ), các bản "
            "ghi sau trùng nhau (bảng, ràng buộc: id, id, giá trị). Xử lý trong ứng dụng (hủy kết nạp ghi trùng, "
            "rút hồ sơ trùng, đổi tên hoặc giải thể tổ chức trùng, sửa số kế hoạch) rồi chạy lại migrate; chưa có "
            "gì bị thay đổi.\n" + "\n".join(clashes)
        )
    for model, changes in planned:
        for pk, changed in changes.items():
            model._default_manager.filter(pk=pk).update(**changed)
