"""The workflow keeps up by itself: every feature file belongs to a shard, the workflow takes its
matrix from the shard file, and (where actionlint is installed) the workflow lints clean."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import shards  # noqa: E402 - scripts/ is not a package

WORKFLOW = ROOT / ".github" / "workflows" / "acceptance.yml"


def test_every_feature_belongs_to_exactly_one_shard():
    assert shards.unassigned() == [], "a feature file runs in no shard: extend .github/shards.json"
    files = [name for names in shards.assign().values() for name in names]
    assert len(files) == len(set(files)) == len(list((ROOT / "features").glob("*.feature")))


def test_a_new_feature_lands_in_a_shard_without_editing_anything(tmp_path):
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "brand_new.feature").write_text("@integration @INT-099\nFeature: new\n")
    (tmp_path / "features" / "flaky_things.feature").write_text("@integration @fault\nFeature: breaks\n")
    assigned = shards.assign(tmp_path)
    assert "features/brand_new.feature" in assigned["platform"]  # the last shard takes the rest
    assert "features/flaky_things.feature" in assigned["faults"]  # by the tag on its Feature line


def test_the_check_catches_a_feature_no_shard_takes(tmp_path):
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "orphan.feature").write_text("@integration\nFeature: orphan\n")
    narrow = [{"name": "runs", "glob": ["features/run_*.feature"]}]
    assert shards.unassigned(tmp_path, narrow) == ["features/orphan.feature"]


def test_the_workflow_takes_its_matrix_from_the_shard_file():
    text = WORKFLOW.read_text()
    assert "scripts/shards.py --matrix" in text
    assert text.count("fromJSON(needs.plan.outputs.shards)") == 2  # local stacks and staging
    assert "features/run_lifecycle.feature" not in text, "no feature file is named in the workflow"
    matrix = json.loads(subprocess.run([sys.executable, "scripts/shards.py", "--matrix"], cwd=ROOT,
                                       capture_output=True, text=True, check=True).stdout)
    assert {shard["name"] for shard in matrix} == {"faults", "runs", "failures", "uploads", "platform"}


ACTIONLINT = shutil.which("actionlint") or str(ROOT / ".tools" / "bin" / "actionlint")


@pytest.mark.skipif(not Path(ACTIONLINT).exists(), reason="actionlint not installed (scripts/setup.sh, with Go)")
def test_the_workflow_passes_actionlint():
    proc = subprocess.run([ACTIONLINT, "-no-color", str(WORKFLOW)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
