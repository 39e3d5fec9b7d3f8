"""The protected-attribute policy: application columns the model may not use, nor anything derived from them.

The default, ``PROTECTED_ATTRIBUTES`` in modeling.config, is ``CODE_GENDER``: a European lender may not
price or refuse credit on sex (Council Directive 2004/113/EC). Age (``DAYS_BIRTH``) is allowed by
default and can be added (``python -m modeling train --protected CODE_GENDER,DAYS_BIRTH``); the choice
and its reasons are in docs/methodology.md. Protected columns are removed from the features before
training, so no fold model, no production model and no explanation can use or cite them.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

#: Features computed from an application column without carrying its name.
DERIVED: dict[str, tuple[str, ...]] = {
    "DAYS_BIRTH": ("EMPLOYED_AGE_RATIO", "ID_PUBLISH_AGE_RATIO"),
}
#: Application columns a policy may name (those the features are built from and a person can be judged on).
KNOWN = ("CODE_GENDER", "DAYS_BIRTH", "NAME_FAMILY_STATUS", "CNT_CHILDREN", "CNT_FAM_MEMBERS")


def parse(text: str) -> tuple[str, ...]:
    """A comma-separated list of application columns ('none' for an empty policy), checked against KNOWN."""
    if text.strip().lower() in ("", "none"):
        return ()
    names = tuple(n.strip().upper() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in KNOWN]
    if unknown:
        raise ValueError(f"cannot protect {unknown[0]!r}: choose among {', '.join(KNOWN)} (or 'none')")
    return names


def derived_from(attribute: str, feature: str) -> bool:
    """True if the feature is the attribute itself, one of its one-hot columns, or computed from it."""
    return feature == attribute or feature.startswith(attribute + "_") or feature in DERIVED.get(attribute, ())


def protected_features(features: Iterable[str], protected: Sequence[str]) -> list[str]:
    """The features the policy removes, in their order."""
    return [f for f in features if any(derived_from(a, f) for a in protected)]


def describe(protected: Sequence[str]) -> str:
    """One sentence for the card and the report."""
    if not protected:
        return "No attribute is protected: every application column may be used."
    return (f"Protected attributes, removed with every feature derived from them before training: "
            f"{', '.join(protected)}.")
