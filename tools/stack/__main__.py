"""python -m tools.stack start|stop|status|env: the local moto server and PostgreSQL 15."""

import argparse
import shlex
import sys

from tools.stack import launcher
from tools.stack.moto_corrections import UnpinnedMotoError
from tools.stack.moto_process import MotoStartError
from tools.stack.paths import StackPaths
from tools.stack.postgres import PostgresError


def print_status(paths: StackPaths, health: launcher.Health) -> None:
    moto = f"running  {health.moto_url}  (pid {health.moto_pid})" if health.moto_up else "stopped"
    pg = f"running  127.0.0.1:{health.pg_port}  (user postgres)" if health.pg_up else "stopped"
    print(f"moto server  {moto}\npostgresql   {pg}\nstate dir    {paths.state_dir}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.stack", description=__doc__)
    parser.add_argument("command", choices=["start", "stop", "status", "env"])
    command = parser.parse_args(argv).command
    paths = StackPaths.resolve()

    if command == "start":
        try:
            with launcher.exclusive(paths):
                health = launcher.start(paths)
        except (UnpinnedMotoError, MotoStartError, PostgresError) as error:
            print(f"local stack: {error}", file=sys.stderr)
            return 1
        print_status(paths, health)
        return 0
    if command == "stop":
        with launcher.exclusive(paths):
            launcher.stop(paths)
        print(f"local stack stopped (logs and PostgreSQL data kept in {paths.state_dir})")
        return 0

    health = launcher.check_health(paths)
    if command == "status":
        print_status(paths, health)
        return 0 if health.moto_up and health.pg_up else launcher.EXIT_NOT_RUNNING
    if not (health.moto_up and health.pg_up):
        print("local stack is not running: run `make stack-up`", file=sys.stderr)
        return launcher.EXIT_NOT_RUNNING
    for name, value in launcher.env_exports(paths, health).items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
