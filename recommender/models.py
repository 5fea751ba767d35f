"""Pydantic models that face users and files. Time to train is always ``minutes`` (minutes to train)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, PositiveInt


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Measurement(_Frozen):
    """One measured training time of a custom workload."""

    accelerator_id: str = Field(description="Accelerator id, e.g. nvidia-h100-sxm5-80gb.")
    accelerators: PositiveInt = Field(description="Total accelerator count of the measured configuration.")
    minutes: PositiveFloat = Field(description="Measured minutes to train.")
    nodes: PositiveInt | None = Field(default=None, description="Node count (default: derived from the form factor).")


class CustomWorkload(_Frozen):
    """A workload nobody measured in MLPerf, described by your own measurements."""

    name: str = Field(min_length=1, description="Name of the workload (unique within a scenario).")
    like: str | None = Field(
        default=None, description="MLPerf benchmark id it behaves like (its scaling shape is borrowed)."
    )
    measurements: list[Measurement] = Field(
        min_length=1, description="At least one measured configuration: accelerator, count, minutes."
    )
