"""Security: the webhook secret, callback data aimed at other people's data, privacy of circles, the bot
token in logs, and SQL injection in every free-text field."""

from __future__ import annotations

import io
import logging
import sys

import pytest
from loguru import logger
from sqlalchemy import func, select, text

from bot.app import build_application
from bot.handlers.circles import flush_circle
from bot.logs import setup_logging
from bot.nudges import render
from bot.outbox import Outbox
from fake_telegram import FakeBotAPI, UpdateFactory
from scheduler import ReminderScheduler
from storage.models import Base, Circle, Reading, User
from tests.group_harness import GROUP, Group
from tests.harness import Conversation
from tests.web.conftest import SECRET, WEBHOOK, serve
from tests.web.conftest import served as served  # the fixture
from tracker.clock import system_clock

INJECTIONS = [
    "'; DROP TABLE readings; --",
    "Robert'); DROP TABLE users;--",
    "1 OR 1=1",
    "' OR ''='",
    "$1::text; SELECT pg_sleep(5)",
    "\\'; TRUNCATE users CASCADE; --",
    "%s %(x)s {0} :user_id",
]


async def count(db, model) -> int:
    async with db.unit_of_work() as uow:
        return (await uow.session.execute(select(func.count()).select_from(model))).scalar_one()


# ------------------------------------------------------------------------------------------ webhook
async def test_the_webhook_refuses_every_request_without_the_exact_secret(served, pg_db):
    async with served() as s:
        update = s.updates.message(7, "read Yasin")
        header = "X-Telegram-Bot-Api-Secret-Token"
        attempts = [
            s.client.post(WEBHOOK.path, json=update),  # no header
            s.client.post(WEBHOOK.path, json=update, headers={header: SECRET.upper()}),
            s.client.post(WEBHOOK.path, json=update, headers={header: SECRET[:8]}),
            s.client.post(WEBHOOK.path + f"?secret_token={SECRET}", json=update),  # not a header
            s.client.post(WEBHOOK.path, json=update, headers={"Authorization": f"Bearer {SECRET}"}),
        ]
        for attempt in attempts:
            assert (await attempt).status_code == 403
        assert await count(pg_db, User) == 0 and await count(pg_db, Reading) == 0
        assert not [c for c in s.fake.calls if c.method == "sendMessage"]


# ---------------------------------------------------------------------------------- other people's data
async def test_callback_data_cannot_act_on_another_users_entries(conversation):
    c = conversation
    await c.onboard(1)
    await c.onboard(2)
    await c.send(1, "read Al-Kahf 1-20")
    [mine] = await c.readings(1)
    message = c.fake.sent_messages(2)[-1].message  # a message in the attacker's own chat
    for data in (
        f"undo:{mine.id}",
        f"del:{mine.id}",
        "excuse:0:travel",
        "excuse:1:sick",
        "log:1-7",
        "goal:pages",
        "rem:daily:off",
        "grace:1",
        "deleteme:yes",
    ):
        await c.process(c.updates.callback(2, data, message))
    assert [r.id for r in await c.readings(1)] == [mine.id]  # the victim's log is untouched
    assert await c.user(1) is not None
    assert all(r.user_id == 2 for r in await c.readings(2))  # whatever "log:" did, it did to the presser
    assert c.errors == []


async def test_the_answer_to_someone_elses_edit_question_corrects_nothing(conversation):
    """An edit's question ("did you mean Al-Kahf?") waits in its author's state: the same callback data
    from anyone else — or a made-up answer number from the author — changes no log."""
    c = conversation
    await c.onboard(1)
    await c.onboard(2)
    update = c.updates.message(1, "Al-Mulk", first_name="Aisha")
    await c.process(update)
    await c.process(c.updates.edited_message(1, "kahv 1-10", message_id=update["message"]["message_id"]))
    [mine] = await c.readings(1)
    question, data = c.find_button(1, "Al-Kahf 1–10")
    await c.process(c.updates.callback(2, data, c.fake.sent_messages(2)[-1].message))
    await c.process(c.updates.callback(1, data.rsplit(":", 1)[0] + ":7", question))
    assert [(r.id, r.start_index) for r in await c.readings(1)] == [(mine.id, mine.start_index)]
    assert await c.readings(2) == []
    await c.process(c.updates.callback(1, data, question))  # the author's own tap still works
    assert [r.end_index - r.start_index for r in await c.readings(1)] == [9]
    assert c.errors == []


