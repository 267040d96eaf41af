"""Shared plumbing for the benchmarks: throwaway databases, a granian server, wrk, results.

Nothing here imports Django: each database gets its own environment, and Django-side
steps (migrate, seed, count) run in subprocesses (`python -m bench.djangoside ...`), so one
benchmark process can measure SQLite and PostgreSQL one after the other.

Everything is bounded: servers are stopped (SIGTERM, then SIGKILL of their own process
group after a timeout) in `finally` blocks, every load run has a fixed duration or count,
and all traffic goes to 127.0.0.1.
"""

import contextlib
import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
HOST = "127.0.0.1"
POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def executable(name: str) -> str:
    """A tool from the project's virtualenv (next to this Python), else from PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} is not installed (see bench/README.md)")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# --- databases -------------------------------------------------------------------------

@dataclass
class Database:
    """A throwaway database and the environment that points Chorus at it."""

    vendor: str  # "sqlite" | "postgresql"
    env: dict
    label: str
    cleanup: list = field(default_factory=list)

    def close(self) -> None:
        for step in reversed(self.cleanup):
            try:
                step()
            except Exception as error:  # cleanup must not hide the benchmark's own error
                log(f"cleanup of {self.label} failed: {error}")


def base_env(secret_key: str | None = None) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_URL", "CHORUS_", "GRANIAN_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": secret_key or secrets.token_urlsafe(50),
        "DEBUG": "false",
        "CHORUS_TESTING": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    return env


def sqlite_database() -> Database:
    directory = tempfile.mkdtemp(prefix="chorus-bench-")
    env = base_env()
    env["CHORUS_SQLITE_PATH"] = str(Path(directory) / "chorus.sqlite3")
    return Database("sqlite", env, "SQLite (WAL, temp file)", cleanup=[lambda: shutil.rmtree(directory, ignore_errors=True)])


def postgres_reachable() -> str:
    """"" when PostgreSQL answers on 127.0.0.1:5432, else the reason it does not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except Exception as error:
        return f"PostgreSQL did not answer at {POSTGRES_ADMIN_URL}: {str(error).strip()[:200]}"
    return ""


def postgres_database() -> Database:
    import psycopg

    name = f"chorus_bench_{secrets.token_hex(4)}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    env = base_env()
    env["DATABASE_URL"] = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3) as connection:
        version = connection.info.server_version
    label = f"PostgreSQL {version // 10000}.{version % 10000} (127.0.0.1, temp database)"
    return Database("postgresql", env, label, cleanup=[drop])


def databases(wanted: str) -> list:
    """The databases to measure: "sqlite", "postgresql" or "all" (PostgreSQL when reachable)."""
    chosen = []
    if wanted in ("sqlite", "all"):
        chosen.append("sqlite")
    if wanted in ("postgresql", "all"):
        reason = postgres_reachable()
        if reason:
            log(f"skipping PostgreSQL: {reason}")
            if wanted == "postgresql":
                raise SystemExit(reason)
        else:
            chosen.append("postgresql")
    return chosen


def open_database(vendor: str) -> Database:
    return sqlite_database() if vendor == "sqlite" else postgres_database()


