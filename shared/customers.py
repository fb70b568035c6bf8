"""Customers (stores, hospitals, factories) with coordinates in a named coordinate system."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class CoordSystem(StrEnum):
    """Datum of a stored coordinate. Phone GPS is WGS-84; Chinese map services are not."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"  # Amap / Tencent / Google China
    BD09 = "bd09"  # Baidu


class Customer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    org_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    address: str = Field(default="", max_length=500)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    coord_system: CoordSystem = CoordSystem.WGS84
    district: str = ""
    province: str = ""
    industry: str = ""
    new_industry: bool = False
    grade: str = ""
    stock_warning: str = Field(default="", description="Current stock warning text, '' if none")
