"""Tests marked `docker` start real containers; they are skipped where no engine answers."""

import pytest


def _engine_available() -> bool:
    try:
        import docker

        docker.from_env().ping()
        return True
    except Exception:
        return False


def pytest_collection_modifyitems(config, items):
    docker_items = [item for item in items if item.get_closest_marker("docker")]
    if docker_items and not _engine_available():
        skip = pytest.mark.skip(reason="no Docker engine on this machine (scripts/provision.sh installs one)")
        for item in docker_items:
            item.add_marker(skip)
