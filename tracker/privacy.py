"""The user's data in their hands: everything the bot holds about them, and deleting all of it."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import inspect

from quran import Ayah
from storage import UnitOfWork
from storage.models import User


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _row(obj: object) -> dict[str, Any]:
    return {c.key: _plain(getattr(obj, c.key)) for c in inspect(obj).mapper.column_attrs}


async def export_data(uow: UnitOfWork, user: User) -> dict[str, Any]:
    """Everything stored about the user, table by table, as JSON-ready values."""
    tables = await uow.users.everything(user.id)
    return {
        "user": _row(user),
        **{name: [{k: _plain(v) for k, v in row.items()} for row in rows] for name, rows in tables.items()},
    }


def export_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def readings_csv(data: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["id", "local_date", "recorded_at_utc", "from", "to", "ayahs", "khatm_id", "source", "text"]
    )
    for r in data["readings"]:
        first, last = Ayah.from_index(r["start_index"]), Ayah.from_index(r["end_index"])
        writer.writerow(
            [
                r["id"],
                r["local_date"],
                r["recorded_at"],
                f"{first.surah}:{first.ayah}",
                f"{last.surah}:{last.ayah}",
                r["end_index"] - r["start_index"] + 1,
                r["khatm_id"],
                r["source"],
                r["source_text"] or "",
            ]
        )
    return out.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheet apps read Arabic right


async def delete_everything(uow: UnitOfWork, user: User) -> bool:
    """Delete the user and, by the schema's cascades, every row of theirs (circle memberships included)."""
    return await uow.users.delete(user.id)
