"""Named population drifts for `python -m database.synthetic --drift NAME`: a later population the model meets.

A drift changes how applications are drawn, not the seed's other draws: with the same seed, the columns a
drift does not touch are identical to those of the undrifted population.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

#: Client, bureau-credit and previous-application IDs of a drifted population start this far above the
#: undrifted ones, so that it can be loaded next to the training population as new clients.
DRIFT_ID_OFFSET = 10_000_000


@dataclass(frozen=True)
class Drift:
    """How a drifted population differs from the undrifted one."""

    amount_factor: float = 1.0  # incomes, goods prices, credits and annuities multiplied by this
    ext_source_shift: float = 0.0  # external scores' latent normal shifted down by this many standard deviations
    contract_shares: dict | None = None  # new product mix: {NAME_CONTRACT_TYPE: share}
    default_odds: float = 1.0  # true odds of default multiplied by this (back-testing sees more defaults)

    @property
    def active(self) -> bool:
        return self != NO_DRIFT


NO_DRIFT = Drift()
DRIFTS: dict[str, Drift] = {
    "amounts": Drift(amount_factor=1.3),
    "ext-sources": Drift(ext_source_shift=0.6),
    "product-mix": Drift(contract_shares={"Cash loans": 0.5, "Revolving loans": 0.5}),
    "defaults": Drift(default_odds=2.0),
}
#: What `--drift all` combines: what moves the applicants, not their true default rate.
ALL = ("amounts", "ext-sources", "product-mix")


def parse_drift(names: list[str] | str | None) -> Drift:
    """One Drift from names (comma-separated or repeated; ``all`` = amounts, ext-sources, product-mix)."""
    if not names:
        return NO_DRIFT
    items = [n.strip() for part in ([names] if isinstance(names, str) else names) for n in part.split(",")]
    wanted = [n for item in items if item for n in (ALL if item == "all" else (item,))]
    unknown = [n for n in wanted if n not in DRIFTS]
    if unknown:
        raise ValueError(f"unknown drift {unknown[0]!r}: use {', '.join([*DRIFTS, 'all'])}")
    drift = NO_DRIFT
    for name in wanted:
        d = DRIFTS[name]
        drift = replace(drift, amount_factor=drift.amount_factor * d.amount_factor,
                        ext_source_shift=drift.ext_source_shift + d.ext_source_shift,
                        contract_shares=d.contract_shares or drift.contract_shares,
                        default_odds=drift.default_odds * d.default_odds)
    return drift
