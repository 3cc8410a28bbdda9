"""urbanmgmt.asyncdb's batches: every ask gets its own answer, whatever the number of asks, and
no ask waits forever when the one running its batch fails or is cancelled."""

import asyncio

import pytest

from tests.aio import run_in_new_loop as run
from urbanmgmt import asyncdb

pytestmark = pytest.mark.django_db

# Each ask's item is a number; its answer is the number doubled, by itself or in a batch.
SINGLE = "SELECT $1::int * 2"
BATCH = "SELECT q.i, q.n * 2 FROM unnest($1::int[]) WITH ORDINALITY AS q(n, i) ORDER BY q.i"
SLOW_BATCH = (
    "SELECT q.i, q.n * 2 FROM unnest($1::int[]) WITH ORDINALITY AS q(n, i), pg_sleep(2)"
    " ORDER BY q.i"
)


def ask(number, batch=BATCH, single=SINGLE):
    return asyncdb.fetch_one_batched(
        "double", (single, [number]), batch, lambda items: [list(items)], number
    )


@pytest.fixture
def one_connection(settings):
    settings.DB_ASYNC_CONNECTIONS = 1


async def _gather(*asks):
    """The asks' outcomes, and what is still waiting after them (nothing should be)."""
    try:
        outcomes = await asyncio.wait_for(asyncio.gather(*asks, return_exceptions=True), 30)
        return outcomes, asyncdb._waiting.get(asyncio.get_running_loop())
    finally:
        await asyncdb.close()


@pytest.mark.parametrize("most", [32, 3, 1])
def test_more_asks_than_a_batch_holds_all_get_their_answer(one_connection, monkeypatch, most):
    monkeypatch.setattr(asyncdb, "MAX_BATCH", most)

    answers, left_waiting = run(lambda: _gather(*(ask(n) for n in range(10))))

    assert answers == [2 * n for n in range(10)]
    assert not left_waiting


def test_asks_of_a_cancelled_batch_fail_instead_of_waiting(one_connection):
    async def cancel_the_runner():
        try:
            assert await ask(0) == 0  # the pool is open
            # Alone, holding the one connection for half a second, while three more wait.
            first = asyncio.ensure_future(ask(1, single="SELECT $1::int * 2 FROM pg_sleep(0.5)"))
            await asyncio.sleep(0.1)
            others = [asyncio.ensure_future(ask(n, SLOW_BATCH)) for n in (2, 3, 4)]
            assert await first == 2
            await asyncio.sleep(0.3)  # the first of the others runs the (slow) batch of three
            runner = next(task for task in others if not task.done())
            runner.cancel()
            return await asyncio.wait_for(asyncio.gather(*others, return_exceptions=True), 10)
        finally:
            await asyncdb.close()

    outcomes = run(cancel_the_runner)

    assert sum(isinstance(o, asyncio.CancelledError) for o in outcomes) == 1
    errors = [o for o in outcomes if isinstance(o, RuntimeError)]
    assert len(errors) == 2
    assert all("cancelled" in str(error) for error in errors)


def test_asks_whose_batch_cannot_even_be_built_fail_instead_of_waiting(one_connection):
    def broken(items):
        raise ValueError("no arrays today")

    def broken_ask(number):
        return asyncdb.fetch_one_batched("double", (SINGLE, [number]), BATCH, broken, number)

    outcomes, left_waiting = run(lambda: _gather(*(broken_ask(n) for n in range(5))))

    assert all(o == 2 * n or isinstance(o, ValueError) for n, o in enumerate(outcomes))
    assert sum(isinstance(o, ValueError) for o in outcomes) >= 4  # all but a lone first
    assert not left_waiting
