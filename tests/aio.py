"""What the tests of the async paths share: running a coroutine, and a second connection."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import psycopg
from django.db import connection


def run_in_new_loop(coroutine_function, *args):
    """`coroutine_function(*args)` run to its end on a new event loop, in a thread of its own:
    the test's thread may be inside another loop already (Playwright's, once a browser test
    has run), where asyncio.run refuses to start."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine_function(*args)).result()


def database_dsn() -> str:
    """Where Django's connection goes, for a second connection beside it."""
    params = connection.get_connection_params()
    keys = {"dbname", "user", "host", "port", "password"}
    return psycopg.conninfo.make_conninfo(**{k: v for k, v in params.items() if k in keys})
