"""The stores the store tests run against: SQLite always, and a real PostgreSQL server.

The server is Debian's (`apt-get install postgresql`: binaries in /usr/lib/postgresql/*/bin),
started for the test session on a throwaway cluster in a temporary folder, reachable only
through a unix socket in that folder (no TCP port is opened), with trust authentication.
PostgreSQL refuses to run as root: under root the server runs as the `postgres` user the
Debian package creates, or as a system user created for it. Each test gets a database of
its own, dropped afterwards.

POSTGRES_BIN names another folder holding initdb and postgres (Homebrew, EDB…).
When the server cannot start (no binaries, no way to run it unprivileged), the PostgreSQL
tests are skipped with the reason — except when REQUIRE_POSTGRES=1 (set by .ci/run), where
that is a failure: CI must run them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, text

from prioritisation.store import Store, StoreSettings

REQUIRE_VARIABLE = "REQUIRE_POSTGRES"
BIN_VARIABLE = "POSTGRES_BIN"
CREATED_USER = "priorisation-pg"
_START_SECONDS = 60


class CannotStart(Exception):
    """Why no PostgreSQL server could be started here (in French, for the skip message)."""


@dataclass
class PostgresServer:
    process: subprocess.Popen[bytes]
    folder: Path
    port: int

    @property
    def socket_folder(self) -> Path:
        return self.folder

    def url(self, database: str = "postgres") -> str:
        """A libpq-style URL, as an administrator would put in PRIORISATION_BASE_URL."""
        return f"postgresql://postgres@/{database}?host={self.socket_folder}&port={self.port}"

    def connect(self, database: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(
            host=str(self.socket_folder), port=self.port, user="postgres", dbname=database, autocommit=True
        )

    def create_database(self) -> str:
        name = f"test_{uuid.uuid4().hex[:16]}"
        with self.connect() as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        with self.connect() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # « fast » shutdown
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)


def postgres_binaries() -> Path | None:
    """POSTGRES_BIN when set (another install), else the newest Debian bin folder, else PATH."""
    if os.environ.get(BIN_VARIABLE):
        chosen = Path(os.environ[BIN_VARIABLE])
        return chosen if (chosen / "initdb").exists() else None
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def unprivileged_user() -> pwd.struct_passwd | None:
    """The user to run the server as: None when we are not root (run as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", CREATED_USER):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    useradd = shutil.which("useradd")
    if useradd is None:
        raise CannotStart("lancé en root, sans utilisateur « postgres » ni commande useradd pour en créer un")
    subprocess.run(
        [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", CREATED_USER],
        check=True,
        capture_output=True,
    )
    return pwd.getpwnam(CREATED_USER)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server() -> PostgresServer:
    binaries = postgres_binaries()
    if binaries is None:
        raise CannotStart(
            "binaires introuvables (installez le paquet Debian : apt-get install -y postgresql)"
        )
    user = unprivileged_user()
    folder = Path(tempfile.mkdtemp(prefix="priorisation-pg-"))
    as_user: dict[str, object] = {}
    if user is not None:
        os.chown(folder, user.pw_uid, user.pw_gid)
        as_user = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "HOME": str(folder)}
    data = folder / "data"
    try:
        subprocess.run(
            [
                binaries / "initdb",
                "-D",
                data,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            env=environment,
            cwd=folder,
            **as_user,  # type: ignore[arg-type]
        )
    except (subprocess.CalledProcessError, OSError) as error:
        shutil.rmtree(folder, ignore_errors=True)
        detail = (
            error.stderr.decode(errors="replace")[-500:]
            if isinstance(error, subprocess.CalledProcessError)
            else error
        )
        raise CannotStart(f"initdb a échoué : {detail}") from error
    port = free_port()
    log = (folder / "server.log").open("wb")
    options = [
        "listen_addresses=",  # unix socket only: no TCP port at all
        "fsync=off",  # a throwaway cluster: durability is not what these tests check
        "synchronous_commit=off",
        "full_page_writes=off",
        "max_connections=200",
    ]
    process = subprocess.Popen(
        [binaries / "postgres", "-D", data, "-k", folder, "-p", str(port)]
        + [argument for option in options for argument in ("-c", option)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=environment,
        cwd=folder,
        **as_user,  # type: ignore[arg-type]
    )
    server = PostgresServer(process, folder, port)
    deadline = time.monotonic() + _START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            message = (folder / "server.log").read_text(errors="replace")[-500:]
            server.stop()
            raise CannotStart(f"le serveur s'est arrêté au démarrage : {message}")
        try:
            with server.connect():
                return server
        except psycopg.OperationalError:
            time.sleep(0.1)
    server.stop()
    raise CannotStart(f"le serveur n'a pas répondu en {_START_SECONDS} s")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        server = start_server()
    except CannotStart as error:
        reason = f"PostgreSQL ne peut pas démarrer ici : {error}."
        if os.environ.get(REQUIRE_VARIABLE) == "1":
            pytest.fail(f"{reason} ({REQUIRE_VARIABLE}=1 : les tests PostgreSQL doivent tourner.)")
        pytest.skip(reason)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh database on the session's server, for one test."""
    name = postgres_server.create_database()
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_settings(request: pytest.FixtureRequest, tmp_path: Path) -> StoreSettings:
    """Settings for an empty store of each kind (the PostgreSQL one needs the server)."""
    if request.param == "sqlite":
        return StoreSettings(data_folder=tmp_path / "donnees")
    return StoreSettings(
        data_folder=tmp_path / "inutilise", database_url=request.getfixturevalue("postgres_url")
    )


@pytest.fixture
def store(store_settings: StoreSettings) -> Iterator[Store]:
    with Store(store_settings) as opened:
        yield opened


class FakeClock:
    """The store's clock, moved by hand: expiry is tested without waiting 30 days."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def raw_rows(settings: StoreSettings, query: str) -> list[tuple]:
    """What is really in the database, read through a connection of its own."""
    engine = create_engine(settings.sqlalchemy_url())
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(query))]
    finally:
        engine.dispose()


def environment_for(settings: StoreSettings) -> dict[str, str]:
    """The environment a separate process needs to open the same store."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PRIORISATION_")}
    if settings.database_url:
        environment["PRIORISATION_BASE_URL"] = settings.database_url
    else:
        environment["PRIORISATION_DONNEES"] = str(settings.data_folder)
    return environment


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
