"""How many edits apart two words are: the measure behind every "did you mean"."""

from __future__ import annotations

__all__ = ["edit_distance"]


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (edits, with swaps of neighbours counted once)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]
