"""The detector at more than one input width, and one reading per plate where detections overlap."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from pydantic import ValidationError

from edge.detect import SAME_PLATE_IOU, Detection, iou
from edge.ocr import OcrResult, interpret
from edge.plate_choice import FULLER_MARGIN, one_reading_per_plate, read_plates
from edge.profiles import load_profile
from edge.rectify import box_corners
from edge.still_reader import StillReader
from models.plate_render import PlateSpec, render
from tests.test_ocr_decode import confident, frames


def pair(
    box: tuple[int, int, int, int], text: str, sure: float, score: float = 0.5
) -> tuple[Detection, OcrResult]:
    read = interpret(frames([row for ch in text for row in ({ch: sure}, {"-": 0.97})]))
    return Detection(box, box_corners(box), score), read


def test_overlapping_detections_keep_the_most_confident_reading() -> None:
    plate_wide = pair((100, 100, 300, 160), "AB12CDE", 0.7)  # the plate with its holder
    plate_tight = pair((110, 110, 290, 150), "AB12CDE", 0.95)  # the plate alone, at another width
    elsewhere = pair((600, 100, 800, 160), "XY51ZZZ", 0.6)
    kept = one_reading_per_plate([plate_wide, elsewhere, plate_tight])
    assert kept == [elsewhere, plate_tight], "one per plate, the given order kept"
    assert one_reading_per_plate([elsewhere, plate_wide]) == [elsewhere, plate_wide]
    assert one_reading_per_plate([]) == []


def test_of_boxes_reading_the_same_text_the_best_scored_gives_the_box() -> None:
    """A box cut short (the plate's right half, found at another width) reads the same text as
    confidently as the whole plate; the detector scored the whole plate higher, so its box stands."""
    whole = pair((100, 100, 300, 160), "AB12CDE", 0.9, score=0.8)
    cut_short = pair((180, 100, 300, 160), "AB12CDE", 0.95, score=0.4)
    other_text = pair((110, 100, 310, 160), "AB12CDF", 0.92, score=0.9)
    assert one_reading_per_plate([cut_short, whole]) == [whole]
    # The box follows the chosen text only: a better-scored box reading otherwise does not give it.
    assert one_reading_per_plate([cut_short, other_text, whole]) == [whole]


def test_a_box_cut_short_gives_way_to_the_whole_plate_read_almost_as_confidently() -> None:
    """A box cut short drops the character it cuts into and reads the rest a shade more surely
    (us6.jpg: OKTY1 at 0.999 against HLOKTY1 at 0.992); the fuller reading stands, but only within
    the margin, and only for characters added at the ends."""
    cut_short = pair((140, 100, 300, 160), "B12CDE", 0.975, score=0.5)
    whole = pair((100, 100, 300, 160), "AB12CDE", 0.96, score=0.8)
    assert cut_short[1].confidence - whole[1].confidence < FULLER_MARGIN
    assert one_reading_per_plate([cut_short, whole]) == [whole]
    unsure = pair((100, 100, 300, 160), "AB12CDE", 0.9, score=0.8)
    assert one_reading_per_plate([cut_short, unsure]) == [cut_short], "too much less sure to stand"
    inserted = pair((100, 100, 300, 160), "B12CXDE", 0.97, score=0.8)
    assert one_reading_per_plate([cut_short, inserted]) == [cut_short], "a character inside is a misread"
    # The fuller reading of the fuller one stands in turn, and a reading elsewhere is untouched.
    # (The choice is on the model's own confidence, not the stated one the UK prior scales.)
    fullest = pair((95, 100, 305, 160), "AB12CDEX", 0.962, score=0.3)
    assert fullest[1].confidence < whole[1].confidence - FULLER_MARGIN
    elsewhere = pair((600, 100, 800, 160), "XY51ZZZ", 0.99)
    assert one_reading_per_plate([cut_short, elsewhere, whole, fullest]) == [elsewhere, fullest]


def test_a_second_look_stands_in_only_for_a_box_whose_reading_was_kept() -> None:
    """A box round a plate's recess reads nonsense; the second look inside it frames the plate and
    reads it more confidently, so it stands. Where the first box's reading was dropped (a sign, a
    grille), it is not looked at again, so its second look cannot bring it back."""
    recess = pair((100, 90, 320, 170), "NXQI", 0.85, score=0.6)
    plate = pair((130, 110, 290, 150), "AB12CDE", 0.95)
    assert one_reading_per_plate([recess, plate]) == [plate]

    frame = big_plate_frame(200)
    truth = (540, 420, 740, 463)
    looked: list[tuple[int, int, int, int]] = []

    def look_again(image: np.ndarray, found: Detection) -> list[Detection]:
        looked.append(found.box)
        return [Detection(truth, box_corners(truth), 0.9)]

    reader = StillReader(load_profile("x86-stills")).reader
    road = Detection((40, 40, 240, 83), box_corners((40, 40, 240, 83)), 0.6)  # plain grey: dropped
    assert read_plates(reader, frame, [road], look_again) == []
    assert looked == [], "a dropped reading is not looked at again"
    first = Detection((530, 415, 750, 470), box_corners((530, 415, 750, 470)), 0.6)
    kept = read_plates(reader, frame, [first], look_again)
    assert looked == [first.box], "a first look stands by itself and is looked at again"
    assert [r.text for _, r in kept] == ["AB51ABC"]


def test_a_second_look_frames_the_plate_inside_a_box_round_its_recess() -> None:
    frame = big_plate_frame(200)
    truth = (540, 420, 740, 420 + round(200 * 111 / 520))
    recess = Detection((500, 390, 780, 480), box_corners((500, 390, 780, 480)), 0.6)
    assert iou(recess.box, truth) < 0.5
    detector = StillReader(load_profile("x86-stills")).detector
    assert detector.second_look_width == 320
    again = detector.second_look(frame, recess)
    assert again and all(iou(d.box, recess.box) > SAME_PLATE_IOU for d in again), "it competes with the box"
    assert max(iou(d.box, truth) for d in again) > 0.7


def test_reads_of_one_character_are_not_plates() -> None:
    reader = StillReader(load_profile("x86-generic")).reader
    assert reader.accepts(interpret(frames(confident("A1"))))
    assert not reader.accepts(interpret(frames(confident("L"))))


def big_plate_frame(plate_width: int) -> np.ndarray:
    plate = render(PlateSpec("AB51 ABC", "AB51ABC", "uk-front")).image
    plate = cv2.resize(
        plate,
        (plate_width, round(plate_width * plate.shape[0] / plate.shape[1])),
        interpolation=cv2.INTER_AREA,
    )
    frame = np.full((720, 1280, 3), 90, np.uint8)
    cv2.rectangle(
        frame, (640 - plate_width // 2 - 60, 300), (640 + plate_width // 2 + 60, 600), (40, 40, 160), -1
    )
    x = 640 - plate_width // 2
    frame[420 : 420 + plate.shape[0], x : x + plate.shape[1]] = plate
    return frame


@pytest.mark.parametrize("plate_width", [560, 700])
def test_a_smaller_extra_width_finds_a_plate_too_large_for_the_main_one(plate_width: int) -> None:
    """800 wide, a 1280-wide frame's plate of 560-700 px is 350-440 px: beyond the 200 px the detector
    learnt. At 416 it is 180-230 px and read; both widths' detections of a plate give one reading."""
    frame = big_plate_frame(plate_width)
    main_only = load_profile("x86-generic").model_copy(update={"detector_extra_widths": []})
    assert "AB51ABC" not in [f.ocr.text for f in StillReader(main_only).read(frame)]
    both = StillReader(main_only.model_copy(update={"detector_extra_widths": [416]}))
    assert both.detector.widths == (800, 416)
    assert [f.ocr.text for f in both.read(frame)] == ["AB51ABC"]