async def test_circle_buttons_do_nothing_for_someone_outside_the_circle(conversation):
    """Every kind of outsider — in the group but never joined, a former member, the admin of another
    circle — presses every circle button; nothing of the circle changes (its juz, its rounds, its settings),
    while the same presses by a member do act (so the comparison can fail)."""
    g, other = Group(conversation), Group(conversation, -1005555)
    c = conversation
    c.fake.set_admins(GROUP, [1])
    c.fake.set_admins(-1005555, [4])
    await g.send(1, "/circle")
    await g.send(2, "/join")
    await g.send(3, "/join")
    await g.send(3, "/leave")  # Maryam: a former member
    await other.send(4, "/circle")  # Yusuf: admin of another circle
    await g.send(1, "/khatm")
    async with c.db.unit_of_work() as uow:
        circle = (await uow.session.execute(select(Circle).where(Circle.chat_id == GROUP))).scalar_one()
        rnd_id = (await uow.session.execute(text("SELECT id FROM khatm_rounds"))).scalar_one()
    await g.tap(2, f"ct:{rnd_id}:2")  # Omar holds juz 2, so a "done" or a take-over has something to hit
    presses = [
        f"ct:{rnd_id}:1",
        f"ct:{rnd_id}:2",
        f"cd:{rnd_id}:2",
        f"ca:{rnd_id}",
        f"cn:{circle.id}",
        f"cs:{circle.id}",
        f"cw:{circle.id}",
    ]
    before = await _circle_state(c)
    assert [(a.juz, a.user_id) for a in before["juz_assignments"]] == [(2, 2)]  # something to attack
    for outsider in (9, 3, 4):
        for data in presses:
            await g.tap(outsider, data)
    assert await _circle_state(c) == before
    await g.tap(2, f"cd:{rnd_id}:2")  # the member's own press does change the state
    assert await _circle_state(c) != before
    assert c.errors == []


async def _circle_state(c) -> dict:
    async with c.db.unit_of_work() as uow:
        return {
            name: list((await uow.session.execute(text(f"SELECT * FROM {name} ORDER BY 1"))).all())
            for name in ("juz_assignments", "khatm_rounds", "circles", "circle_members")
        }


async def _assignments(c) -> list:
    async with c.db.unit_of_work() as uow:
        return list((await uow.session.execute(text("SELECT * FROM juz_assignments ORDER BY 1"))).all())


async def test_a_users_reading_is_shown_only_in_their_own_circles(conversation):
    c = conversation
    ours, theirs = Group(c, GROUP), Group(c, -1005555)
    c.fake.set_admins(GROUP, [1])
    c.fake.set_admins(-1005555, [4])
    await ours.send(1, "/circle")
    await ours.send(3, "/join")
    await theirs.send(4, "/circle")
    for g in (ours, theirs):
        await g.press(1 if g is ours else 4, "Turn announcements on")
    await c.send(3, "read Al-Mulk", first_name="Maryam")  # Maryam is in ours only
    await c.send(8, "read Yasin", first_name="Stranger")  # in no circle at all
    before = len(c.fake.calls)
    async with c.db.unit_of_work() as uow:
        circles = list((await uow.session.execute(select(Circle))).scalars())
    for circle in circles:
        await flush_circle(c.app, circle.id)
    shown = {
        call.params["chat_id"]: call.params["text"]
        for call in c.fake.calls[before:]
        if call.method == "sendMessage"
    }
    assert "Maryam" in shown.get(GROUP, "")
    assert all("Maryam" not in t for chat, t in shown.items() if chat != GROUP)
    assert all("Stranger" not in t for t in shown.values())
    for g in (ours, theirs):
        board = "\n".join(await g.send(1 if g is ours else 4, "/board"))
        assert "Stranger" not in board
        assert ("Maryam" in board) == (g is ours), (g.chat_id, board)
    assert c.errors == []


# ----------------------------------------------------------------------------------------- the token
MARKER = "987654321:AAHmarker_SECRET_token_0123456789abcdef"


