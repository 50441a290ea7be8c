"""Every context attribute steps and hooks use is declared, with its owner, in harness/world.py."""

from __future__ import annotations

import re

from harness import world
from harness.settings import REPO_ROOT

USE = re.compile(r"\bcontext\.([a-z_]+)")


def test_every_context_attribute_is_declared():
    sources = [*sorted((REPO_ROOT / "steps").glob("*.py")), REPO_ROOT / "environment.py",
               *sorted((REPO_ROOT / "harness").glob("*.py"))]
    used = {(name, path.name) for path in sources for name in USE.findall(path.read_text(encoding="utf-8"))}
    undeclared = sorted(f"context.{name} ({where})" for name, where in used if name not in world.declared())
    assert not undeclared, "declare these in harness/world.py: " + ", ".join(undeclared)


def test_hooks_alone_set_the_tenant_and_clients():
    assignment = re.compile(r"\bcontext\.(me|admin|gateway|db|mongo|endpoints|stack)\s*=")
    offenders = [path.name for path in sorted((REPO_ROOT / "steps").glob("*.py"))
                 if assignment.search(path.read_text(encoding="utf-8"))]
    assert not offenders, f"steps must not set the tenant or the clients (hooks do): {offenders}"
