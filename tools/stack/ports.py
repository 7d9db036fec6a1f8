"""Free TCP ports on 127.0.0.1."""

import socket
from contextlib import ExitStack


def pick_free_ports(preferred: list[int | None]) -> list[int]:
    """One free port per entry, reusing the preferred port when it is free.

    All sockets stay bound until every port is chosen, so two services started together never
    receive the same port.
    """
    ports = []
    with ExitStack() as bound:
        for wanted in preferred:
            sock = bound.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            # Like the servers will: a port whose old connections linger in TIME_WAIT is still usable.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", wanted or 0))
            except OSError:
                sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
    return ports


def read_port(path) -> int | None:
    """The port recorded in a port file, or None when absent or unreadable."""
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None
