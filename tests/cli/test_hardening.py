"""Bad input through the CLI: a clear message naming file and line, exit 1 (2 for usage), no
traceback, and nothing hung on."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lapsefile.cli.main import cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HEAD = 'version: 1\nframes: "photos/*.jpg"\noutputs: [{path: out/a.mp4}]\n'


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def validate(runner: CliRunner, text: str) -> Result:
    Path("lapse.yaml").write_text(text, encoding="utf-8")
    return runner.invoke(cli, ["validate", "lapse.yaml"])


def assert_clean_failure(result: Result, code: int = 1) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert "internal error" not in result.output


class TestYamlLimits:
    def test_billion_laughs(self, runner: CliRunner, project: Path) -> None:
        lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        lines += [f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 9) + "]" for n in range(1, 9)]
        started = time.perf_counter()
        result = validate(runner, HEAD + "\n".join(lines) + "\n")
        assert time.perf_counter() - started < 0.8
        assert_clean_failure(result)
        assert "lapse.yaml:8:10: error: the aliases (*name) in this file repeat more than" \
            in result.output
        assert "1 error(s); nothing was run" in result.output

    def test_recursive_alias(self, runner: CliRunner, project: Path) -> None:
        result = validate(runner, "version: 1\nframes: &a [photos, *a]\n")
        assert_clean_failure(result)
        assert "lapse.yaml:2:21: error: the alias *a is inside the value of its own anchor" \
            in result.output

    def test_5_mb_spec(self, runner: CliRunner, project: Path) -> None:
        result = validate(runner, HEAD + "# padding\n" * (512 * 1024))
        assert_clean_failure(result)
        assert "lapse.yaml:1:1: error: the file is 5.0 MiB; a lapse.yaml is at most 1 MiB" \
            in result.output

    def test_deep_nesting(self, runner: CliRunner, project: Path) -> None:
        result = validate(runner, "version: 1\nframes: " + "[" * 5000 + "]" * 5000 + "\n")
        assert_clean_failure(result)
        assert "lapse.yaml:2:58: error: the YAML nests more than 50 levels deep" in result.output


class TestManyDiagnostics:
    def test_200_errors_print_50_and_a_count(self, runner: CliRunner, project: Path) -> None:
        unknown = "".join(f"unknown_{n:03d}: 1\n" for n in range(200))
        result = validate(runner, HEAD + unknown)
        assert_clean_failure(result)
        assert result.output.count(": error: unknown key") == 50
        assert "unknown_049" in result.output and "unknown_050" not in result.output
        assert "... and 150 more" in result.output
        assert "200 error(s); nothing was run" in result.output

    def test_json_carries_them_all(self, runner: CliRunner, project: Path) -> None:
        Path("lapse.yaml").write_text(HEAD + "".join(f"k{n}: 1\n" for n in range(200)),
                                      encoding="utf-8")
        result = runner.invoke(cli, ["validate", "lapse.yaml", "--json"])
        assert_clean_failure(result)
        assert result.stdout.count('"unknown key') == 200
        assert "150 more" in result.stderr


class TestHexSizes:
    @pytest.mark.parametrize("written, number", [("0x0", 0), ("0x10", 16)])
    def test_hex_size(self, runner: CliRunner, project: Path, written: str, number: int
                      ) -> None:
        result = validate(runner, "version: 1\nframes: photos/*.jpg\noutputs:\n"
                                  f"  - path: out/a.mp4\n    size: {written}\n")
        assert_clean_failure(result)
        assert f"lapse.yaml:5:11: error: {written} was read as the number {number}" \
            in result.output
        assert 'write sizes like "1920x1080" in quotes' in result.output


class TestContradictoryOptions:
    def test_locked_force_is_a_usage_error(self, runner: CliRunner, tmp_path: Path) -> None:
        made = shutil.ignore_patterns("out", "lapse.lock", ".lapsefile")
        spec = Path(shutil.copytree(EXAMPLES / "sunset", tmp_path / "sunset",
                                    ignore=made)) / "lapse.yaml"
        result = runner.invoke(cli, ["run", str(spec), "--locked", "--force"])
        assert_clean_failure(result, code=2)  # click's exit code for a usage error
        assert "--locked and --force cannot be used together" in result.output
        assert "lock" not in result.output.split("Error:")[0].lower()
        assert not (spec.parent / "lapse.lock").exists()
        assert not (spec.parent / "out").exists()
