"""The containers' health probe: exit 0 when GET http://127.0.0.1:PORT/PATH answers 200.

    python -I -S healthprobe.py PORT PATH

Docker runs it every second in each HTTP service, so it must cost little: `-S` skips site
packages (and the coverage hook they carry), and a raw socket stands in for urllib, whose imports
alone took ~130 ms a probe (with two such probes, 0.3 of a core on a 2-core machine).
"""

import socket
import sys


def probe(port: int, path: str) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
            conn.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
            head = b""
            while len(head) < 12 and (chunk := conn.recv(64)):
                head += chunk
    except OSError:
        return False
    return head[:5] == b"HTTP/" and head[9:12] == b"200"  # "HTTP/1.1 200 OK"


if __name__ == "__main__":
    sys.exit(0 if probe(int(sys.argv[1]), sys.argv[2]) else 1)
