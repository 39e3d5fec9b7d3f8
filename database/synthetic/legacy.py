"""The through-the-door population: a legacy credit policy refuses some applicants, who never get a TARGET.

Every outcome in the Kaggle data comes from a loan Home Credit granted; applicants its policy refused have
none. To measure reject inference, the generator can play that policy: a legacy score (the latent default
logit seen through noise, as an older scorecard would see it) refuses the riskiest share of the applicants.
The refused applicants are written to application_test.csv without TARGET, as a bank's database holds
them; their true default probability and the outcome they would have had are kept apart, in
through_the_door.csv, for evaluation only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: Standard deviation of the noise between the legacy score and the true default logit: the legacy score then
#: ranks the applicants' outcomes with an AUC of 0.76, the true probability with 0.82 (20,000 clients, seed
#: 2026; bench/reject_inference.py prints the figure of each run in docs/methodology.md).
LEGACY_NOISE = 1.0
COLUMNS = ("SK_ID_CURR", "LEGACY_SCORE", "LEGACY_DECISION", "TRUE_PD", "OUTCOME")


def legacy_score(rng: np.random.Generator, logit: np.ndarray) -> np.ndarray:
    """The legacy policy's score of each applicant: the true default logit seen through noise."""
    return logit + LEGACY_NOISE * rng.standard_normal(len(logit))


def legacy_refusals(legacy: np.ndarray, applicants: np.ndarray, share: float) -> np.ndarray:
    """Mask of the applicants the legacy policy refuses: the ``share`` of ``applicants`` with the highest
    ``legacy`` score (no one when ``share`` is 0)."""
    refused = np.zeros(len(legacy), dtype=bool)
    candidates = np.flatnonzero(applicants)
    n_refused = int(round(share * len(candidates)))
    refused[candidates[np.argsort(-legacy[candidates], kind="stable")[:n_refused]]] = True
    return refused


def write_through_the_door(path: Path, ids: np.ndarray, applicants: np.ndarray, legacy: np.ndarray,
                           refused: np.ndarray, true_pd: np.ndarray, outcome: np.ndarray) -> int:
    """Write one row per applicant: the legacy score and decision, the true default probability and the
    outcome the applicant had (granted) or would have had (refused); return the number of rows."""
    rows = np.flatnonzero(applicants)
    decisions = np.where(refused[rows], "refused", "granted")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(",".join(COLUMNS) + "\n")
        handle.write("".join(f"{i},{s:.6f},{d},{p:.6f},{o}\n" for i, s, d, p, o in zip(
            ids[rows].tolist(), legacy[rows].tolist(), decisions.tolist(), true_pd[rows].tolist(),
            outcome[rows].tolist(), strict=True)))
    return len(rows)