async def test_the_bot_token_never_reaches_the_logs(pg_db, clock):
    out = io.StringIO()
    setup_logging("DEBUG", "json", secrets=[MARKER], stream=out)
    try:
        fake = FakeBotAPI(clock=clock)
        app = build_application(MARKER, pg_db, clock=clock, request=fake, set_commands=False)
        conv = Conversation(app, fake, UpdateFactory(clock=clock, fake=fake), clock, pg_db)
        async with app:
            await conv.onboard(1)
            await conv.send(1, "read Al-Kahf 1-20")
            await conv.send(1, f"my token is {MARKER}")  # a user pasting it
            fake.fail_next("sendMessage", 500, "Internal Server Error")
            await conv.send(1, "read Yasin")  # an error with a traceback
            fake.timeout_next("sendMessage")
            await conv.send(1, "/progress")
            await conv.send(1, "/remind")
            scheduler = ReminderScheduler(pg_db, Outbox(app.bot, pg_db), render, clock=system_clock)
            await scheduler.tick()
            # What httpx writes for every request, and exceptions carrying the URL.
            url = f"https://api.telegram.org/bot{MARKER}/sendMessage"
            logging.getLogger("httpx").warning('HTTP Request: POST %s "HTTP/1.1 200 OK"', url)
            logging.getLogger("telegram.ext.Application").error("request failed", exc_info=RuntimeError(url))
            try:
                raise ValueError(f"boom at {url}")
            except ValueError:
                logger.exception("failure while calling {}", url)
            logger.bind(token=MARKER).info("bound extra")
        web_app = build_application(MARKER, pg_db, request=FakeBotAPI(), set_commands=False)
        from bot.web import create_web_app

        async with serve(create_web_app(web_app, db=pg_db, webhook=WEBHOOK)) as (base, _server):
            import httpx

            async with httpx.AsyncClient(base_url=base) as client:
                await client.post(
                    WEBHOOK.path,
                    json=UpdateFactory().message(5, "read Yasin"),
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                )
                await client.post(
                    WEBHOOK.path, content=b"{bad", headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
                )
                await client.post(WEBHOOK.path, json={"update_id": 1})
    finally:
        logs = out.getvalue()
        logger.remove()
        logger.add(sys.stderr)  # loguru's default sink, as other tests expect
        logging.basicConfig(handlers=[], force=True)
    assert len(logs.splitlines()) > 20, "the slice logged too little to prove anything"
    assert "[REDACTED]" in logs
    secret_part = MARKER.split(":", 1)[1]
    assert MARKER not in logs and secret_part not in logs


# ------------------------------------------------------------------------------------- SQL injection
@pytest.mark.parametrize("payload", INJECTIONS)
async def test_sql_injection_in_every_free_text_field_is_just_text(conversation, payload):
    c = conversation
    await c.onboard(12)  # a bystander whose rows an injection would drop or change
    await c.send(12, "read Al-Kahf 1-20")
    bystander = [(r.id, r.start_index, r.end_index) for r in await c.readings(12)]
    tables_before = {t.name: await _count_table(c, t.name) for t in Base.metadata.sorted_tables}
    me = {"first_name": payload}
    await c.send(11, "/start", **me)
    await c.press(11, "English")
    for typed in (
        payload,  # typed as a timezone during onboarding
        payload,
        f"/log {payload}",
        f"/log Al-Mulk {payload}",
        f"/goal {payload}",
        f"/remind {payload}",
        f"read Yasin {payload}",
        f"/settings {payload}",
    ):
        await c.send(11, typed, **me)
    c.fake.set_admins(GROUP, [11])
    for typed in ("/circle", f"/log {payload}", f"/khatm {payload}", f"/wird {payload}", "/board"):
        await c.process(c.updates.message(11, typed, chat_id=GROUP, chat_title=payload, **me))
    assert c.errors == []
    user = await c.user(11)
    assert user.first_name == payload  # stored verbatim, as text
    async with c.db.unit_of_work() as uow:
        circle = (await uow.session.execute(select(Circle))).scalar_one()
    assert circle.title == payload
    tables_after = {name: await _count_table(c, name) for name in tables_before}  # every table still there
    shrunk = {
        n: (tables_before[n], tables_after[n]) for n in tables_before if tables_after[n] < tables_before[n]
    }
    assert shrunk == {}, shrunk  # nothing deleted or truncated
    assert tables_after["users"] == tables_before["users"] + 1  # exactly the new user, nobody else
    assert tables_after["circles"] == tables_before["circles"] + 1
    assert [(r.id, r.start_index, r.end_index) for r in await c.readings(12)] == bystander


async def _count_table(c, name: str) -> int:
    async with c.db.unit_of_work() as uow:
        return (await uow.session.execute(text(f'SELECT count(*) FROM "{name}"'))).scalar_one()