def django_step(database: Database, *args: str, timeout: float = 600) -> dict:
    """Run `python -m bench.djangoside ARGS` against the database; returns its JSON output."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench.djangoside", *args], cwd=REPO, env=database.env,
        capture_output=True, text=True, timeout=timeout,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"bench.djangoside {' '.join(args)} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def migrate(database: Database) -> None:
    completed = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], cwd=REPO, env=database.env,
        capture_output=True, text=True, timeout=600,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"migrate failed:\n{completed.stderr[-3000:]}")


# --- the server ------------------------------------------------------------------------

@dataclass
class ServerSettings:
    workers: int = 2
    blocking_threads: int = 1
    runtime_threads: int = 1
    backpressure: int | None = None
    extra: tuple = ()

    def args(self) -> list:
        args = ["--workers", str(self.workers), "--blocking-threads", str(self.blocking_threads),
                "--runtime-threads", str(self.runtime_threads)]
        if self.backpressure:
            args += ["--backpressure", str(self.backpressure)]
        return args + list(self.extra)

    def describe(self) -> dict:
        return {"server": "granian", "interface": "wsgi", "workers": self.workers,
                "blocking_threads_per_worker": self.blocking_threads, "runtime_threads_per_worker": self.runtime_threads,
                "backpressure": self.backpressure, "access_log": False, "http": "1", "extra_args": list(self.extra)}


class Server:
    """`granian --interface wsgi APP` on a free loopback port, in its own process group."""

    def __init__(self, app: str, env: dict, settings: ServerSettings, log_path: Path):
        self.app, self.env, self.settings, self.log_path = app, dict(env), settings, log_path
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.stop_seconds: float | None = None
        self.exit_code: int | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, ready_path: str = "/", timeout: float = 60) -> "Server":
        self.env["CHORUS_BASE_URL"] = self.url
        command = [executable("granian"), "--interface", "wsgi", "--host", HOST, "--port", str(self.port),
                   "--http", "1", "--no-access-log", "--log-level", "warning", *self.settings.args(), self.app]
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(command, cwd=REPO, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        try:
            self._wait_ready(ready_path, timeout)
        except BaseException:
            self.stop(timeout=10)
            raise
        return self

    def _wait_ready(self, ready_path: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"granian exited with {self.process.returncode}; see {self.log_path}")
            try:
                # http.client never follows a redirect: nothing leaves the loopback
                connection = http.client.HTTPConnection(HOST, self.port, timeout=2)
                connection.request("GET", ready_path)
                connection.getresponse().read()
                connection.close()
                return  # any HTTP answer means the workers are serving
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"granian did not answer within {timeout:.0f}s; see {self.log_path}")

    def stop(self, timeout: float = 60) -> None:
        """Graceful stop (SIGTERM to granian, which stops its workers); SIGKILL after `timeout`."""
        if self.process is None:
            return
        try:
            if self.process.poll() is None:
                started = time.monotonic()
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.exit_code = self.process.wait(timeout=timeout)
                    self.stop_seconds = round(time.monotonic() - started, 3)
                except subprocess.TimeoutExpired:
                    log(f"granian did not stop within {timeout:.0f}s: killing its process group")
            else:
                self.exit_code = self.process.returncode
        finally:
            # a worker that outlived granian would keep the port: end the process group we started
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
            if self.process.poll() is None:
                self.process.wait(timeout=10)
            self._log.close()

    def cpu_seconds(self) -> float:
        """User + system CPU time of granian's processes so far (workers included)."""
        pids = [self.process.pid, *self.worker_pids()] if self.process else []
        return sum(process_cpu_seconds(pid) for pid in pids)

    def worker_pids(self) -> list:
        if self.process is None:
            return []
        completed = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True)
        return [int(pid) for pid in completed.stdout.split()]

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of one process, from /proc (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- wrk -------------------------------------------------------------------------------

@dataclass
class WrkSettings:
    connections: int = 64
    threads: int = 2
    duration_s: int = 20
    timeout_s: int = 5

    def describe(self) -> dict:
        return {"tool": "wrk", "connections": self.connections, "threads": self.threads,
                "duration_s": self.duration_s, "timeout_s": self.timeout_s}


def run_wrk(url: str, paths_file: Path, settings: WrkSettings, out_path: Path) -> dict:
    """Run wrk with bench/redirect.lua; returns its JSON summary (see the script)."""
    env = dict(os.environ, BENCH_WRK_OUT=str(out_path), BENCH_PATHS=str(paths_file))
    with contextlib.suppress(FileNotFoundError):
        out_path.unlink()
    command = [executable("wrk"), "-t", str(settings.threads), "-c", str(settings.connections),
               "-d", f"{settings.duration_s}s", "--timeout", f"{settings.timeout_s}s", "--latency",
               "-s", str(REPO / "bench" / "redirect.lua"), url]
    completed = subprocess.run(command, env=env, capture_output=True, text=True,
                               timeout=settings.duration_s + settings.timeout_s + 60)
    if completed.returncode != 0 or not out_path.exists():
        raise RuntimeError(f"wrk failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    result = json.loads(out_path.read_text())
    result["wrk_summary"] = completed.stdout.strip()
    return result


# --- results ---------------------------------------------------------------------------

def machine() -> dict:
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "load_average_at_end": [round(value, 2) for value in load] if load else None}


def write_result(name: str, payload: dict, *, print_only: bool = False) -> Path | None:
    """bench/results/<name>.json with the run's time and machine; with print_only, stdout instead."""
    payload = {"benchmark": name, "measured_at": datetime.now(UTC).isoformat(timespec="seconds"), **payload,
               "machine": machine()}
    if print_only:
        print(json.dumps(payload, indent=2))
        return None
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n")
    log(f"wrote {path.relative_to(REPO)}")
    return path
