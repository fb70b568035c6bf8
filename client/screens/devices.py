"""The phone's sensors through Flet services: GPS (flet-geolocator), file picker, camera.

Created once per session. Each call answers a plain value or raises ``DeviceError`` with words.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import flet as ft
import flet_geolocator as ftg

if TYPE_CHECKING:
    from shared.visits import GpsFix


class DeviceError(Exception):
    pass


class Devices:
    def __init__(self, page: ft.Page) -> None:
        self.page = page
        self.picker = ft.FilePicker()
        self.geo = ftg.Geolocator(
            configuration=ftg.GeolocatorConfiguration(accuracy=ftg.GeolocatorPositionAccuracy.BEST)
        )

    @property
    def has_camera(self) -> bool:
        """flet-camera works on Android, iOS and web only."""
        platform = self.page.platform
        mobile = platform in (ft.PagePlatform.ANDROID, ft.PagePlatform.IOS)
        return bool(self.page.web) or mobile

    async def locate(self) -> GpsFix:
        from shared.visits import GpsFix  # pydantic: not imported to draw the first screen

        config = None
        if self.page.web:  # a fresh fix every time, never the browser's cached position
            config = ftg.GeolocatorWebConfiguration(
                accuracy=ftg.GeolocatorPositionAccuracy.BEST, maximum_age=ft.Duration()
            )
        try:
            pos = await self.geo.get_current_position(config)
        except Exception as exc:  # permission denied, no provider, timeout
            raise DeviceError(str(exc) or type(exc).__name__) from exc
        if pos.latitude is None or pos.longitude is None:
            raise DeviceError("no position")
        taken = pos.timestamp if isinstance(pos.timestamp, datetime) else None
        if taken is not None and taken.tzinfo is None:
            taken = taken.replace(tzinfo=UTC)
        return GpsFix(
            lat=float(pos.latitude),
            lon=float(pos.longitude),
            accuracy_m=float(pos.accuracy or 0.0),
            provider="geolocator",
            taken_at=taken,
        )

    async def pick_photo(self) -> bytes | None:
        files = await self.picker.pick_files(
            file_type=ft.FilePickerFileType.IMAGE, with_data=True, allow_multiple=False
        )
        if not files:
            return None
        f = files[0]
        if f.bytes:
            return bytes(f.bytes)
        if f.path:  # desktop: a path instead of bytes
            with open(f.path, "rb") as fh:
                return fh.read()
        return None
