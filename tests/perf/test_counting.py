"""The statement / round-trip counter the hot-path budget and the benchmarks rely on."""

from sqlalchemy import text

from storage.counting import counting


async def test_counts_statements_and_the_transaction_around_them(pg_db):
    async with pg_db.unit_of_work() as uow:  # warm the pool: a fresh connection has no pre-ping
        await uow.session.execute(text("SELECT 1"))
    with counting(pg_db.engine) as n:
        async with pg_db.unit_of_work() as uow:
            await uow.session.execute(text("SELECT 1"))
            await uow.session.execute(text("SELECT 2"))
    assert n.statements == 2
    pings = n.pings * 3
    assert n.round_trips == pings + 2 + 2  # BEGIN, two statements, COMMIT


async def test_an_empty_unit_of_work_costs_nothing(pg_db):
    with counting(pg_db.engine) as n:
        async with pg_db.unit_of_work():
            pass
    assert (n.statements, n.round_trips) == (0, 0)
