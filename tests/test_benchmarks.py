"""The benchmarks' own parts: the read-store generator fills a store search and reports agree
with, the wildcard search can use the VRM index, and the baselines read plates."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

import cv2
import numpy as np
import pytest

from benchmarks import baselines
from benchmarks.read_store_generator import StoreShape, generate
from benchmarks.search_speed import bench_user, search_cases, unindexed
from benchmarks.stats import percentiles
from central import store
from central.reports import site_report
from central.search import search
from models.plate_render import PlateSpec, render

SHAPE = StoreShape(reads=6_000, days=3, sites=5, vehicles=400)


@pytest.fixture()
def year_store(database_url: str) -> str:
    generate(database_url, SHAPE)
    return database_url


def test_generator_fills_every_column_and_the_rollup(year_store: str) -> None:
    with store.connect(year_store) as conn:
        n, late, sites, bad = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE lateness_s > 60), count(DISTINCT site_id), "
            "count(*) FILTER (WHERE received_at < captured_at) FROM reads"
        ).fetchone()  # type: ignore[misc]
        assert n == SHAPE.reads and sites == SHAPE.sites and bad == 0
        assert conn.execute("SELECT sum(reads), sum(late_reads) FROM read_rollup_hourly").fetchone() == (
            n,
            late,
        )
        days = {r[0] for r in conn.execute("SELECT DISTINCT captured_at::date FROM reads")}
        assert days == {SHAPE.day(i) for i in range(SHAPE.days)}
        assert conn.execute("SELECT count(*) FROM reads_default").fetchone()[0] == 0  # type: ignore[index]
        vrms = [r[0] for r in conn.execute("SELECT DISTINCT vrm FROM reads")]
    assert all(re.fullmatch(r"[A-Z]{2}\d{2}[A-Z]{3}", v) for v in vrms)
    assert len(vrms) < SHAPE.reads / 2  # vehicles pass more than once


def test_search_finds_every_read_indexed_or_not(year_store: str) -> None:
    with store.connect(year_store) as conn:
        vrm, count = conn.execute(
            "SELECT vrm, count(*) FROM reads GROUP BY vrm HAVING count(*) < 150 ORDER BY 2 DESC, 1 LIMIT 1"
        ).fetchone()  # type: ignore[misc]
        assert count > 3
        now = datetime.combine(SHAPE.end, dtime(), UTC)
        user, auth = bench_user(conn, now)
        cases = search_cases(vrm, now, auth)
        indexed = {c: [r["read_id"] for r in search(conn, user, q, now=now)] for c, q in cases.items()}
        with unindexed(year_store) as scan:
            scanned = {c: [r["read_id"] for r in search(scan, user, q, now=now)] for c, q in cases.items()}
            plan = "\n".join(r[0] for r in scan.execute("EXPLAIN SELECT 1 FROM reads WHERE vrm = 'AB12CDE'"))
        audited = conn.execute("SELECT count(*) FROM audit_log WHERE action = 'search'").fetchone()[0]  # type: ignore[index]
    assert len(indexed["exact, 365 days (authorised)"]) == count
    assert indexed == scanned
    assert "Seq Scan" in plan and "Index" not in plan
    assert set(indexed["exact, 90 days"]) <= set(indexed["wildcard prefix (AB12*), 90 days"])
    assert audited == 2 * len(cases)


def test_wildcard_prefix_search_can_use_the_vrm_index(year_store: str) -> None:
    with store.connect(year_store) as conn:
        conn.execute("SET enable_seqscan = off")
        plan = "\n".join(
            r[0] for r in conn.execute("EXPLAIN SELECT read_id FROM reads WHERE vrm LIKE 'AB1%'")
        )
    assert "reads_vrm" in plan or re.search(r"reads_\d{8}_vrm_\w*idx", plan), plan


def test_site_report_agrees_with_the_raw_reads(year_store: str) -> None:
    now = datetime.combine(SHAPE.end, dtime(), UTC)
    with store.connect(year_store) as conn:
        rep = site_report(conn, "S01", timedelta(days=30), now=now)
        raw = conn.execute("SELECT count(*) FROM reads WHERE site_id = 'S01'").fetchone()[0]  # type: ignore[index]
    assert rep.reads == raw > 0
    assert len(rep.cameras) == SHAPE.cameras_per_site
    assert all(c.incidents >= 1 and c.availability_pct < 100 for c in rep.cameras)


def test_percentiles() -> None:
    fig = percentiles([float(i) for i in range(1, 101)])
    assert fig["n"] == 100 and fig["p50_ms"] == 50.5 and fig["p95_ms"] == 96 and fig["max_ms"] == 100


def _plate(text: str, label: str) -> np.ndarray:
    img = render(PlateSpec(text=text, label=label, style="uk-front")).image
    return cv2.cvtColor(cv2.resize(img, (260, 56), interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2BGR)


@pytest.mark.parametrize("name", list(baselines.available()))
def test_baselines_read_a_clean_plate(name: str) -> None:
    why = baselines.available()[name]
    if why:
        pytest.skip(why)
    reader = baselines.make(name)
    crop = _plate("AB51 ABC", "AB51ABC")
    got = reader.ocr.read_crop(crop).text
    # A clean, frontal plate: both read nearly all of it (Tesseract drops a character at times).
    assert sum(a == b for a, b in zip(got, "AB51ABC", strict=False)) >= 5, got
    scene = np.full((720, 1280, 3), 90, np.uint8)
    scene[400:456, 500:760] = crop
    found = reader.read(scene)
    assert all(f.ocr.text for f in found)
    assert all(0 <= f.detection.box[0] < f.detection.box[2] <= 1280 for f in found)


@pytest.fixture()
def photos(tmp_path: Path) -> Path:
    """Two photos of a clean plate and one broken file, with a truth CSV."""
    rows = ["image,x1,y1,x2,y2,text"]
    for i, (text, label) in enumerate([("AB51 ABC", "AB51ABC"), ("KX19 PLM", "KX19PLM")]):
        photo = np.full((480, 640, 3), 60 + 40 * i, np.uint8)
        photo[300:356, 200:460] = _plate(text, label)
        cv2.imwrite(str(tmp_path / f"p{i}.jpg"), photo)
        rows.append(f"p{i}.jpg,200,300,460,356,{label}")
    (tmp_path / "broken.jpg").write_bytes(b"not an image")
    rows.append("broken.jpg,1,1,50,20,XX11XXX")
    (tmp_path / "truth.csv").write_text("\n".join(rows) + "\n")
    return tmp_path / "truth.csv"


def test_stills_sweep_into_a_clip_with_truth(photos: Path, tmp_path: Path) -> None:
    from benchmarks.datasets import load_csv
    from benchmarks.stills_sweep import sweep_stills
    from models.footage import load_truth

    out, truth = tmp_path / "clip.mp4", tmp_path / "clip.csv"
    passes, unreadable = sweep_stills(
        load_csv(tmp_path / "truth.csv"), out, truth, fps=10, seconds_per_still=1.0
    )
    assert unreadable == 1 and [p.vrm for p in load_truth(truth)] == ["AB51ABC", "KX19PLM"]
    frames = [json.loads(line) for line in truth.with_suffix(".frames.jsonl").read_text().splitlines()]
    cap = cv2.VideoCapture(str(out))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == len(frames)
    for p in passes:
        seen = [f["plates"][0] for f in frames[p.enter_frame : p.exit_frame]]
        assert len(seen) == p.exit_frame - p.enter_frame == 10 and all(s["vrm"] == p.vrm for s in seen)
        widths = [s["quad"][1][0] - s["quad"][0][0] for s in seen]
        assert (
            widths == sorted(widths)
            and widths[0] == pytest.approx(70, abs=1)
            and widths[-1] == pytest.approx(240, abs=1)
        )
    assert not frames[passes[0].exit_frame]["plates"]  # an empty road between passes


def test_bench_footage_on_stills_writes_the_report(photos: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from anpr.cli.main import app

    out = tmp_path / "report"
    res = CliRunner().invoke(
        app,
        [
            "bench",
            "footage",
            "--dataset",
            str(photos),
            "--format",
            "csv",
            "--out",
            str(out),
            "--compare",
            "rpi4",
        ],
    )
    assert res.exit_code == 0, res.output
    fig = json.loads((out / "figures.json").read_text())
    assert fig["vehicles"] == 2 and 0 <= fig["capture_rate"] <= 1
    assert list(out.glob("*.png"))
    report = (out / "report.md").read_text()
    compared = report.split("## Compared with")[1]
    assert f"| false_reads | {fig['false_reads']} |" in compared and "| capture_rate |" in compared


def test_bench_accuracy_scores_each_truth_plate_and_writes_why(photos: Path, tmp_path: Path) -> None:
    """The real models on two clean plates, one of them with a wrong truth text: the JSON names
    each plate's outcome, and the figures are counted from the same outcomes."""
    import shutil

    from typer.testing import CliRunner

    from anpr.cli.main import app
    from edge.onnx_models import MODELS_DIR, sha256_of

    photos.write_text(photos.read_text().replace("KX19PLM", "ZZ99ZZZ"))
    candidate = tmp_path / "candidate"  # a folder of model files measured in place of models/
    candidate.mkdir()
    for name in ("detector.onnx", "ocr.onnx"):
        shutil.copy(MODELS_DIR / name, candidate / name)
    out = tmp_path / "acc.json"
    args = ["bench", "accuracy", "--dataset", str(photos), "--format", "csv", "--no-baselines"]
    res = CliRunner().invoke(app, [*args, "--out", str(out), "--models-dir", str(candidate)])
    assert res.exit_code == 0, res.output
    saved = json.loads(out.read_text())
    fig, plates = saved["figures"], saved["plates"]
    assert fig["images"] == 2 and fig["plates"] == 2 == len(plates)  # the broken file is not scored
    by_truth = {p["truth"]: p for p in plates}
    assert by_truth["AB51ABC"]["outcome"] == "right" and by_truth["AB51ABC"]["iou"] >= 0.5
    wrong = by_truth["ZZ99ZZZ"]
    assert wrong["outcome"] == "misread" and wrong["read"] == wrong["read_on_truth_box"] == "KX19PLM"
    assert fig["end_to_end_exact_folded"] == 0.5 and fig["detection_recall"] == 1.0
    assert saved["meta"]["models"]["ocr"] == sha256_of(candidate / "ocr.onnx")
    (candidate / "ocr.onnx").unlink()
    res = CliRunner().invoke(app, [*args, "--models-dir", str(candidate)])
    assert res.exit_code == 2 and "ocr.onnx" in res.output


