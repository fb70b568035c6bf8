"""The app's own camera (flet-camera) in a dialog: returns the JPEG bytes, or None."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import flet as ft
import flet_camera as fc

if TYPE_CHECKING:
    from client.screens.shell import Shell


async def take_photo(shell: Shell) -> bytes | None:
    page = shell.page
    cam = fc.Camera(width=320, height=420, preview_enabled=True)
    done: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()

    async def shoot(e: object) -> None:
        try:
            data = await cam.take_picture()
        except Exception:  # the platform refused: the rep can still pick a file
            data = None
        if not done.done():
            done.set_result(data or None)

    def cancel(e: object) -> None:
        if not done.done():
            done.set_result(None)

    dialog = ft.AlertDialog(
        modal=True,
        content=cam,
        actions=[
            ft.TextButton(shell.tr("common.cancel"), on_click=cancel),
            ft.FilledButton(shell.tr("visit.take_photo"), icon=ft.Icons.CAMERA, on_click=shoot),
        ],
    )
    page.show_dialog(dialog)
    try:
        cameras = await cam.get_available_cameras()
        if not cameras:
            return None
        back = next(
            (c for c in cameras if c.lens_direction is fc.CameraLensDirection.BACK), cameras[0]
        )
        await cam.initialize(back, fc.ResolutionPreset.HIGH, enable_audio=False)
        return await done
    except Exception:
        return None
    finally:
        page.pop_dialog()
