"""Fonts we may ship or train with (Debian's OFL/Apache packages), and the held-out split.

`make train` installs the packages; `HERSHEY` is a stroke font drawn in code by
OpenCV at the Charles Wright stroke weight (14 mm stroke on 79 mm characters).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

APT_PACKAGES = ("fonts-dejavu-core", "fonts-roboto", "fonts-bebas-neue", "fonts-liberation2")
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
)
# Never trained on: the held-out synthetic split measures generalisation to an unseen face.
HELDOUT_FONTS: tuple[FontSpec, ...] = (
    FontSpec("liberation-sans-bold", "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf"),
)


def available(fonts: tuple[FontSpec, ...]) -> tuple[FontSpec, ...]:
    found = tuple(f for f in fonts if f.path == HERSHEY or Path(f.path).exists())
    if not found:
        raise FileNotFoundError("no plate fonts found; install Debian packages: " + " ".join(APT_PACKAGES))
    return found