def test_stills_scoring_matches_each_detection_to_one_plate(tmp_path: Path) -> None:
    """Scoring alone, with a reader that returns fixed findings: a detection counts for one truth
    plate only, overlap under 0.5 is a miss, and what matched no plate is a false detection."""
    from types import SimpleNamespace

    from benchmarks.datasets import Still, TruthPlate
    from benchmarks.stills_accuracy import evaluate
    from edge.detect import Detection
    from edge.rectify import box_corners

    def found(box: tuple[int, int, int, int], text: str, conf: float) -> SimpleNamespace:
        return SimpleNamespace(
            detection=Detection(box, box_corners(box), 0.9), ocr=SimpleNamespace(text=text, confidence=conf)
        )

    class Scripted:
        def read(self, image: np.ndarray, times: object = None) -> list[SimpleNamespace]:
            return [found((100, 100, 200, 140), "AB51ABO", 0.95), found((400, 400, 450, 420), "JUNK", 0.3)]

        def read_box(self, image: np.ndarray, box: tuple[int, int, int, int]) -> str:
            return "TRUTHBOX"

    image = tmp_path / "scripted.png"
    cv2.imwrite(str(image), np.zeros((480, 640, 3), np.uint8))
    plates = [
        TruthPlate((102, 100, 200, 140), "AB51AB0"),  # the same plate: right, O folded to 0
        TruthPlate((100, 100, 200, 140), "CD51CDE"),  # would match the same detection again
        TruthPlate((300, 100, 400, 140), "EF51EFG"),  # nothing there
    ]
    rep = evaluate(Scripted(), [Still(image, plates)])
    assert [o.outcome for o in rep.outcomes] == ["right", "missed", "missed"]
    assert rep.outcomes[0].iou == pytest.approx(0.98) and rep.outcomes[2].iou == 0.0
    fig = rep.figures()
    assert fig["detection_recall"] == pytest.approx(1 / 3) and fig["end_to_end_exact_strict"] == 0
    assert fig["end_to_end_exact_folded"] == pytest.approx(1 / 3) and fig["false_detections_per_image"] == 1
    assert all(o.read_on_truth_box == o.read_on_padded_box == "TRUTHBOX" for o in rep.outcomes)
    # The box spans the plate's whole width; the one confident read is wrong strictly (O for 0).
    assert rep.outcomes[0].width_covered == 1.0 and fig["boxes_cover_95pct_width"] == pytest.approx(1 / 3)
    assert fig["wrong_of_confident_0.9"] == 1.0 and fig["confident_0.9_share"] == pytest.approx(1 / 3)
