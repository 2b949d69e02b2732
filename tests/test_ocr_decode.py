from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from anpr.plates import PlateFormat
from edge.ocr import PlateReader, interpret
from edge.ocr_decode import ALPHABET, beam_search, best_path
from edge.profiles import load_profile
from edge.stages import build_stages

C = len(ALPHABET) + 1


def frames(seq: list[dict[str, float]]) -> np.ndarray:
    """One row per time step: {char: prob}, '-' for blank; the rest of the mass spread thinly."""
    probs = np.zeros((len(seq), C), np.float32)
    for t, row in enumerate(seq):
        idx = [0 if ch == "-" else ALPHABET.index(ch) + 1 for ch in row]
        rest = (1 - sum(row.values())) / (C - len(idx))
        probs[t] = rest
        probs[t, idx] = list(row.values())
    return probs


def confident(text: str) -> list[dict[str, float]]:
    """Each character at 0.97 then a blank: a read the model is sure of, with no alternative."""
    return [row for ch in text for row in ({ch: 0.97}, {"-": 0.97})]


def test_best_path_collapses_repeats_and_blanks() -> None:
    p = frames([{"A": 0.9}, {"A": 0.95}, {"-": 0.9}, {"A": 0.8}, {"B": 0.7}, {"-": 0.99}])
    d = best_path(p)
    assert d.text == "AAB"
    assert d.char_confidences == pytest.approx([0.95, 0.8, 0.7], abs=0.01)
    assert 0.7 < d.confidence < 0.95


def test_beam_search_offers_the_confusable_alternative() -> None:
    p = frames([{"A": 0.9}, {"-": 0.9}, {"8": 0.55, "B": 0.44}, {"-": 0.9}, {"C": 0.9}])
    beams = beam_search(p, top_k=3)
    assert [b[0] for b in beams[:2]] == ["A8C", "ABC"]
    assert beams[0][1] > beams[1][1]


def test_grammar_ranks_but_keeps_raw() -> None:
    # The model slightly prefers an invalid reading; the valid mark of similar probability wins.
    seq: list[dict[str, float]] = []
    for ch in "AB5":
        seq += [{ch: 0.95}, {"-": 0.95}]
    seq += [{"I": 0.5, "1": 0.45}, {"-": 0.95}]
    for ch in "ABC":
        seq += [{ch: 0.95}, {"-": 0.95}]
    r = interpret(frames(seq))
    assert r.raw.text == "AB5IABC"
    assert r.text == "AB51ABC" and r.format is PlateFormat.CURRENT
    assert {c.vrm for c in r.candidates} >= {"AB51ABC", "AB5IABC"}


def test_foreign_read_is_not_forced_into_uk_grammar() -> None:
    r = interpret(frames(confident("WOBXY123")))
    assert r.text == "WOBXY123" and r.format is PlateFormat.OTHER


def test_grammar_correction_alone_does_not_override_a_confident_read() -> None:
    # The model is sure of every character and offers no alternative: the grammar's correction
    # (S → 5 in a digit position: alike, but two glyphs) is kept as a candidate for hotlist
    # matching, not chosen.
    r = interpret(frames(confident("AB5SABC")))
    assert r.text == "AB5SABC" and r.format is PlateFormat.OTHER
    assert "AB55ABC" in {c.vrm for c in r.candidates}


def test_reader_accepts_only_confident_reads_and_profiles_set_the_bar() -> None:
    profile = load_profile("x86-generic")
    stages = build_stages(profile)
    reader = stages.reader
    assert reader.min_confidence == profile.read_min_confidence == 0.5
    sure = interpret(frames(confident("AB12CDE")))
    unsure = interpret(frames([row for ch in "MWWM" for row in ({ch: 0.3}, {"-": 0.9})]))
    assert sure.confidence > 0.9 and unsure.text == "MWWM" and unsure.confidence < 0.4
    assert reader.accepts(sure) and not reader.accepts(unsure)
    assert not reader.accepts(interpret(frames([{"-": 0.99}] * 4)))  # nothing read
    lenient = PlateReader(stages.models["ocr"])  # no bar: any text is a read
    assert lenient.accepts(unsure)


