"""python -m tools.stack start|stop|status|env|faults: the local moto server and PostgreSQL 15.

    start [--faults SPEC]   start what is not running; with a fault spec (or ENVOPS_STACK_FAULTS), inject faults
    faults [--set SPEC | --clear] [--json]   the faults injected by the running stack, changed while it runs

SPEC: rate=0.1,kinds=throttle+5xx,seed=7[,services=kms+s3][,operations=kms:ListKeyPolicies][,delay=2]
(kinds: throttle, 5xx, reset, slow; docs/local-stack.md, "Fault injection").
"""

import argparse
import json
import shlex
import sys
import urllib.error

from tools.stack import launcher
from tools.stack.fault_injection import ENVIRONMENT_VARIABLE, faults_from_environment
from tools.stack.fault_plan import FaultConfigError, format_spec, parse_spec
from tools.stack.moto_corrections import UnpinnedMotoError
from tools.stack.moto_process import MotoStartError
from tools.stack.paths import StackPaths
from tools.stack.postgres import PostgresError
from tools.stack.state import FaultConfigRefused, clear_faults, faults, set_faults


def print_status(paths: StackPaths, health: launcher.Health) -> None:
    moto = f"running  {health.moto_url}  (pid {health.moto_pid})" if health.moto_up else "stopped"
    pg = f"running  127.0.0.1:{health.pg_port}  (user postgres)" if health.pg_up else "stopped"
    print(f"moto server  {moto}\npostgresql   {pg}\nstate dir    {paths.state_dir}")
    if health.moto_up:
        try:
            print(f"faults       {describe_config(faults(health.moto_url)['config'])}")
        except (OSError, ValueError) as error:  # a server started by an older checkout has no /_envops/faults
            print(f"faults       unknown ({error}): `python -m tools.stack stop` and start again")


def describe_config(config: dict | None) -> str:
    return "off" if config is None else format_spec(config)


def print_faults(report: dict) -> None:
    injected = report["injected"]
    kinds = ", ".join(f"{kind}={count}" for kind, count in injected["by_kind"].items())
    actions = ", ".join(f"{action}={count}" for action, count in injected["by_action"].items())
    print(f"faults       {describe_config(report['config'])}")
    print(f"injected     {injected['total']}" + (f"  ({kinds})" if kinds else ""))
    if actions:
        print(f"by action    {actions}")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m tools.stack", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="start|stop|status|env|faults")
    start = commands.add_parser("start", help="start what is not already running")
    start.add_argument("--faults", metavar="SPEC",
                       help=f"inject faults (also when already running); default: ${ENVIRONMENT_VARIABLE}")
    for name in ("stop", "status", "env"):
        commands.add_parser(name)
    fault_command = commands.add_parser("faults", help="show or change the faults of the running stack")
    change = fault_command.add_mutually_exclusive_group()
    change.add_argument("--set", metavar="SPEC", help="inject these faults from now on (counts start again at 0)")
    change.add_argument("--clear", action="store_true", help="inject no more faults (the counts stay readable)")
    fault_command.add_argument("--json", action="store_true", help="print the configuration and counts as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    paths = StackPaths.resolve()

    if args.command == "start":
        try:
            fault_config = parse_spec(args.faults) if args.faults is not None else faults_from_environment()
        except FaultConfigError as error:
            print(f"local stack: faults: {error}", file=sys.stderr)
            return 2
        try:
            with launcher.exclusive(paths):
                health = launcher.start(paths)
        except (UnpinnedMotoError, MotoStartError, PostgresError) as error:
            print(f"local stack: {error}", file=sys.stderr)
            return 1
        if fault_config is not None:  # also when it was running already: start is idempotent
            try:
                set_faults(health.moto_url, **fault_config)
            except urllib.error.HTTPError as error:
                print(f"local stack: faults not set ({error}): `python -m tools.stack stop` and start again",
                      file=sys.stderr)
                return 1
        print_status(paths, health)
        return 0
    if args.command == "stop":
        with launcher.exclusive(paths):
            launcher.stop(paths)
        print(f"local stack stopped (logs and PostgreSQL data kept in {paths.state_dir})")
        return 0

    health = launcher.check_health(paths)
    if args.command == "status":
        print_status(paths, health)
        return 0 if health.moto_up and health.pg_up else launcher.EXIT_NOT_RUNNING
    if args.command == "faults":
        return faults_command(health, args)
    if not (health.moto_up and health.pg_up):
        print("local stack is not running: run `make stack-up`", file=sys.stderr)
        return launcher.EXIT_NOT_RUNNING
    for name, value in launcher.env_exports(paths, health).items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


def faults_command(health: launcher.Health, args) -> int:
    if not health.moto_up:
        print("local stack is not running: run `make stack-up`", file=sys.stderr)
        return launcher.EXIT_NOT_RUNNING
    try:
        if args.set is not None:
            config = parse_spec(args.set)
            report = set_faults(health.moto_url, **config)
        elif args.clear:
            report = clear_faults(health.moto_url)
        else:
            report = faults(health.moto_url)
    except (FaultConfigError, FaultConfigRefused) as error:
        print(f"local stack: faults: {error}", file=sys.stderr)
        return 2
    except urllib.error.HTTPError as error:
        print(f"local stack: faults: {error}: `python -m tools.stack stop` and start again", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_faults(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
