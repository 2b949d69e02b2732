"""Latency percentiles as every benchmark reports them."""

from __future__ import annotations

import statistics


def percentiles(ms: list[float]) -> dict[str, float]:
    """n, p50 (median), p95, p99 and max of a list of milliseconds (nearest-rank above)."""
    s = sorted(ms)

    def at(q: float) -> float:
        return s[min(len(s) - 1, int(q * len(s)))]

    return {
        "n": len(s),
        "p50_ms": statistics.median(s),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "max_ms": s[-1],
    }