def test_profile_names_a_bad_read_bar(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nread_min_confidence: 1.5\n")
    with pytest.raises(ValidationError, match="read_min_confidence"):
        load_profile(str(bad))


def test_a_twin_glyph_takes_the_only_form_its_position_allows() -> None:
    # O and 0, I and 1 are one shape on most plates: where only a digit can stand, an O read
    # with certainty is a 0, and the read keeps its confidence (the issue's `SVO7BFT`, `LFIIWZG`).
    for raw, mark in (("SVO7BFT", "SV07BFT"), ("AB5IABC", "AB51ABC")):
        r = interpret(frames(confident(raw)))
        assert (r.raw.text, r.text, r.format) == (raw, mark, PlateFormat.CURRENT)
        assert r.confidence > 0.9


def test_uk_first_reads_the_valid_mark_the_model_gives_real_probability() -> None:
    # The issue's `FTI3KXN` for `FT13KXN`: I and 1 are twins, so at a digit position their shares
    # count together. A B where a digit must stand, with 8 given a real share (12 %), reads 8, and
    # that doubt lowers the read's confidence.
    seq: list[dict[str, float]] = []
    for ch in "FT":
        seq += [{ch: 0.95}, {"-": 0.95}]
    seq += [{"I": 0.8, "1": 0.12}, {"-": 0.95}]
    for ch in "3KXN":
        seq += [{ch: 0.95}, {"-": 0.95}]
    r = interpret(frames(seq))
    assert r.raw.text == "FTI3KXN"
    assert r.text == "FT13KXN" and r.format is PlateFormat.CURRENT
    assert r.char_confidences[2] == pytest.approx(0.92, abs=0.01)
    assert r.candidates[0].vrm == "FT13KXN" and "FTI3KXN" in {c.vrm for c in r.candidates}
    seq = []
    for ch in "FT1":
        seq += [{ch: 0.95}, {"-": 0.95}]
    seq += [{"B": 0.8, "8": 0.12}, {"-": 0.95}]
    for ch in "KXN":
        seq += [{ch: 0.95}, {"-": 0.95}]
    r = interpret(frames(seq))
    assert (r.raw.text, r.text) == ("FT1BKXN", "FT18KXN")
    assert r.char_confidences[3] == pytest.approx(0.12, abs=0.01)
    assert 0.6 < r.confidence < 0.8


def test_uk_first_finds_a_valid_mark_by_dropping_a_spurious_character() -> None:
    # A holder's edge read as a leading `1` (with a real chance of being nothing): the UK mark is
    # the path without it.
    seq: list[dict[str, float]] = [{"1": 0.6, "-": 0.35}, {"-": 0.95}]
    for ch in "AB51ABC":
        seq += [{ch: 0.95}, {"-": 0.95}]
    r = interpret(frames(seq))
    assert r.raw.text == "1AB51ABC" and r.text == "AB51ABC"


def test_constrained_paths_respect_each_position_and_repeats() -> None:
    from edge.ocr_decode import constrained_best

    seq: list[dict[str, float]] = []
    for ch in "AA":  # two As need a blank between: one long A must not count twice
        seq += [{ch: 0.9}, {"-": 0.9}]
    p = frames(seq)
    [two] = constrained_best(p, [("A", "A")])
    assert two.text == "AA"
    # Two frames leave no room for the blank two As need: no path spells AA at all.
    assert constrained_best(frames([{"A": 0.9}, {"A": 0.9}]), [("A", "A")]) == []
    [digit] = constrained_best(frames(confident("AI")), [("A", "0123456789")])
    assert digit.text[0] == "A" and digit.text[1].isdigit()
