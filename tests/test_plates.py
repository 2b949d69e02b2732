from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anpr.plates import PlateFormat, check_vrm, normalise
from anpr.plates.confusables import equivalent
from anpr.plates.formats import SHAPES, issued_ages

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("text", "vrm", "fmt", "valid"),
    [
        ("ab51 abc", "AB51ABC", "current", True),
        ("AB-02-XYZ", "AB02XYZ", "current", True),
        ("BD76 ZZZ", "BD76ZZZ", "current", True),  # Z allowed in the random letters
        ("A123 BCD", "A123BCD", "prefix", True),
        ("P1 ABC", "P1ABC", "prefix", True),
        ("ABC 123D", "ABC123D", "suffix", True),
        ("Q123 ABC", "Q123ABC", "q", True),
        ("AB 1234", "AB1234", "dateless", True),
        ("1234 AB", "1234AB", "dateless", True),
        ("ABC 123", "ABC123", "dateless", True),
        ("123 ABC", "123ABC", "dateless", True),
        ("1 IA", "1IA", "ni", True),
        ("AXZ 1234", "AXZ1234", "ni", True),
        ("IB 1234", "IB1234", "ni", True),
    ],
)
def test_formats(text: str, vrm: str, fmt: str, valid: bool) -> None:
    r = check_vrm(text, today=TODAY)
    assert (r.vrm, r.format.value, r.valid) == (vrm, fmt, valid)
    assert r.candidates[0].vrm == vrm and r.candidates[0].penalty == 0


@pytest.mark.parametrize(
    ("text", "issue"),
    [
        ("AB27 ABC", "age_not_yet_issued"),  # March 2027
        ("AB77 ABC", "age_not_yet_issued"),  # September 2027
        ("AB00 ABC", "age_never_issued"),
        ("AB01 ABC", "age_never_issued"),
        ("AB50 ABC", "age_never_issued"),
    ],
)
def test_current_age_rules(text: str, issue: str) -> None:
    r = check_vrm(text, today=TODAY)
    assert r.format is PlateFormat.CURRENT and not r.valid
    assert any(i.startswith(issue) for i in r.issues)


def test_age_depends_on_date() -> None:
    assert check_vrm("AB27ABC", today=date(2027, 3, 1)).valid
    assert not check_vrm("AB27ABC", today=date(2027, 2, 28)).valid
    issued, not_yet = issued_ages(TODAY)
    assert 26 in issued and 76 in issued and 27 in not_yet and 77 in not_yet


@pytest.mark.parametrize(
    "text",
    ["IB12ABC", "QB12ABC", "ZA12ABC"],  # I, Q, Z never appear in the memory tag
)
def test_memory_tag_letters(text: str) -> None:
    r = check_vrm(text, today=TODAY)
    assert not r.valid and r.format is PlateFormat.OTHER
    assert any("current_shape_but_position_1" in i for i in r.issues)


def test_prefix_and_suffix_year_letters() -> None:
    for bad in "IOQUZ":
        assert (
            not check_vrm(f"{bad}123ABC", today=TODAY).valid
            or check_vrm(f"{bad}123ABC", today=TODAY).format is not PlateFormat.PREFIX
        )
        assert check_vrm(f"ABC123{bad}", today=TODAY).format is not PlateFormat.SUFFIX
    assert check_vrm("A012ABC", today=TODAY).format != PlateFormat.PREFIX  # no leading zero


def test_dateless_excludes_i_q_z() -> None:
    for bad in ("AI 1234", "QB 1234"):
        assert check_vrm(bad, today=TODAY).format is not PlateFormat.DATELESS


def test_suspected_partial() -> None:
    r = check_vrm("AB12", today=TODAY)
    assert r.valid and r.format is PlateFormat.DATELESS and "suspected_partial" in r.issues
    assert "suspected_partial" in check_vrm("1ABC", today=TODAY).issues
    assert "suspected_partial" not in check_vrm("ABC123", today=TODAY).issues


def test_positional_corrections() -> None:
    r = check_vrm("A8C 123", today=TODAY)
    assert not r.valid
    assert r.candidates[0].vrm == "ABC123" and r.candidates[0].penalty == 1
    # Digits read in letter slots and letters in digit slots of a current plate.
    r = check_vrm("0B5I A8C", today=TODAY)
    assert r.candidates[0].vrm == "OB51ABC"
    assert r.vrm == "0B5IA8C"  # the raw read is kept
    # Z is a digit-slot correction for 2, and 2 -> Z only in the random letters.
    assert check_vrm("ABZ2 AB2", today=TODAY).candidates[0].vrm == "AB22ABZ"


def test_confusable_classes() -> None:
    for a, b in ["0O", "OD", "DQ", "1I", "2Z", "5S", "8B", "6G"]:
        assert equivalent(a, b)
    assert not equivalent("3", "B")
    assert equivalent("3", "B", wide=True) and equivalent("H", "M", wide=True)


def test_other_marks_are_classified_not_dropped() -> None:
    r = check_vrm("WOB-XY 123 E", today=TODAY)  # a German mark
    assert r.format is PlateFormat.OTHER and r.vrm == "WOBXY123E" and not r.valid
    assert check_vrm("AB12 ÄBC", today=TODAY).issues == ["unexpected_characters"]


plate_text = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -", min_size=0, max_size=10)


@given(plate_text)
def test_normalise_idempotent(text: str) -> None:
    assert normalise(normalise(text)) == normalise(text)


@given(plate_text)
@settings(max_examples=300)
def test_every_candidate_is_a_valid_mark(text: str) -> None:
    r = check_vrm(text, today=TODAY)
    for c in r.candidates:
        again = check_vrm(c.vrm, today=TODAY)
        assert again.valid, c
        assert len(c.vrm) == len(r.vrm)
    assert [c.penalty for c in r.candidates] == sorted(c.penalty for c in r.candidates)


@st.composite
def valid_marks(draw: st.DrawFn) -> str:
    shape = draw(st.sampled_from(SHAPES))
    text = "".join(draw(st.sampled_from(slot)) for slot in shape.slots)
    return text


@given(valid_marks())
@settings(max_examples=300)
def test_valid_marks_have_penalty_zero(text: str) -> None:
    r = check_vrm(text, today=TODAY)
    if r.valid:
        assert r.candidates == [r.candidates[0]] and r.candidates[0].penalty == 0
        assert r.candidates[0].vrm == r.vrm
