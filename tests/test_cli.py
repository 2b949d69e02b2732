from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from anpr.cli.main import app

runner = CliRunner()


def test_help_lists_groups() -> None:
    out = runner.invoke(app, ["--help"]).output
    for group in ("services", "vrm", "protocol"):
        assert group in out


def test_vrm_check_examples() -> None:
    result = runner.invoke(app, ["vrm", "check", "ab51 abc", "IB12ABC", "1 IA", "AB12", "A8C 123"])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["vrm"], r["format"], r["valid"]) for r in rows] == [
        ("AB51ABC", "current", True),
        ("IB12ABC", "other", False),
        ("1IA", "ni", True),
        ("AB12", "dateless", True),
        ("A8C123", "other", False),
    ]
    assert "suspected_partial" in rows[3]["issues"]
    assert rows[4]["candidates"][0] == {"vrm": "ABC123", "format": "dateless", "penalty": 1}
    assert set(rows[0]) == {"input", "vrm", "format", "valid", "issues", "candidates"}


def test_help_is_fast_and_imports_no_server_code() -> None:
    code = (
        "import sys; from anpr.cli.main import app; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('central', 'edge', 'fastapi', 'psycopg', 'cv2', 'onnxruntime', 'torch')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_bad_environment_names_the_field(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os

    env = {**os.environ, "ANPR_SERVICES_MQTT_PORT": "not-a-port", "ANPR_DATA_DIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "anpr.cli.main", "services", "status"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 2
    assert "services_mqtt_port" in proc.stderr and "Traceback" not in proc.stderr


def test_check_config_loads_the_profile_and_its_models(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import yaml

    base = {
        "site_id": "S01",
        "agent_id": "S01-A1",
        "broker": {"url": "mqtt://127.0.0.1:1883"},
        "cameras": [{"camera_id": "S01-C1", "source": "rtsp://127.0.0.1/x"}],
    }
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump({**base, "profile": "rpi5"}))
    result = runner.invoke(app, ["edge", "check-config", str(good)])
    assert result.exit_code == 0, result.output
    assert "profile rpi5" in result.output and "detector detector" in result.output
    missing = tmp_path / "missing.yaml"
    missing.write_text(yaml.safe_dump({**base, "profile": "rpi9"}))
    result = runner.invoke(app, ["edge", "check-config", str(missing)])
    assert result.exit_code == 2 and "no device profile 'rpi9'; known: " in result.output
    assert "rpi5" in result.output  # the known profiles are listed, found in the package
    broken = tmp_path / "broken.yaml"
    (tmp_path / "p.yaml").write_text(yaml.safe_dump({"name": "p", "ocr_model": "nothing.onnx"}))
    broken.write_text(yaml.safe_dump({**base, "profile": str(tmp_path / "p.yaml")}))
    result = runner.invoke(app, ["edge", "check-config", str(broken)])
    assert result.exit_code == 2 and "nothing.onnx" in result.output
