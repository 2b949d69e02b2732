"""Plate colour and direction of travel.

White (front) plate = vehicle approaching, yellow (rear) = going away. When the
colour cannot be told (infrared cameras are monochrome) the motion decides:
a plate that grows and moves down the frame is coming towards the camera.
"""

from __future__ import annotations

import cv2
import numpy as np

from anpr.protocol import Direction, PlateColour


def plate_colour(image: np.ndarray, corners: np.ndarray) -> PlateColour:
    if image.ndim == 2 or image.shape[2] == 1:
        return PlateColour.UNKNOWN
    x1, y1 = np.floor(corners.min(0)).astype(int)
    x2, y2 = np.ceil(corners.max(0)).astype(int)
    crop = image[max(0, y1) : y2, max(0, x1) : x2]
    if crop.size == 0:
        return PlateColour.UNKNOWN
    # A white plate is grey too: tell an infrared (monochrome) frame by the vehicle around it.
    pw, ph = x2 - x1, y2 - y1
    around = image[max(0, y1 - 2 * ph) : y2 + 2 * ph, max(0, x1 - pw) : x2 + pw]
    around_hsv = cv2.cvtColor(around, cv2.COLOR_BGR2HSV)
    if float(np.percentile(around_hsv[:, :, 1], 95)) < 12:
        return PlateColour.UNKNOWN
    hsv = cv2.cvtColor(crop, cv2.COLOR_BGR2HSV).reshape(-1, 3)
    # The plate's background is its brighter half; the characters are the dark rest.
    bright = hsv[hsv[:, 2] >= np.percentile(hsv[:, 2], 50)]
    hue, sat = float(np.median(bright[:, 0])), float(np.median(bright[:, 1]))
    if 15 <= hue <= 38 and sat >= 70:
        return PlateColour.YELLOW
    if sat < 60:
        return PlateColour.WHITE
    return PlateColour.OTHER


def direction(colour: PlateColour, dy_per_s: float, growth_per_s: float) -> Direction:
    if colour is PlateColour.WHITE:
        return Direction.APPROACHING
    if colour is PlateColour.YELLOW:
        return Direction.RECEDING
    if growth_per_s > 0.05 or (abs(growth_per_s) <= 0.05 and dy_per_s > 5):
        return Direction.APPROACHING
    if growth_per_s < -0.05 or dy_per_s < -5:
        return Direction.RECEDING
    return Direction.UNKNOWN
