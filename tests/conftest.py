"""Fixtures shared by several test modules."""

import uuid

import pytest

from pgserver import PostgresServer, PostgresUnavailable


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for the session (see pgserver.py). Without one, the tests that need it fail:
    `make test` installs Debian's postgresql (scripts/system-deps.sh)."""
    try:
        server = PostgresServer().start()
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL gradebook tests need a server: {exc}", pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def new_postgres_gradebook(postgres):
    """A factory: each call creates an empty database and returns its URL, for one course's gradebook."""
    return lambda: postgres.create_database(f"gradebook_{uuid.uuid4().hex[:12]}")
