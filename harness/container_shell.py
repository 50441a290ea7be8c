"""A shell kept running in a container, for commands the suite runs there often.

An exec costs the machine ~0.06 CPU-seconds (dockerd, containerd and runc set each one up),
and the suite looks into the upload store ~105 times a run. One `sh` started once per container
reads the command lines on its stdin instead: a look is then a fork inside the container. The
exec's output comes back in Docker's multiplexed frames (8-byte header: stream, size).
"""

from __future__ import annotations

import contextlib
import select
import shlex
import socket
import struct
import threading
import time
import uuid


class ShellError(RuntimeError):
    """The shell did not answer (gone with its container, or silent past the deadline)."""


class ContainerShell:
    def __init__(self, container, timeout: float = 15) -> None:
        api = container.client.api
        exec_id = api.exec_create(container.id, ["sh"], stdin=True, stdout=True, stderr=True)["Id"]
        self._sock: socket.socket = api.exec_start(exec_id, socket=True)._sock
        self._timeout = timeout
        self._lock = threading.Lock()

    def run(self, argv: list[str]) -> tuple[int, str]:
        """Exit code and output (stdout and stderr together) of one command."""
        marker = uuid.uuid4().hex.encode()
        line = " ".join(shlex.quote(arg) for arg in argv) + f' 2>&1; echo "{marker.decode()} $?"\n'
        with self._lock:
            deadline = time.monotonic() + self._timeout
            self._sock.sendall(line.encode())
            output = b""
            while not ((at := output.find(marker)) >= 0 and output.endswith(b"\n", at)):
                output += self._frame(deadline)
        code = int(output[at + len(marker):].strip())
        return code, output[:at].decode(errors="replace")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.close()

    def _frame(self, deadline: float) -> bytes:
        _stream, size = struct.unpack(">BxxxL", self._exactly(8, deadline))
        return self._exactly(size, deadline)

    def _exactly(self, size: int, deadline: float) -> bytes:
        data = b""
        while len(data) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._sock], [], [], remaining)[0]:
                raise ShellError(f"no answer within {self._timeout:g} s")
            chunk = self._sock.recv(size - len(data))
            if not chunk:
                raise ShellError("the shell is gone (its container stopped or restarted)")
            data += chunk
        return data
