"""Target settings: every number of the dual-track targets, an organisation setting.

Defaults are the article's numbers; docs/targets.md documents each one by its field name.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class TargetSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    stock_repurchase_target: float = Field(
        default=2.3, gt=0, description="green when a rep's mean repurchase frequency >= this"
    )
    stock_yellow_ratio: float = Field(
        default=0.85, gt=0, le=1, description="yellow when >= ratio x target, red below"
    )
    stock_window_months: int = Field(
        default=3, ge=1, le=24, description="trailing calendar months of the window"
    )
    stock_breach_months: int = Field(
        default=2, ge=1, le=12, description="consecutive month ends below target -> intervention"
    )
    increment_cycle_target_days: int = Field(
        default=68, ge=1, description="green when the median first-order cycle <= this"
    )
    increment_yellow_ratio: float = Field(
        default=1.25, ge=1, description="yellow when the median <= ratio x target, red above"
    )
    increment_closed_window_days: int = Field(
        default=91, ge=1, description="closed cases counted: first order in the last N days"
    )
    increment_open_cases_in_median: bool = Field(
        default=True, description="open cases past the target enter the median with their age"
    )
    increment_yellow_weeks: int = Field(
        default=3, ge=1, le=52, description="consecutive yellow weeks -> support materials"
    )
    support_materials_per_push: int = Field(
        default=3, ge=1, le=20, description="documents pushed on a yellow streak"
    )
    week_end_weekday: int = Field(
        default=6, ge=0, le=6, description="weekday (Mon=0 .. Sun=6) of the weekly evaluation"
    )

    @property
    def stock_yellow_floor(self) -> float:
        return self.stock_repurchase_target * self.stock_yellow_ratio

    @property
    def increment_yellow_ceiling_days(self) -> float:
        return self.increment_cycle_target_days * self.increment_yellow_ratio
