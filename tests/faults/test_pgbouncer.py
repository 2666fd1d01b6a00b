"""Behind PgBouncer in transaction mode (what Fly's managed Postgres and most poolers offer): each
transaction may run on a different server connection, so asyncpg's statement caches must be off
(`DB_PGBOUNCER=true`), and everything that must hold per transaction — the advisory locks and the
update claim — still holds. The two-instance races of test_two_instances.py, run through the pooler.

Needs the `pgbouncer` binary (Debian: apt-get install pgbouncer; .ci/run installs it).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from fake_telegram import FakeBotAPI
from storage import Database
from storage.models import Khatm
from tests.conftest import TEST_DATABASE_URL
from tests.faults.test_two_instances import Pair, msg, race_in_a_busy_group
from tests.harness import running_bot


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def pgbouncer(tmp_path_factory) -> Iterator[int]:
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    assert Path(binary).exists(), "pgbouncer is not installed (apt-get install pgbouncer)"
    target = make_url(TEST_DATABASE_URL)
    port = _free_port()
    work = tmp_path_factory.mktemp("pgbouncer")
    work.chmod(0o777)
    (work / "users.txt").write_text(f'"{target.username or "postgres"}" ""\n')
    (work / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={target.host or '127.0.0.1'} port={target.port or 5432}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\n"
        f"auth_type = trust\nauth_file = {work / 'users.txt'}\n"
        "pool_mode = transaction\nmax_client_conn = 200\ndefault_pool_size = 8\n"
        "ignore_startup_parameters = extra_float_digits\n"
    )
    for f in work.iterdir():
        f.chmod(0o644)
    args = [binary, str(work / "pgbouncer.ini")]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root
        args[1:1] = ["-u", "nobody"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(200):  # bounded wait for the listener
            try:
                socket.create_connection(("127.0.0.1", port), 0.1).close()
                break
            except OSError:
                if proc.poll() is not None:
                    out = proc.stdout.read().decode() if proc.stdout else "pgbouncer exited"
                    raise RuntimeError(out) from None
                subprocess.run(["sleep", "0.05"], check=True)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
async def pooled_pair(fresh_pg_url, pgbouncer, clock) -> AsyncIterator[Pair]:
    url = make_url(fresh_pg_url).set(host="127.0.0.1", port=pgbouncer).render_as_string(hide_password=False)
    db_a, db_b = Database(url, pgbouncer=True), Database(url, pgbouncer=True)
    fake = FakeBotAPI(clock=clock)
    try:
        async with running_bot(db_a, clock, fake) as a, running_bot(db_b, clock, fake) as b:
            b.updates = a.updates
            yield Pair(a, b, db_a)
    finally:
        await db_a.dispose()
        await db_b.dispose()


async def test_behind_pgbouncer_the_races_hold(pooled_pair):
    pair = pooled_pair
    for uid in (81, 82):
        await pair.a.onboard(uid)
        update = msg(pair, uid, "read Al-Kahf 1-20")
        await asyncio.gather(pair.a.process(update), pair.b.process(update))  # the same update at both
        assert len(await pair.a.readings(uid)) == 1
        await pair.a.send(uid, "read 1:1-112:4")
        await asyncio.gather(
            pair.a.process(msg(pair, uid, "read Al-Falaq")), pair.b.process(msg(pair, uid, "read An-Nas"))
        )
        async with pair.db.unit_of_work() as uow:
            khatms = (await uow.session.execute(select(Khatm).where(Khatm.user_id == uid))).scalars().all()
        assert sorted((k.number, k.completed_at is not None) for k in khatms) == [(1, True), (2, False)]
    pair.check_no_errors()


async def test_behind_pgbouncer_a_busy_group_at_both_instances_gets_one_budget_of_texts(pooled_pair):
    """The group's confirmation window is locked per transaction, which PgBouncer keeps on one server
    connection: 20 logs at once at two instances still get 8 texts and 12 reactions."""
    await race_in_a_busy_group(pooled_pair)
