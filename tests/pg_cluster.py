"""A throw-away PostgreSQL 15 cluster with PostGIS, in a temporary folder, for tests and benchmarks.

Made with the server's own initdb and pg_ctl (Debian's postgresql-15 and postgresql-15-postgis-3
packages; .ci/run installs them on a clean machine). PostgreSQL refuses to run as root, so as root
the cluster belongs to the `postgres` system user; it listens only on a socket in its folder.
Each test database is a copy of a template that already has the extensions, which is fast.
"""

import contextlib
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

PG_BIN = Path(os.environ.get("MAPAPP_PG_BIN", "/usr/lib/postgresql/15/bin"))
TEMPLATE = "mapapp_template"
USER = "mapapp"


def available():
    """Why a cluster cannot be made here, or '' when it can."""
    if not (PG_BIN / "initdb").exists():
        return f"no PostgreSQL server binaries in {PG_BIN} (install postgresql-15)"
    if not Path("/usr/share/postgresql/15/extension/postgis.control").exists():
        return "PostGIS is not installed (install postgresql-15-postgis-3)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the server as"
    return ""


class Cluster:
    """initdb + pg_ctl start in a temp folder; `url(name)` of a database in it; stop() removes it."""

    def __init__(self, durable=False):
        self.folder = Path(tempfile.mkdtemp(prefix="mapapp-pg-"))
        self.data = self.folder / "data"
        self.socket = self.folder
        self._names = itertools.count(1)
        self._as = []
        if os.geteuid() == 0:
            # The server may not run as root: hand the folder to the postgres user.
            self._as = ["runuser", "-u", "postgres", "--"]
            os.chmod(self.folder, 0o755)
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", self.data, "-U", USER, "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")
        options = f"-k {self.socket} -c listen_addresses='' -c max_connections=200"
        if not durable:
            # Durability to disk is not what tests check (a killed client is; the server stays
            # up); benchmarks ask for a durable server, as SQLite's synchronous=FULL is.
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", self.data, "-o", options, "-l", self.folder / "server.log", "-w", "start")
        self._sql("postgres", f"CREATE DATABASE {TEMPLATE}")
        self._sql(TEMPLATE, "CREATE EXTENSION postgis; CREATE EXTENSION pg_trgm")

    def _run(self, program, *args):
        subprocess.run(
            [*self._as, str(PG_BIN / program), *map(str, args)],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )

    def url(self, name):
        return f"postgresql://{USER}@/{name}?host={self.socket}"

    def _sql(self, database, sql):
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as db:
            db.execute(sql)

    def new_database(self):
        """A fresh empty database (PostGIS and pg_trgm in it); its URL."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        self._sql("postgres", f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return self.url(name)

    def drop_database(self, url):
        name = url.rsplit("/", 1)[1].split("?")[0]
        with contextlib.suppress(Exception):
            self._sql("postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self):
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
