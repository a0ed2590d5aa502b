"""``python -m tools.faulttest [--short]``: see the package's docstring."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys

import tools.faulttest
from tools.faulttest.harness import FULL, SHORT, Harness


def main() -> int:
    parser = argparse.ArgumentParser(description=tools.faulttest.__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="the five-minute profile (also FAULTTEST_PROFILE=short)")
    parser.add_argument("--redis-port", type=int, default=int(os.environ.get("FAULTTEST_REDIS_PORT", 6391)))
    parser.add_argument("--web-port", type=int, default=int(os.environ.get("FAULTTEST_WEB_PORT", 8111)))
    parser.add_argument("--keep-db", action="store_true", help="keep the throwaway database for a look afterwards")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        print("faulttest needs PostgreSQL: set DATABASE_URL=postgres://... (SQLite cannot run it)", file=sys.stderr)
        return 2
    for tool in ("redis-server", "redis-cli"):
        if shutil.which(tool) is None:
            print(f"faulttest needs {tool} on the PATH", file=sys.stderr)
            return 2
    short = args.short or os.environ.get("FAULTTEST_PROFILE") == "short"
    harness = Harness(
        SHORT if short else FULL,
        database_url=database_url,
        redis_port=args.redis_port,
        web_port=args.web_port,
        keep=args.keep_db,
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the finally block stops every process
    return 0 if harness.run() else 1


if __name__ == "__main__":
    sys.exit(main())
