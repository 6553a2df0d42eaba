"""Candidate pairs of claims without comparing every claim with every other.

Claims are cut into date buckets of ``rules.widest_window`` days, so two
claims whose dates are close enough to link fall in the same or adjacent
buckets. Consecutive buckets are taken in blocks of about ``CHUNK_ROWS``
claims, each with the bucket that follows it (bounded memory whatever the
size of the table), and inside a block claims meet only through a shared key
and the same or the next bucket:

- town level (geo_precision 1-2): a grid cell of ``CELL_DEG`` degrees and its
  eight neighbours (a cell is at least 25 km wide up to latitude 63);
- region level: the same (country, admin1), when either claim is region-only;
- country level: the same (country, day), when either claim is country-only.

The pairs are positions ``a`` < ``b`` into the claims frame, each pair once.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from pipeline.link.rules import LinkRules

CELL_DEG = 0.5
CHUNK_ROWS = 20_000  # claims per block of consecutive buckets (bounds the memory of one merge)
_NEIGHBOURS = [(dx, dy, db) for dx in (-1, 0, 1) for dy in (-1, 0, 1) for db in (0, 1)]
_COLUMNS = ["pos_x", "pos_y", "first_x", "first_y"]


def candidate_pairs(claims: pd.DataFrame, rules: LinkRules) -> pd.DataFrame:
    """Every pair of claims that may link, as positions ``a`` < ``b`` into ``claims``."""
    pairs = pd.concat([pd.DataFrame({"a": [], "b": []}, dtype="int64"), *iter_candidate_pairs(claims, rules)], ignore_index=True)
    return pairs.drop_duplicates(ignore_index=True).sort_values(["a", "b"], ignore_index=True)


def iter_candidate_pairs(claims: pd.DataFrame, rules: LinkRules) -> Iterator[pd.DataFrame]:
    """The candidate pairs block by block (each pair in exactly one block), so memory stays bounded."""
    if len(claims) < 2:
        return
    bucket = claims["day"].to_numpy() // max(rules.widest_window, 1)
    order = np.argsort(bucket, kind="stable")
    sorted_bucket = bucket[order]
    lo = 0
    while lo < len(order):
        hi = _chunk_end(sorted_bucket, lo)
        overlap = np.searchsorted(sorted_bucket, sorted_bucket[hi - 1] + 1, side="right")
        rows = claims.iloc[order[lo:overlap]].assign(
            pos=order[lo:overlap], bucket=sorted_bucket[lo:overlap], first=np.arange(overlap - lo) < hi - lo)
        yield _chunk_pairs(rows).drop_duplicates(ignore_index=True)
        lo = hi


def _chunk_end(sorted_bucket: np.ndarray, lo: int) -> int:
    """End of a block starting at ``lo``: about CHUNK_ROWS claims, never splitting a bucket."""
    hi = min(lo + CHUNK_ROWS, len(sorted_bucket))
    return int(np.searchsorted(sorted_bucket, sorted_bucket[hi - 1], side="right"))


def _chunk_pairs(rows: pd.DataFrame) -> pd.DataFrame:
    """Pairs within one block that touch its own buckets (the overlap bucket's own pairs belong to the next)."""
    parts = [_town_pairs(rows), _keyed_pairs(rows, ["country_code", "admin1"], 3), _keyed_pairs(rows, ["country_code", "day"], 4)]
    pairs = pd.concat(parts, ignore_index=True)
    pairs = pairs[pairs["first_x"].astype(bool) | pairs["first_y"].astype(bool)]
    x, y = pairs["pos_x"].to_numpy(dtype=np.int64), pairs["pos_y"].to_numpy(dtype=np.int64)
    out = pd.DataFrame({"a": np.minimum(x, y), "b": np.maximum(x, y)})
    return out[out["a"] < out["b"]]


def _town_pairs(rows: pd.DataFrame) -> pd.DataFrame:
    town = rows[rows["geo_precision"] <= 2]
    cx = np.floor(town["lat"].to_numpy() / CELL_DEG).astype(np.int64)
    cy = np.floor(town["lon"].to_numpy() / CELL_DEG).astype(np.int64)
    bk = town["bucket"].to_numpy()
    home = pd.DataFrame({"cx": cx, "cy": cy, "bk": bk, "pos": town["pos"].to_numpy(), "first": town["first"].to_numpy()})
    probes = pd.concat([home.assign(cx=cx + dx, cy=cy + dy, bk=bk + db) for dx, dy, db in _NEIGHBOURS], ignore_index=True)
    return home.merge(probes, on=["cx", "cy", "bk"])[_COLUMNS]


def _keyed_pairs(rows: pd.DataFrame, key: list[str], precision: int) -> pd.DataFrame:
    """Pairs sharing ``key`` (and a bucket or the next) where at least one claim is placed only at ``precision``."""
    keyed = rows[(rows["geo_precision"] <= precision) & rows[key].notna().all(axis=1)]
    keyed = keyed[key + ["bucket", "pos", "first", "geo_precision"]]
    coarse = keyed[keyed["geo_precision"] == precision]
    if coarse.empty:
        return pd.DataFrame(columns=_COLUMNS)
    shifted = [coarse.assign(bucket=coarse["bucket"] + db) for db in (-1, 0, 1)]
    merged = pd.concat(shifted, ignore_index=True).merge(keyed, on=key + ["bucket"])
    return merged[_COLUMNS]
