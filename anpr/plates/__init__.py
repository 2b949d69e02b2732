"""UK number-plate grammar: normalisation, format classification, confusable characters."""

from anpr.plates.check import Candidate, VrmCheck, check_vrm
from anpr.plates.formats import PlateFormat, normalise

__all__ = ["Candidate", "PlateFormat", "VrmCheck", "check_vrm", "normalise"]
