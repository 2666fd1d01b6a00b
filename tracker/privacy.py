"""The user's data in their hands: everything the bot holds about them, and deleting all of it."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import inspect, select

from quran import Ayah
from storage import UnitOfWork
from storage.models import (
    Circle,
    CircleMember,
    Delivery,
    ExcusedDay,
    Goal,
    JuzAssignment,
    Khatm,
    Reading,
    Reminder,
    User,
)

# Every table that holds a user's rows, and the column that says whose they are.
_OWNED = [(Khatm, Khatm.user_id), (Reading, Reading.user_id), (Goal, Goal.user_id),
          (ExcusedDay, ExcusedDay.user_id), (Reminder, Reminder.user_id), (Delivery, Delivery.user_id),
          (CircleMember, CircleMember.user_id), (JuzAssignment, JuzAssignment.user_id)]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _row(obj: object) -> dict[str, Any]:
    return {c.key: _plain(getattr(obj, c.key)) for c in inspect(obj).mapper.column_attrs}


async def export_data(uow: UnitOfWork, user: User) -> dict[str, Any]:
    """Everything stored about the user, table by table, as JSON-ready values."""
    data: dict[str, Any] = {"user": _row(user)}
    for model, column in _OWNED:
        rows = (await uow.session.execute(select(model).where(column == user.id))).scalars()
        data[model.__tablename__] = [_row(r) for r in rows]
    circle_ids = [m["circle_id"] for m in data["circle_members"]]
    circles = (await uow.session.execute(select(Circle).where(Circle.id.in_(circle_ids)))).scalars()
    data["circles"] = [{"id": c.id, "title": c.title} for c in circles]
    return data


def export_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def readings_csv(data: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "local_date", "recorded_at_utc", "from", "to", "ayahs", "khatm_id", "source",
                     "text"])
    for r in data["readings"]:
        first, last = Ayah.from_index(r["start_index"]), Ayah.from_index(r["end_index"])
        writer.writerow([r["id"], r["local_date"], r["recorded_at"], f"{first.surah}:{first.ayah}",
                         f"{last.surah}:{last.ayah}", r["end_index"] - r["start_index"] + 1, r["khatm_id"],
                         r["source"], r["source_text"] or ""])
    return out.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheet apps read Arabic right


async def delete_everything(uow: UnitOfWork, user: User) -> bool:
    """Delete the user and, by the schema's cascades, every row of theirs (circle memberships included)."""
    return await uow.users.delete(user.id)
