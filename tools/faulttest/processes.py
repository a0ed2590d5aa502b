"""The processes the fault test starts, and the throwaway database it runs on."""

from __future__ import annotations

import os
import signal
import subprocess
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent


class Processes:
    """Every process the harness starts, each in its own process group, so stopping it stops its children."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: dict[str, subprocess.Popen] = {}

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started[name] = process
        return process

    def stop(self, name: str, sig: int = signal.SIGTERM, wait: float = 15) -> None:
        process = self.started.pop(name, None)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass

    def stop_all(self) -> None:
        for name in list(self.started):
            self.stop(name)

    def pids(self, prefix: str) -> list[int]:
        return [p.pid for name, p in self.started.items() if name.startswith(prefix) and p.poll() is None]


def descendants(roots: list[int]) -> set[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    found = set(roots)
    grew = True
    while grew:
        grew = False
        for pid, ppid in parents.items():
            if ppid in found and pid not in found:
                found.add(pid)
                grew = True
    return found


def pid_of_client(client_port: int, server_port: int, candidates: set[int]) -> int | None:
    """Which of ``candidates`` owns the TCP connection from ``client_port`` to ``server_port`` (Linux /proc)."""
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            parts = line.split()
            local, remote = parts[1], parts[2]
            if int(local.rsplit(":", 1)[1], 16) == client_port and int(remote.rsplit(":", 1)[1], 16) == server_port:
                inode = parts[9]
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for pid in candidates:
        for fd in Path(f"/proc/{pid}/fd").glob("*"):
            try:
                if os.readlink(fd) == target:
                    return pid
            except OSError:
                continue
    return None


# --- The database -----------------------------------------------------------------------------------


def throwaway_database(url: str) -> tuple[str, str]:
    """(admin URL, throwaway URL): a database named after DATABASE_URL's with ``_faulttest`` appended."""
    parsed = urllib.parse.urlsplit(url)
    name = parsed.path.lstrip("/") or "clinic"
    throwaway = parsed._replace(path=f"/{name}_faulttest").geturl()
    admin = parsed._replace(path="/postgres").geturl()
    return admin, throwaway


def sql(url: str, statement: str, *params: Any) -> list[tuple]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cursor:
        cursor.execute(statement, params or None)
        return cursor.fetchall() if cursor.description else []