def test_a_plate_found_at_both_widths_is_read_once() -> None:
    frame = big_plate_frame(300)
    reader = StillReader(load_profile("x86-generic").model_copy(update={"detector_extra_widths": [416]}))
    assert len(reader.detector(frame)) == 2, "the plate is within both widths' range"
    assert [f.ocr.text for f in reader.read(frame)] == ["AB51ABC"]


@pytest.mark.parametrize(
    ("line", "field"),
    [("detector_extra_widths: [400]", "detector_extra_widths"), ("read_trims: [0.5]", "read_trims")],
)
def test_profile_names_a_bad_width_or_trim(tmp_path: Path, line: str, field: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"name: bad\n{line}\n")  # 400 is not a multiple of 32; a trim is under a fifth
    with pytest.raises(ValidationError, match=field):
        load_profile(str(bad))


def test_the_stills_profile_reads_close_plates_and_asks_more_of_a_reading() -> None:
    stills = load_profile("x86-stills")
    generic = load_profile("x86-generic")
    assert stills.read_min_confidence > generic.read_min_confidence
    reader = StillReader(stills)
    assert reader.detector.widths == (800, 416, 1280) and reader.reader.trims == (0.04, -0.04, -0.1)
    assert [f.ocr.text for f in reader.read(big_plate_frame(700))] == ["AB51ABC"]


def test_profile_check_names_every_detector_width() -> None:
    from typer.testing import CliRunner

    from anpr.cli.main import app

    res = CliRunner().invoke(app, ["edge", "profile", "check", "x86-stills", "--repeats", "3"])
    assert res.exit_code == 0, res.output
    assert "800+416+1280 (second look 320)" in " ".join(res.output.split())
