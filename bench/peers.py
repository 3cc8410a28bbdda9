"""What the benchmarks share: their data set, our server, the peer servers, a load driver.

- `bench_database(name, parcels=, seed=)`: a PostGIS database of its own holding the
  generator's city of N parcels, loaded with our importer; reused while its size, seed and the
  generator's version are the same (the load is stamped on the database only once complete).
- `start_ours(database_url, ...)`: our app served as `make serve` serves it (gunicorn's ASGI
  worker, a socket per worker, access log), on a free port, with a cache folder of its own.
- `start_tipg(database_url, tables=[...], ...)`: tipg (https://github.com/developmentseed/tipg),
  installed at a pinned version into its own virtualenv under var/peers/tipg (never into the
  app's .venv), served by uvicorn.
- `Server`: a running server in its own process group; `stop()` ends that group, and every
  server still running is stopped when the benchmark exits (normally, on an error, Ctrl-C or
  SIGTERM).
- `drive(...)`: threads with keep-alive `http.client` connections requesting a list of paths
  at a fixed concurrency, with each answer's status, size and latency;
  `drive_wrk(...)`: wrk (Debian's package, in C) doing the same for a time, for totals and
  percentiles at a third or less of the driver's CPU, so that the servers get the machine.
- `cpu_seconds(pids)`, `Server.pids()`, `backend_pids(url)`: CPU time used, to tell where the
  time of a pass went (the server's Python, PostgreSQL, the load driver).

The app's code runs from `app_dir`: this checkout by default, or `export_commit("HEAD")`, a
copy of the last commit under var/bench/, for a measurement that work in progress in a shared
checkout can neither break nor change.

    url = bench_database("urbanmgmt_bench_x", parcels=250_000, seed=765)
    with running(start_tipg(url, tables=["public.v"], log=BENCH_DIR / "tipg.log")) as tipg:
        result = drive(tipg.port, paths, concurrency=8)
"""

from __future__ import annotations

import atexit
import hashlib
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
BENCH_DIR = ROOT / "var" / "bench"
PEERS_DIR = ROOT / "var" / "peers"
PYTHON = sys.executable
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

TIPG_VERSION = "1.6.1"
UVICORN_VERSION = "0.54.0"  # with its "standard" extras (uvloop, httptools), as tipg's docs run it


# --- the app's code and the data set ------------------------------------------------------


def export_commit(commit: str = "HEAD") -> Path:
    """A copy of the app as of `commit`, made once into var/bench/app-<sha>/."""
    sha = subprocess.run(
        ["git", "rev-parse", "--short=12", commit],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    dest = BENCH_DIR / f"app-{sha}"
    if not (dest / "manage.py").exists():
        partial = BENCH_DIR / f"app-{sha}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "archive", "--format=tar", sha], cwd=ROOT, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(partial)], input=archive, check=True)
        partial.rename(dest)
    return dest


def base_database_url() -> str:
    return os.environ.get("DATABASE_URL", "postgis://urbanmgmt:urbanmgmt@127.0.0.1:5432/urbanmgmt")


def database_url(name: str) -> str:
    """The URL of database `name` on the app's server, with the app's credentials."""
    return urlparse(base_database_url())._replace(path=f"/{name}").geturl()


def conninfo(url: str) -> str:
    p = urlparse(url)
    return (
        f"host={p.hostname} port={p.port or 5432} dbname={p.path.lstrip('/')} "
        f"user={p.username} password={p.password or ''}"
    )


def postgres_url(url: str) -> str:
    """The same database as a plain postgresql:// URL, for clients that know no postgis://."""
    return urlparse(url)._replace(scheme="postgresql").geturl()


def generator_version(app_dir: Path = ROOT) -> str:
    """Files made by another version of the demo generator are not reused (as load_demo)."""
    return hashlib.sha256((app_dir / "fixtures" / "demo.py").read_bytes()).hexdigest()[:10]


def dataset_files(parcels: int, seed: int, app_dir: Path = ROOT) -> dict[str, Path]:
    """The generator's city of `parcels` parcels, made once into var/bench/."""
    out = BENCH_DIR / f"{parcels}-{seed}-{generator_version(app_dir)}"
    files = {kind: out / f"{kind}.gpkg" for kind in ("units", "parcels", "streets")}
    if not all(path.exists() for path in files.values()):
        print(f"Generating {parcels:,} parcels into {out} (once)…", flush=True)
        out.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                *(PYTHON, "-m", "fixtures.demo", "--out", str(out)),
                *("--parcels", str(parcels), "--seed", str(seed)),
            ],
            check=True,
            cwd=app_dir,
        )
    return files


