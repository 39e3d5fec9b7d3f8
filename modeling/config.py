"""Settings of the modeling package: model folder from the environment and training defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

STRATEGIES = ("none", "class_weight", "smote", "undersample")

# Money mode (see docs in modeling/threshold.py): a bad loan accepted loses LGD x AMT_CREDIT,
# a good client refused loses MARGIN x AMT_CREDIT of lifetime net income.
DEFAULT_LGD = 0.6
DEFAULT_MARGIN = 0.1

# Points scale: 600 points at 50:1 good:bad odds, 20 points to double the odds.
BASE_POINTS = 600.0
BASE_ODDS = 50.0
PDO = 20.0

# Features whose business direction is beyond doubt: +1 = higher value, higher risk.
MONOTONE_RULES: tuple[tuple[str, int], ...] = (
    (r"^EXT_SOURCE_[123]$", -1),
    (r"^EXT_SOURCES?_MEAN$", -1),
    (r"(^|_)(SK_)?DPD(_DEF)?_(MEAN|MAX|SUM)$", 1),
    (r"(^|_)DAYS_LATE_(MEAN|MAX|SUM)$", 1),
    (r"(^|_)CREDIT_DAY_OVERDUE_(MEAN|MAX|SUM)$", 1),
    # Debt ratios: a larger share of the income owed or paid out each year never lowers the risk.
    (r"^(BURO_)?(CREDIT|ANNUITY|DEBT)_INCOME_RATIO$", 1),
)

LGBM_N_JOBS = 2

#: Application columns the model may not use (see modeling/policy.py); env PROTECTED_ATTRIBUTES overrides.
PROTECTED_ATTRIBUTES: tuple[str, ...] = ("CODE_GENDER",)
#: Model families competing for production, simplest first (see modeling/families.py).
CANDIDATES = ("ext_source", "scorecard", "lightgbm")


def protected_attributes() -> tuple[str, ...]:
    """The protected-attribute policy: env PROTECTED_ATTRIBUTES (comma-separated, 'none'), else the default."""
    from modeling.policy import parse

    text = os.environ.get("PROTECTED_ATTRIBUTES")
    return PROTECTED_ATTRIBUTES if text is None else parse(text)


def model_dir() -> Path:
    """Folder holding model versions: env MODEL_DIR, default <repo>/models."""
    return Path(os.environ.get("MODEL_DIR") or REPO_ROOT / "models")


def default_true_pd() -> Path:
    """Where the synthetic generator writes the true default probabilities."""
    return REPO_ROOT / "data" / "synthetic" / "true_pd.csv"


@dataclass
class TrainConfig:
    """Every option of `python -m modeling train`."""

    folds: int = 5
    max_evals: int = 30
    sample: int | None = None
    cost_fn: float = 10.0
    cost_fp: float = 1.0
    cost_mode: str = "unit"
    lgd: float = DEFAULT_LGD
    margin: float = DEFAULT_MARGIN
    strategies: tuple[str, ...] = STRATEGIES
    seed: int = 42
    source: Path | None = None
    true_pd: Path | None = None
    out_dir: Path | None = None
    compare_rows: int = 20000
    n_jobs: int = LGBM_N_JOBS
    baselines: bool = True
    protected: tuple[str, ...] | None = None  # None: the policy of protected_attributes()
    candidates: tuple[str, ...] = CANDIDATES
    policy_cost: bool = True  # measure what the protected-attribute policy costs (one more CV)
    fairness: bool = True
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = [s for s in self.strategies if s not in STRATEGIES]
        if unknown:
            raise ValueError(f"unknown strategy {unknown[0]!r}: choose among {', '.join(STRATEGIES)}")
        if self.cost_mode not in ("unit", "money"):
            raise ValueError(f"unknown cost mode {self.cost_mode!r}: choose unit or money")
        if self.folds < 2:
            raise ValueError(f"--folds must be at least 2, got {self.folds}")
        if self.protected is None:
            self.protected = protected_attributes()
        bad = [c for c in self.candidates if c not in CANDIDATES]
        if bad or not self.candidates:
            raise ValueError(f"unknown candidate {bad[0] if bad else ''!r}: choose among {', '.join(CANDIDATES)}")
