"""Exit 1 with a message when something already listens on HOST PORT (`make serve` checks).

gunicorn runs with --reuse-port, so a second server started on a port that one is serving
would not fail: the kernel would share the connections between them. Binding a plain socket
(no SO_REUSEPORT) fails while any server listens there, whatever its options."""

import socket
import sys


def main() -> int:
    host, port = sys.argv[1], int(sys.argv[2])
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        # Connections of an earlier server left in TIME_WAIT do not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            print(
                f"Port {port} on {host} is in use ({exc.strerror}): another server is running "
                f"there. Stop it, or choose another port: make serve PORT=8001",
                file=sys.stderr,
            )
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
