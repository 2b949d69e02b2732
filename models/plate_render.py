"""Draw number plates in millimetre space, 1 px per mm, after the UK regulations.

Standard plate 520×111 mm, square 285×203 mm, motorcycle 229×178 mm; Charles
Wright 2001 geometry: characters 79 mm high, 50 mm wide (except 1 and I),
14 mm stroke, 11 mm gaps, 33 mm between groups, 19 mm between lines. Front
plates are black on white, rear black on yellow. Foreign EU- and US-style
plates are drawn too so a foreign car is still read.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from anpr.plates import PlateFormat
from models import drawn_font
from models.fonts import HERSHEY, FontSpec
from models.plate_text import groups, random_foreign, random_uk_vrm

WHITE = (236, 238, 236)
YELLOW = (250, 204, 24)
INK = (18, 18, 20)
BAND_BLUE = (0, 51, 153)
BAND_GREEN = (0, 140, 70)
BAND_TAGS = {"uk": "UK", "gb": "GB", "green": ""}
EU_COUNTRIES = ("D", "F", "NL", "PL", "IRL")


@dataclass(frozen=True)
class PlateSpec:
    text: str  # what is printed, e.g. "AB51 ABC" or "M-AB 123"
    label: str  # what OCR must read: letters and digits only
    style: str  # uk-front | uk-rear | eu | us
    layout: str = "single"  # single | square | motorcycle
    font: FontSpec = field(default_factory=lambda: FontSpec("cw-stroke", HERSHEY))
    band: str = "none"  # none | uk | gb | green
    raised: bool = False
    screws: bool = False
    border: bool = False
    dealer: bool = False


@dataclass(frozen=True)
class RenderedPlate:
    image: np.ndarray  # H×W×3 uint8 RGB
    label: str
    lines: int
    style: str


def _glyph(font_path: str, char: str, height: int, width: int, stroke: int) -> np.ndarray:
    """An ink mask (float32 0..1) of one character scaled to height × width."""
    thickness = max(2, int(stroke * 200 / height)) if font_path == HERSHEY else 0
    crop = _ink(font_path, char, thickness)
    if char in "1I":
        width = max(8, round(crop.shape[1] * height / crop.shape[0]))
    return cv2.resize(crop, (width, height), interpolation=cv2.INTER_AREA).astype(np.float32) / 255


@cache
def _ink(font_path: str, char: str, thickness: int) -> np.ndarray:
    """One character drawn large and cropped to its ink; cached apart from the size it is scaled to,
    since plate sizes rarely repeat and drawing the face is most of a glyph's cost (`thickness`:
    the stroke font's pen, 0 for the others)."""
    if font_path == HERSHEY:
        mask = np.zeros((260, 220), np.uint8)
        cv2.putText(mask, char, (20, 220), cv2.FONT_HERSHEY_SIMPLEX, 6.0, 255, thickness, cv2.LINE_AA)
    elif drawn_font.is_drawn(font_path):
        mask = drawn_font.glyph_mask(font_path, char)
    else:
        font = ImageFont.truetype(font_path, 200)
        img = Image.new("L", (300, 300), 0)
        ImageDraw.Draw(img).text((30, 10), char, font=font, fill=255)
        mask = np.asarray(img)
    ys, xs = np.nonzero(mask > 40)
    return mask[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def _layout(
    parts: list[str], spec: PlateSpec, height: int, char_w: int, gap: int, group_gap: int
) -> tuple[list[tuple[int, np.ndarray]], list[tuple[int, int]], int]:
    """Glyph masks with their x offsets, each group's (start, end) and the line's total width."""
    stroke = round(height * 14 / 79)
    masks: list[tuple[int, np.ndarray]] = []
    spans: list[tuple[int, int]] = []
    x = 0
    for gi, grp in enumerate(parts):
        if gi:
            x += group_gap - gap
        start = x
        for ch in grp:
            if ch in "- ":
                x += gap * 2
                continue
            m = _glyph(spec.font.path, ch, height, char_w, stroke)
            masks.append((x, m))
            x += m.shape[1] + gap
        spans.append((start, x - gap))
    return masks, spans, x - gap


def _draw_line(
    canvas: np.ndarray,
    parts: list[str],
    spec: PlateSpec,
    top: int,
    height: int,
    char_w: int,
    gap: int,
    group_gap: int,
    left: int,
    right: int,
    colour: tuple[int, int, int],
) -> list[tuple[int, int]]:
    """Draws the groups centred between left and right, narrowing the characters until the whole
    line fits (a label must never name a character the plate cuts off); returns each group's
    (start, end) on the canvas."""
    masks, spans, total = _layout(parts, spec, height, char_w, gap, group_gap)
    while total > right - left and char_w > 6:
        glyphs = sum(m.shape[1] for _, m in masks)
        char_w = max(6, int(char_w * (right - left - (total - glyphs)) / max(1, glyphs)) - 1)
        masks, spans, total = _layout(parts, spec, height, char_w, gap, group_gap)
    x0 = left + max(0, (right - left - total) // 2)
    for dx, m in masks:
        xs, ys = x0 + dx, top
        h, w = m.shape
        w = min(w, canvas.shape[1] - xs)
        if w <= 0:
            continue
        region = canvas[ys : ys + h, xs : xs + w].astype(np.float32)
        alpha = m[:, :w, None]
        if spec.raised:  # raised characters cast a soft shadow down and right
            sh = canvas[ys + 3 : ys + 3 + h, xs + 3 : xs + 3 + w].astype(np.float32)
            a2 = alpha[: sh.shape[0], : sh.shape[1]] * 0.35
            canvas[ys + 3 : ys + 3 + sh.shape[0], xs + 3 : xs + 3 + sh.shape[1]] = (
                sh * (1 - a2) + 60 * a2
            ).astype(np.uint8)
            region = canvas[ys : ys + h, xs : xs + w].astype(np.float32)
        canvas[ys : ys + h, xs : xs + w] = (region * (1 - alpha) + np.array(colour) * alpha).astype(np.uint8)
    return [(x0 + a, x0 + b) for a, b in spans]


def render(spec: PlateSpec) -> RenderedPlate:
    uk = spec.style.startswith("uk")
    if spec.style == "us":
        return _render_us(spec)
    if spec.layout == "square":
        w, h, ch, cw, gap = 285, 203, 79, 50, 11
    elif spec.layout == "motorcycle":
        w, h, ch, cw, gap = 229, 178, 64, 44, 10
    else:
        w, h, ch, cw, gap = 520, 111, 79, 50, 11
    bg = YELLOW if spec.style == "uk-rear" else WHITE
    canvas = np.empty((h, w, 3), np.uint8)
    canvas[:] = bg
    left = 8
    band = "eu" if spec.style == "eu" else spec.band
    if band != "none":
        bw = 50 if spec.layout == "single" else 40
        canvas[4 : h - 4, 4 : 4 + bw] = BAND_BLUE if band in ("uk", "gb", "eu") else BAND_GREEN
        # The EU country is drawn from the label so a seeded data set renders the same every run.
        tag = random.Random(spec.label).choice(EU_COUNTRIES) if band == "eu" else BAND_TAGS[band]
        if tag:
            cv2.putText(
                canvas, tag, (8, h - 14), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (255, 255, 255), 2, cv2.LINE_AA
            )
        left = 4 + bw + 6
    right = w - 8
    parts = spec.text.split(" ")
    if spec.layout == "single":
        _draw_line(canvas, parts, spec, (h - ch) // 2, ch, cw, gap, 33 if uk else 22, left, right, INK)
        lines = 1
    else:
        line_gap = 19 if spec.layout == "square" else 13
        top = (h - 2 * ch - line_gap) // 2
        first, rest = parts[0], parts[1:] or [""]
        _draw_line(canvas, [first], spec, top, ch, cw, gap, 33, left, right, INK)
        _draw_line(canvas, rest, spec, top + ch + line_gap, ch, cw, gap, 33, left, right, INK)
        lines = 2
    if spec.border:
        cv2.rectangle(canvas, (3, 3), (w - 4, h - 4), INK, 3)
    if spec.screws:
        for sx in (w // 5, 4 * w // 5):
            cv2.circle(canvas, (sx, h // 2 if spec.layout == "single" else 12), 5, (150, 150, 150), -1)
    if spec.dealer:
        cv2.putText(canvas, "AUTOS LTD", (w // 2 - 30, h - 3), cv2.FONT_HERSHEY_PLAIN, 0.7, INK, 1)
    return RenderedPlate(canvas, spec.label, lines, spec.style)


US_STATES = (
    "OHIO",
    "TEXAS",
    "MAINE",
    "IOWA",
    "NEVADA",
    "UTAH",
    "CALIFORNIA",
    "FLORIDA",
    "GEORGIA",
    "ILLINOIS",
    "NEW YORK",
    "ARIZONA",
    "OREGON",
    "VERMONT",
    "MICHIGAN",
    "VIRGINIA",
    "KANSAS",
    "IDAHO",
    "COLORADO",
    "New Jersey",
    "Pennsylvania",
    "Massachusetts",
    "Washington",
    "Wisconsin",
    "Minnesota",
)
US_SLOGANS = (
    "",
    "",
    "Sunshine State",
    "LAND OF LINCOLN",
    "Garden State",
    "visitPA.com",
    "Live Free or Die",
    "THE SILVER STATE",
    "Empire State",
    "GREAT LAKES",
    "DONT MESS WITH TEXAS",
    "Vacationland",
)


def _render_us(spec: PlateSpec) -> RenderedPlate:
    """A US-style 12×6 inch plate (305×152 mm): state name above, slogan below, coloured ink and
    background, sometimes a separator or emblem between character groups and a raised rim."""
    w, h = 305, 152
    rng = random.Random(spec.label + spec.font.name)
    bg = np.array(
        rng.choice([(240, 240, 240), (250, 240, 200), (220, 235, 250), (250, 250, 235), (235, 225, 210)]),
        np.float32,
    )
    # Painted graphics: a vertical wash (sky, sunset) under the characters.
    wash = np.linspace(rng.uniform(0.8, 1.0), rng.uniform(0.8, 1.05), h, dtype=np.float32)[:, None, None]
    canvas = np.clip(bg[None, None] * wash * np.ones((h, w, 1), np.float32), 0, 255).astype(np.uint8)
    ink = rng.choice([(20, 30, 110), (150, 20, 20), (20, 20, 20), (10, 60, 30), (30, 30, 90)])
    accent = rng.choice([(20, 30, 110), (150, 20, 20), (200, 120, 20), (20, 90, 40), ink])
    if rng.random() < 0.4:  # coloured stripe at the top or bottom
        y0 = 0 if rng.random() < 0.5 else h - 22
        canvas[y0 : y0 + 22] = accent
    face = rng.choice(
        [
            cv2.FONT_HERSHEY_DUPLEX,
            cv2.FONT_HERSHEY_SIMPLEX,
            cv2.FONT_HERSHEY_TRIPLEX,
            cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
            cv2.FONT_HERSHEY_COMPLEX,
        ]
    )
    state = rng.choice(US_STATES)
    scale = rng.uniform(0.7, 1.1)
    (tw, _th), _ = cv2.getTextSize(state, face, scale, 2)
    scale *= min(1.0, (w - 30) / max(1, tw))
    (tw, _th), _ = cv2.getTextSize(state, face, scale, 2)
    cv2.putText(canvas, state, ((w - tw) // 2, rng.randint(24, 32)), face, scale, accent, 2, cv2.LINE_AA)
    slogan = rng.choice(US_SLOGANS)
    if slogan:
        (sw, _sh), _ = cv2.getTextSize(slogan, cv2.FONT_HERSHEY_SIMPLEX, 0.5, 1)
        cv2.putText(
            canvas, slogan, ((w - sw) // 2, h - 10), cv2.FONT_HERSHEY_SIMPLEX, 0.5, accent, 1, cv2.LINE_AA
        )
    ch = rng.randint(58, 76)
    cw = rng.randint(28, 38)
    text = spec.text
    # Many US plates split the mark ("ABC 1234", "ABC-1234") and put the state's emblem in the gap;
    # the emblem is not part of the plate number and the OCR must learn to skip it.
    if len(text) >= 5 and rng.random() < 0.6:
        cut = rng.choice([2, 3, 3, 4]) if len(text) >= 6 else rng.choice([2, 3])
        text = text[:cut] + " " + text[cut:]
    parts = text.split(" ")
    gap = rng.randint(3, 7)
    group_gap = rng.randint(18, 34)
    top = 40 + (76 - ch) // 2
    # State graphics beside the characters (Arizona's cactus, pines, a framed mountain, a state outline) sit in
    # a margin kept free for them, so they never cover a character; the OCR learns they are none.
    left, right = 10, w - 10
    side = rng.choice(["none", "none", "left", "right"])
    room = rng.randint(24, 42)
    if side == "left":
        left += room
    elif side == "right":
        right -= room
    spans = _draw_line(canvas, parts, spec, top, ch, cw, gap, group_gap, left, right, ink)
    if side != "none":
        cx = (10 + left) // 2 if side == "left" else (right + w - 10) // 2
        r = int(min(room / 2 - 1, ch * rng.uniform(0.3, 0.5)))
        draw_emblem(rng, canvas, cx, top + ch // 2, r, rng.choice([accent, ink, (30, 110, 40)]), PICTURES)
    if len(spans) == 2 and rng.random() < 0.7:
        r = max(2, min((group_gap - 6) // 2, int(ch * rng.uniform(0.15, 0.33))))
        cx = (spans[0][1] + spans[1][0]) // 2
        draw_emblem(rng, canvas, cx, top + ch // 2, r, rng.choice([accent, ink]), SEPARATORS + PICTURES)
    if rng.random() < 0.5:
        cv2.rectangle(canvas, (2, 2), (w - 3, h - 3), tuple(int(v * 0.6) for v in ink), 3)
    for sx in (w // 6, 5 * w // 6):  # mounting holes
        if rng.random() < 0.6:
            cv2.circle(canvas, (sx, 14), 5, (170, 170, 170), -1)
    return RenderedPlate(canvas, spec.label, 1, "us")


SEPARATORS = ("dot", "bar", "square", "diamond", "blob", "ring")
PICTURES = ("cactus", "pine", "picture", "outline")


def draw_emblem(
    rng: random.Random,
    canvas: np.ndarray,
    cx: int,
    cy: int,
    r: int,
    colour: tuple[int, int, int],
    shapes: tuple[str, ...],
) -> None:
    """A mark that is not a character, about 2r wide and up to 2.8r tall around (cx, cy): a
    separator (dot, bar, square, diamond, ring, a blob standing for a logo) or a picture (a cactus,
    a pine, a framed mountain like Washington's, a state outline)."""
    shape = rng.choice(shapes)
    t = max(2, r // 3)
    if shape == "dot":
        cv2.circle(canvas, (cx, cy), r, colour, -1, cv2.LINE_AA)
    elif shape == "ring":
        cv2.circle(canvas, (cx, cy), r, colour, t, cv2.LINE_AA)
    elif shape == "bar":
        cv2.rectangle(canvas, (cx - r, cy - t), (cx + r, cy + t), colour, -1)
    elif shape == "square":
        cv2.rectangle(canvas, (cx - r, cy - r), (cx + r, cy + r), colour, -1)
    elif shape == "diamond":
        pts = np.array([[cx, cy - r], [cx + r, cy], [cx, cy + r], [cx - r, cy]], np.int32)
        cv2.fillPoly(canvas, [pts], colour, cv2.LINE_AA)
    elif shape == "cactus":
        top, foot = cy - int(1.4 * r), cy + int(1.4 * r)
        cv2.line(canvas, (cx, top), (cx, foot), colour, t + 2, cv2.LINE_AA)
        for side, y in ((-1, rng.uniform(-0.2, 0.5)), (1, rng.uniform(-0.5, 0.2))):
            arm_y, tip = cy + int(y * r), cx + side * int(0.8 * r)
            pts = np.array([[cx, arm_y], [tip, arm_y], [tip, arm_y - int(0.7 * r)]], np.int32)
            cv2.polylines(canvas, [pts], False, colour, t, cv2.LINE_AA)
    elif shape == "pine":
        for k in range(3):
            y0 = cy - int(1.4 * r) + k * int(0.7 * r)
            half = int(r * (0.5 + 0.25 * k))
            pts = np.array(
                [[cx, y0], [cx + half, y0 + int(0.9 * r)], [cx - half, y0 + int(0.9 * r)]], np.int32
            )
            cv2.fillPoly(canvas, [pts], colour, cv2.LINE_AA)
        cv2.line(canvas, (cx, cy + int(0.8 * r)), (cx, cy + int(1.4 * r)), colour, t, cv2.LINE_AA)
    elif shape == "picture":
        cv2.rectangle(canvas, (cx - r, cy - r), (cx + r, cy + r), colour, max(1, t // 2))
        peak = cx + rng.randint(-r // 3, r // 3)
        pts = np.array([[cx - r + 2, cy + r - 2], [peak, cy - r // 2], [cx + r - 2, cy + r - 2]], np.int32)
        cv2.fillPoly(canvas, [pts], colour, cv2.LINE_AA)
    else:  # blob (a logo, drawn 1.4 times as tall as wide) or outline (a state's shape, as tall as wide)
        k = 1.4 if shape == "blob" else 1.0
        angles = np.linspace(0, 2 * np.pi, 9)[:-1]
        radii = [r * rng.uniform(0.6, 1.3) for _ in angles]
        pts = np.array(
            [[cx + rr * np.cos(a), cy + rr * k * np.sin(a)] for a, rr in zip(angles, radii, strict=True)],
            np.int32,
        )
        cv2.fillPoly(canvas, [pts], colour, cv2.LINE_AA)


# Most American plates are stamped in a condensed gothic face: a US-style plate takes one of the
# drawn faces this often when the training faces include them.
US_GOTHIC_SHARE = 0.4


def random_spec(rng: random.Random, fonts: tuple[FontSpec, ...], *, foreign_share: float) -> PlateSpec:
    font = rng.choice(fonts)
    if rng.random() < foreign_share:
        text, style = random_foreign(rng)
        label = "".join(c for c in text if c.isalnum())
        if style == "us":
            text = text.replace(" ", "")
            gothic = [f for f in fonts if drawn_font.is_drawn(f.path)]
            if gothic and rng.random() < US_GOTHIC_SHARE:
                font = rng.choice(gothic)
        return PlateSpec(text=text, label=label, style=style, font=font)
    vrm, fmt = random_uk_vrm(rng)
    parts = groups(vrm, fmt)
    layout = "single"
    if len(parts) == 2 and rng.random() < 0.12:
        layout = rng.choice(["square", "motorcycle"])
    return PlateSpec(
        text=" ".join(parts),
        label=vrm,
        style=rng.choice(["uk-front", "uk-rear"]),
        layout=layout,
        font=font,
        band=rng.choices(["none", "uk", "gb", "green"], [0.55, 0.3, 0.1, 0.05])[0],
        raised=rng.random() < 0.25,
        screws=rng.random() < 0.3,
        border=rng.random() < 0.2,
        dealer=rng.random() < 0.3 and fmt is not PlateFormat.NI,
    )
