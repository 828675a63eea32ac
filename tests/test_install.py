"""Build the wheel, install it into a fresh venv, and use it from another folder."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_ships_templates_and_runs_from_anywhere(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True, cwd=tmp_path)
    [wheel] = dist.glob("outreach-*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.check_output([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                        text=True).strip())
    # The runtime dependencies come from this test environment (no network); outreach itself from the wheel.
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                    str(wheel)], check=True, capture_output=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "OUTREACH_HOME": str(tmp_path / "home"), "OUTREACH_CONFIG": str(tmp_path / "c.toml"),
           "PYTHONPATH": ""}
    exe = env_dir / "bin" / "outreach"

    def run(*args: str) -> str:
        done = subprocess.run([str(exe), *args], cwd=work, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    listing = run("templates")
    assert "intro" in listing and str(site / "outreach" / "templates" / "intro.html") in listing
    assert str(ROOT) not in listing
    run("init", "--name", "Sam Rivera", "--email", "sam@example.edu")
    out = run("send", "intro", "--to", "ada@example.com", "--name", "Ada", "--var", "topic=UX")
    assert "Dry run" in out and len(list((tmp_path / "home" / "outbox").glob("*.eml"))) == 1
    version = subprocess.run([str(python), "-m", "outreach", "--version"], cwd=work, env=env, capture_output=True,
                             text=True)
    assert "0.1.0" in version.stdout
