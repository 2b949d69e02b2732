"""Fonts we may ship or train with (Debian's OFL/Apache packages), and the held-out split.

`make train` installs the packages; `HERSHEY` is a stroke font drawn in code by
OpenCV at the Charles Wright stroke weight (14 mm stroke on 79 mm characters), and the
`drawn:` faces are models.drawn_font's US plate gothic.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from models.drawn_font import PREFIX as DRAWN
from models.drawn_font import is_drawn

APT_PACKAGES = (
    "fonts-dejavu-core",
    "fonts-dejavu-extra",
    "fonts-roboto",
    "fonts-bebas-neue",
    "fonts-liberation2",
)
HERSHEY = "hershey"


@dataclass(frozen=True)
class FontSpec:
    name: str
    path: str  # a TTF/OTF path, or HERSHEY for the code-drawn stroke font


TRAIN_FONTS: tuple[FontSpec, ...] = (
    FontSpec("dejavu-condensed-bold", "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf"),
    FontSpec("roboto-condensed-bold", "/usr/share/fonts/truetype/roboto/unhinted/RobotoCondensed-Bold.ttf"),
    FontSpec(
        "roboto-condensed-medium", "/usr/share/fonts/truetype/roboto/unhinted/RobotoCondensed-Medium.ttf"
    ),
    FontSpec("bebas-neue-bold", "/usr/share/fonts/opentype/bebas-neue/BebasNeue-Bold.otf"),
    FontSpec("cw-stroke", HERSHEY),
    # More faces of the same packages: the real US plates' errors were shape confusions (Z/2, A/R,
    # M/H) on faces unlike ours, fixed-pitch serial fonts and slanted ones (Illinois).
    FontSpec("dejavu-sans-bold", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    FontSpec("dejavu-mono-bold", "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"),
    FontSpec(
        "dejavu-condensed-bold-oblique",
        "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-BoldOblique.ttf",
    ),
    FontSpec("roboto-black", "/usr/share/fonts/truetype/roboto/unhinted/RobotoTTF/Roboto-Black.ttf"),
    FontSpec(
        "roboto-condensed-bold-italic",
        "/usr/share/fonts/truetype/roboto/unhinted/RobotoCondensed-BoldItalic.ttf",
    ),
    FontSpec("bebas-neue-regular", "/usr/share/fonts/opentype/bebas-neue/BebasNeue-Regular.otf"),
    # Drawn in code (models.drawn_font): the open 4, straight 7 and 2, narrow 0 of US plates.
    FontSpec("us-gothic", DRAWN + "us-gothic"),
    FontSpec("us-gothic-light", DRAWN + "us-gothic-light"),
)
# Never trained on: the held-out synthetic split measures generalisation to an unseen face.
HELDOUT_FONTS: tuple[FontSpec, ...] = (
    FontSpec("liberation-sans-bold", "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf"),
)


# The UK real-scene dev set's faces (benchmarks.uk_devset): whole families that no model is ever
# trained on, so its figures say how reads generalise to typefaces never seen. Open DIN is the
# nearest free face to Charles Wright (both condensed DIN-like grotesques); Tiresias is the UK's
# own signage face. Installed by `make devset`, never by `make test` or training.
DEVSET_APT_PACKAGES = ("fonts-opendin", "fonts-tiresias", "fonts-freefont-ttf", "fonts-b612")
DEVSET_FONTS: tuple[FontSpec, ...] = (
    FontSpec("open-din", "/usr/share/fonts/truetype/opendin/OSP-DIN.ttf"),
    FontSpec("tiresias-lp-bold", "/usr/share/fonts/truetype/tiresias/tiresias_lpfont_bold.ttf"),
    FontSpec("freesans-bold", "/usr/share/fonts/truetype/freefont/FreeSansBold.ttf"),
    FontSpec("b612-bold", "/usr/share/fonts/opentype/b612/B612-Bold.otf"),
)


def family(font: FontSpec) -> str:
    """The family a face belongs to (its font file's folder, or the drawn font's name)."""
    if font.path == HERSHEY or is_drawn(font.path):
        return font.path
    return Path(font.path).parent.name


def available(fonts: tuple[FontSpec, ...]) -> tuple[FontSpec, ...]:
    found = tuple(f for f in fonts if f.path == HERSHEY or is_drawn(f.path) or Path(f.path).exists())
    if not found:
        raise FileNotFoundError("no plate fonts found; install Debian packages: " + " ".join(APT_PACKAGES))
    return found
