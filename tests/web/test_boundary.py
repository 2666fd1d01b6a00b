"""What the webhook refuses or cleans before anything reaches the database: lone UTF-16 surrogates and
NUL (JSON can carry both), integers beyond int64, bodies over the size limit (checked while streaming)."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import func, select

from bot.web import MAX_UPDATE_BYTES, SECRET_HEADER
from storage.models import Reading, User
from tests.web.conftest import SECRET, WEBHOOK

HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}


async def _post_raw(s, update: dict):
    # ensure_ascii: a lone surrogate goes out as the JSON escape "\ud800", as Telegram's JSON can carry it
    return await s.client.post(WEBHOOK.path, content=json.dumps(update, ensure_ascii=True), headers=HEADERS)


async def test_a_lone_surrogate_in_a_name_or_a_text_does_not_lock_the_user_out(served, pg_db):
    async with served() as s:
        for n, (name, text) in enumerate(
            [("Om\ud800ar", "read Yasin"), ("Omar", "read Al-Mulk \udfff"), ("\x00Omar\ud83d", "2:255")]
        ):
            response = await _post_raw(s, s.updates.message(51, text, first_name=name))
            assert response.status_code == 200, n
        async with pg_db.unit_of_work() as uow:
            user = await uow.users.get(51)
            texts = list(
                (await uow.session.execute(select(Reading.source_text).order_by(Reading.id))).scalars()
            )
        assert user.first_name == "Omar\ufffd"  # the last name given, cleaned
        assert len(texts) == 3 and texts[1] == "read Al-Mulk \ufffd"
        # A valid pair (an emoji, escaped as two surrogates in JSON) is not touched.
        assert (
            await _post_raw(s, s.updates.message(51, "read Yasin", first_name="Omar 😀"))
        ).status_code == 200
        async with pg_db.unit_of_work() as uow:
            assert (await uow.users.get(51)).first_name == "Omar 😀"


async def test_ids_beyond_int64_are_refused_with_400(served, pg_db):
    async with served() as s:
        for path in (("message", "from", "id"), ("message", "chat", "id"), ("update_id",)):
            update = s.updates.message(52, "read Yasin")
            target = update
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = 2**63
            response = await _post_raw(s, update)
            assert response.status_code == 400, path
        assert (await _post_raw(s, s.updates.message(52, "read Yasin"))).status_code == 200
        async with pg_db.unit_of_work() as uow:
            assert (await uow.session.execute(select(func.count()).select_from(User))).scalar_one() == 1


async def test_a_body_over_the_limit_is_refused_while_streaming(served, pg_db):
    async with served() as s:

        async def chunks():  # chunked transfer: no Content-Length to look at, the limit must bite mid-stream
            for _ in range(MAX_UPDATE_BYTES // 65536 + 4):
                yield b" " * 65536

        response = await s.client.post(WEBHOOK.path, content=chunks(), headers=HEADERS)
        assert response.status_code == 413
        # A declared length over the limit is refused before a byte of the body is read.
        host, port = s.url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(
            f"POST {WEBHOOK.path} HTTP/1.1\r\nHost: x\r\n{SECRET_HEADER}: {SECRET}\r\n"
            f"Content-Length: {10 * MAX_UPDATE_BYTES}\r\n\r\n{{}}".encode()
        )
        await writer.drain()
        status_line = await reader.readline()
        writer.close()
        assert status_line.split()[1] == b"413"
        assert (await _post_raw(s, s.updates.message(53, "read Yasin"))).status_code == 200
