"""The moto server process of the local stack: ``python -m tools.stack.moto_server --port N``.

moto's WSGI app with our corrections applied, 12-digit access keys routed to their account, every AWS API call
counted and, when asked, a fraction of them faulted (``ENVOPS_STACK_FAULTS`` at start, ``/_envops/faults`` while it
runs), served by werkzeug like moto's own ``moto_server`` command.
"""

import argparse
import os
import signal
import sys

from werkzeug.serving import run_simple

from tools.stack.account_routing import AccountFromAccessKey
from tools.stack.call_counter import CallCounter
from tools.stack.fault_injection import FaultInjector, faults_from_environment, with_injected_resets
from tools.stack.fault_plan import FaultConfigError
from tools.stack.moto_corrections import (
    UnpinnedMotoError,
    apply_corrections,
    installed_moto_version,
    unpinned_allowed,
)


def build_app():
    faults = faults_from_environment()  # a bad spec stops the start before anything is loaded
    # AWS managed policies exist in every real account (roles attach e.g. AWSBackupServiceRolePolicyForBackup);
    # moto loads them only when asked, ~0.15 s per fake account that touches IAM.
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    # Corrections patch moto modules, so they go in before moto builds any backend.
    moto_version = installed_moto_version()
    applied = apply_corrections(moto_version, allow_unpinned=unpinned_allowed())
    print(f"moto {moto_version}, corrections applied: {', '.join(applied) or 'none'}", flush=True)

    from moto.server import DomainDispatcherApplication, create_backend_app

    # The counter sees the faulted calls too (AWS bills them); moto never sees them.
    return CallCounter(FaultInjector(AccountFromAccessKey(DomainDispatcherApplication(create_backend_app)), faults))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    try:
        app = build_app()
    except (UnpinnedMotoError, FaultConfigError) as error:
        print(error, file=sys.stderr)
        return 2

    from moto.server import MotoRequestHandler

    signal.signal(signal.SIGTERM, _stop)
    try:
        run_simple(args.host, args.port, app, threaded=True,
                   request_handler=with_injected_resets(MotoRequestHandler))
    finally:
        _stop_instance_servers()
    return 0


def _stop_instance_servers() -> None:
    """The PostgreSQL servers of this server's RDS instances stop with it."""
    from tools.stack import moto_fix_rds_postgres

    if moto_fix_rds_postgres.servers() is not None:
        moto_fix_rds_postgres.servers().stop_all()


def _stop(_signum, _frame) -> None:
    _stop_instance_servers()
    os._exit(0)  # pylint: disable=protected-access


if __name__ == "__main__":
    sys.exit(main())