def _stamp(parcels: int, seed: int, app_dir: Path) -> str:
    version = generator_version(app_dir)
    return f"urbanmgmt bench data set: parcels={parcels} seed={seed} generator={version}"


def _manage(args: list[str], *, url: str, app_dir: Path) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([PYTHON, "manage.py", *args], check=True, env=env, cwd=app_dir)


def bench_database(name: str, *, parcels: int, seed: int, app_dir: Path = ROOT) -> str:
    """The URL of database `name` holding the city of `parcels` parcels, loaded if need be.

    The database is created (or re-created) next to the app's, migrated, and loaded with
    `import_layer` (units, then parcels); its comment records what it holds once the load is
    complete, so an interrupted load is redone and a matching one is reused as it is.
    """
    import psycopg

    url = database_url(name)
    stamp = _stamp(parcels, seed, app_dir)
    with psycopg.connect(conninfo(base_database_url()), autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    if row is not None and row[0] == stamp:
        print(f"Database {name} already holds {parcels:,} parcels (seed {seed}): reused")
        _manage(["migrate", "-v", "0"], url=url, app_dir=app_dir)
        return url

    files = dataset_files(parcels, seed, app_dir)
    print(f"Creating database {name} and loading {parcels:,} parcels into it…", flush=True)
    with psycopg.connect(conninfo(base_database_url()), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    _manage(["migrate", "-v", "0"], url=url, app_dir=app_dir)
    for kind in ("units", "parcels"):
        started = time.perf_counter()
        _manage(["import_layer", kind, str(files[kind])], url=url, app_dir=app_dir)
        print(f"  {kind} loaded in {time.perf_counter() - started:.1f} s", flush=True)
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{stamp}'")
    return url


# --- CPU time -----------------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def cpu_seconds(pids: Iterable[int]) -> dict[int, float]:
    """User + system CPU time of each process still alive, in seconds."""
    times = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        times[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return times


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two `cpu_seconds` readings (a process new since counts whole)."""
    return sum(t - before.get(pid, 0.0) for pid, t in after.items())


def backend_pids(url: str) -> list[int]:
    """The PostgreSQL client backends connected to the database of `url` (parallel workers,
    which come and go within one query, are not among them)."""
    import psycopg

    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        rows = conn.execute(
            """SELECT pid FROM pg_stat_activity
               WHERE datname = current_database() AND backend_type = 'client backend'
                 AND pid <> pg_backend_pid()"""
        ).fetchall()
    return [pid for (pid,) in rows]


def _status_kib(pid: int, field_name: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


# --- servers ------------------------------------------------------------------------------

_RUNNING: list[Server] = []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A server we started, alone in its process group, logging into `log`."""

    name: str
    port: int
    process: subprocess.Popen
    log: Path
    ready_path: str = "/"
    log_file: IO[str] | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pids(self) -> list[int]:
        """The leader and all its descendants (master and workers)."""
        tree, found, todo = _children(), [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(tree.get(pid, []))
        return found

    def peak_rss_kib(self) -> tuple[int, int]:
        """(sum over its processes, largest single process) of their peak resident memory."""
        peaks = [_status_kib(pid, "VmHWM") for pid in self.pids()]
        return sum(peaks), max(peaks, default=0)

    def wait_ready(self, timeout: float = 180.0) -> None:
        """Until `ready_path` answers 200; fails with the log's end if the server dies."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited ({self.process.returncode}):\n{self.tail()}"
                )
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                conn.request("GET", self.ready_path)
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.25)
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f} s:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            except ProcessLookupError:
                pass
        if self.log_file is not None:
            self.log_file.close()
        if self in _RUNNING:
            _RUNNING.remove(self)


def _stop_all() -> None:
    for server in list(_RUNNING):
        server.stop()


def _on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


atexit.register(_stop_all)
if threading.current_thread() is threading.main_thread():
    signal.signal(signal.SIGTERM, _on_sigterm)


def _spawn(
    name: str,
    cmd: list[str],
    *,
    env: dict[str, str],
    cwd: Path,
    port: int,
    log: Path,
    ready_path: str,
) -> Server:
    log.parent.mkdir(parents=True, exist_ok=True)
    log_file = open(log, "w")  # closed by Server.stop
    process = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, ended as one
    )
    server = Server(name, port, process, log, ready_path, log_file)
    _RUNNING.append(server)
    return server


@contextmanager
def running(server: Server, timeout: float = 180.0) -> Iterator[Server]:
    """Wait until `server` is ready, yield it, stop it on the way out whatever happens."""
    try:
        server.wait_ready(timeout)
        yield server
    finally:
        server.stop()


def start_ours(
    database_url: str,
    *,
    var_dir: Path,
    workers: int = 2,
    threads: int = 4,
    ready_path: str = "/",
    app_dir: Path = ROOT,
    extra_env: dict[str, str] | None = None,
    extra_args: Sequence[str] = (),
) -> Server:
    """Our app as `make serve` runs it: gunicorn's ASGI worker on urbanmgmt.asgi, Django in
    `threads` threads of each worker (WSGI_THREADS), a listening socket per worker
    (--reuse-port), access log, 120 s timeout (`extra_args` go to gunicorn after those).

    `var_dir` becomes the app's URBANMGMT_VAR_DIR, so its file cache (tiles, layer versions)
    is `var_dir/cache`; it is emptied first, so the first requests are cold.
    """
    shutil.rmtree(var_dir / "cache", ignore_errors=True)
    var_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"CACHE_URL", "DEBUG"}}
    env.update(
        DATABASE_URL=database_url,
        URBANMGMT_VAR_DIR=str(var_dir),
        SECRET_KEY=secrets.token_urlsafe(32),
        WSGI_THREADS=str(threads),
        **(extra_env or {}),
    )
    cmd = gunicorn_command("urbanmgmt.asgi:application", port, workers, extra_args)
    log = var_dir / "server.log"
    return _spawn("ours", cmd, env=env, cwd=app_dir, port=port, log=log, ready_path=ready_path)


def gunicorn_command(
    app: str, port: int, workers: int, extra_args: Sequence[str] = ()
) -> list[str]:
    """gunicorn with `make serve`'s options (the ASGI worker, a listening socket per worker,
    access log, 120 s timeout) for the ASGI `app`, then `extra_args`."""
    return [
        str(VENV_BIN / "gunicorn"),
        app,
        *("--bind", f"127.0.0.1:{port}", "--worker-class", "asgi"),
        *("--workers", str(workers), "--reuse-port"),
        *("--access-logfile", "-", "--timeout", "120"),
        *extra_args,
    ]


def start_gunicorn(
    name: str,
    app: str,
    *,
    cwd: Path,
    log: Path,
    workers: int,
    extra_args: Sequence[str] = (),
    env: dict[str, str] | None = None,
) -> Server:
    """Another ASGI app under the same gunicorn as ours (bench/floor.py, say)."""
    port = free_port()
    cmd = gunicorn_command(app, port, workers, extra_args)
    return _spawn(
        name, cmd, env=env or dict(os.environ), cwd=cwd, port=port, log=log, ready_path="/"
    )


def tipg_python() -> Path:
    """tipg's own virtualenv (var/peers/tipg), made or brought to the pinned versions."""
    venv = PEERS_DIR / "tipg"
    python = venv / "bin" / "python"
    marker = venv / f"installed-tipg-{TIPG_VERSION}-uvicorn-{UVICORN_VERSION}"
    if marker.exists():
        return python
    print(f"Installing tipg {TIPG_VERSION} into {venv} (its own virtualenv, once)…", flush=True)
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [
            *(str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"),
            *(f"tipg=={TIPG_VERSION}", f"uvicorn[standard]=={UVICORN_VERSION}"),
        ],
        check=True,
    )
    marker.touch()
    return python


def start_tipg(
    database_url: str,
    *,
    tables: Sequence[str],
    log: Path,
    workers: int = 2,
    extra_env: dict[str, str] | None = None,
) -> Server:
    """tipg serving `tables` ("schema.name", tables or views) of the database, under uvicorn.

    Its catalogue is read once at start and not refreshed (TIPG_CATALOG_TTL=0): the data
    do not change during a benchmark, and a refresh would scan the tables mid-run. Functions
    are not published. Anything else is tipg's default unless `extra_env` says otherwise.
    """
    import json

    python = tipg_python()
    port = free_port()
    schemas = sorted({table.split(".", 1)[0] for table in tables})
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DATABASE_URL": postgres_url(database_url),
        "TIPG_DB_SCHEMAS": json.dumps(schemas),
        "TIPG_DB_TABLES": json.dumps(list(tables)),
        "TIPG_DB_FUNCTIONS": "[]",
        "TIPG_CATALOG_TTL": "0",
        **(extra_env or {}),
    }
    cmd = [str(python), "-m", "uvicorn", "tipg.main:app", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--workers", str(workers)]
    return _spawn("tipg", cmd, env=env, cwd=log.parent, port=port, log=log, ready_path="/healthz")


# --- load driver --------------------------------------------------------------------------


@dataclass
class Answer:
    path: str
    status: int  # 0 when the connection failed
    size: int  # bytes of the body as sent (gzipped if the server gzipped it)
    seconds: float
    body: bytes | None = None
    encoding: str = ""


@dataclass
class Pass:
    answers: list[Answer]
    seconds: float
    driver_cpu: float = 0.0  # CPU seconds of this process (the load driver) during the pass

    @property
    def rate(self) -> float:
        return len(self.answers) / self.seconds if self.seconds else 0.0

    def latency_ms(self, q: float) -> float:
        times = sorted(a.seconds for a in self.answers)
        if not times:
            return 0.0
        return 1000 * times[min(len(times) - 1, round(q * (len(times) - 1)))]

    def errors(self) -> list[Answer]:
        return [a for a in self.answers if a.status >= 300 or a.status == 0]

    @property
    def requests(self) -> int:
        return len(self.answers)

    @property
    def failed(self) -> int:
        return len(self.errors())


def drive(
    port: int,
    paths: Sequence[str],
    *,
    concurrency: int = 8,
    headers: dict[str, str] | None = None,
    keep_bodies: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Pass:
    """Request every path once, `concurrency` at a time, each thread on its own keep-alive
    connection (opened again when the server closes it, as gunicorn's sync workers do)."""
    headers = {"Accept-Encoding": "gzip", **(headers or {})}
    answers: list[Answer | None] = [None] * len(paths)
    lock = threading.Lock()
    state = {"next": 0, "done": 0}

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                i = state["next"]
                state["next"] += 1
            if i >= len(paths):
                break
            started = time.perf_counter()
            try:
                conn.request("GET", paths[i], headers=headers)
                response = conn.getresponse()
                body = response.read()
                status = response.status
                encoding = response.getheader("Content-Encoding", "")
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                body, status, encoding = b"", 0, ""
            elapsed = time.perf_counter() - started
            answers[i] = Answer(
                paths[i], status, len(body), elapsed, body if keep_bodies else None, encoding
            )
            with lock:
                state["done"] += 1
        conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    cpu_before = time.process_time()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    while alive := [thread for thread in threads if thread.is_alive()]:
        alive[0].join(timeout=1.0)
        if progress:
            progress(state["done"], len(paths))
    elapsed = time.perf_counter() - started
    driver_cpu = time.process_time() - cpu_before
    return Pass([a for a in answers if a is not None], elapsed, driver_cpu)


# --- a load driver in C: wrk ----------------------------------------------------------------

WRK = Path("/usr/bin/wrk")
_WRK_SCRIPT = """
-- Each thread walks the list of paths from its own offset; done() prints what we read back.
local paths, i = {}, 0
function setup(thread)
  thread:set("first", (__threads or 0)); __threads = (__threads or 0) + 1
end
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  i = first * 7919
  wrk.headers["Accept-Encoding"] = "gzip"
end
function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "requests %d\\nmicroseconds %d\\np50 %d\\np95 %d\\np99 %d\\nfailed %d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.status + e.connect + e.read + e.write + e.timeout))
end
"""


def wrk() -> Path:
    """wrk, from Debian's package (installed once, as root, like the other peers' tools)."""
    if not WRK.exists():
        print("Installing wrk from Debian's packages (once)…", flush=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "wrk"],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            stdout=subprocess.DEVNULL,
        )
    return WRK


@dataclass
class Load:
    """What wrk measured of a pass: its totals and latency percentiles, not each answer."""

    requests: int
    seconds: float
    percentiles_ms: dict[float, float]
    failed: int
    driver_cpu: float = 0.0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def latency_ms(self, q: float) -> float:
        return self.percentiles_ms[q]


def drive_wrk(port: int, paths: Sequence[str], *, concurrency: int, seconds: float) -> Load:
    """`concurrency` keep-alive connections requesting `paths` round and round for `seconds`,
    from wrk (one thread: the driver should take as little of the machine as it can)."""
    import resource
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as folder:
        script, listing = Path(folder) / "paths.lua", Path(folder) / "paths.txt"
        script.write_text(_WRK_SCRIPT)
        listing.write_text("\n".join(paths) + "\n")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            [
                *(str(wrk()), "--threads", "1", "--connections", str(concurrency)),
                *("--duration", f"{max(1, round(seconds))}s", "--timeout", "60s"),
                *("--script", str(script), f"http://127.0.0.1:{port}", "--", str(listing)),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    values = dict(
        (name, int(value))
        for name, value in (
            line.split() for line in done.stdout.splitlines() if line.count(" ") == 1
        )
        if name in {"requests", "microseconds", "p50", "p95", "p99", "failed"}
    )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Load(
        requests=values["requests"],
        seconds=values["microseconds"] / 1e6,
        percentiles_ms={q: values[f"p{round(q * 100)}"] / 1000 for q in (0.5, 0.95, 0.99)},
        failed=values["failed"],
        driver_cpu=cpu,
    )
