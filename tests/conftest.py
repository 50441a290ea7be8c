"""Make the services' packages importable for their unit tests (pyproject also sets pythonpath)."""

import sys
from pathlib import Path

SERVICES = str(Path(__file__).resolve().parent.parent / "services")
if SERVICES not in sys.path:
    sys.path.insert(0, SERVICES)
