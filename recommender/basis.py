"""Where a minutes figure comes from: the :data:`Basis` of a figure and the helpers that read its ``source``
(a custom workload's figures begin with :data:`CUSTOM_SOURCE_PREFIX`).

A type and plain functions that import nothing of the project; :mod:`recommender.models` re-exports them for
the modules that import them from there.
"""

from __future__ import annotations

from typing import Literal

#: Where a minutes figure comes from (recommender.performance.answers); does_not_fit only for a share-0 workload.
Basis = Literal["measured", "carried", "predicted", "specs_only", "does_not_fit"]


#: How every custom workload's ``source`` begins ("custom workload NAME (scaled like …)"): defined once, read by
#: the explanations and the TUI to tell a figure resting on the user's own measurement from a model prediction
CUSTOM_SOURCE_PREFIX = "custom workload "


def custom_source(name: str, detail: str) -> str:
    """The ``source`` of a custom workload's figure: ``custom workload NAME (DETAIL)``."""
    return f"{CUSTOM_SOURCE_PREFIX}{name} ({detail})"


def is_custom_estimate(basis: str, source: str | None) -> bool:
    """True for a figure predicted from a custom workload's own measurement."""
    return basis == "predicted" and (source or "").startswith(CUSTOM_SOURCE_PREFIX)


def is_custom_measurement(basis: str, source: str | None) -> bool:
    """True for a custom workload's own measurement at this configuration (``measured``, but not an MLPerf
    result)."""
    return basis == "measured" and (source or "").startswith(CUSTOM_SOURCE_PREFIX)


def summary_basis(bases: list[str]) -> str:
    """The one basis of several figures when they agree, else ``mixed``."""
    return bases[0] if len(set(bases)) == 1 else "mixed"
