import os
import socket
import subprocess

from harness.cleanup import _owner_alive, owner_id


def test_our_own_process_is_alive():
    assert _owner_alive(owner_id())


def test_a_finished_process_on_this_host_is_dead():
    proc = subprocess.Popen(["true"])
    proc.wait()
    assert not _owner_alive(f"{socket.gethostname()}:{proc.pid}")


def test_kept_stacks_manual_stacks_and_other_hosts_are_never_judged_stale():
    assert _owner_alive("keep")
    assert _owner_alive("manual")
    assert _owner_alive(f"another-host-{os.getpid()}:1")
