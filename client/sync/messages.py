"""Plain words for every sync failure, in Chinese and English (what the rep reads)."""

from __future__ import annotations

from client.sync.api import SyncError, SyncErrorKind

_TEXT: dict[SyncErrorKind, tuple[str, str]] = {
    SyncErrorKind.OFFLINE: (
        "Cannot reach the server. Your work is saved on this phone and will be sent later.",
        "无法连接服务器。您的记录已保存在本机，稍后会自动上传。",
    ),
    SyncErrorKind.AUTH_EXPIRED: (
        "Your sign-in has expired. Sign in again; nothing on this phone was lost.",
        "登录已过期，请重新登录；本机上的记录都已保留。",
    ),
    SyncErrorKind.VERSION_NOT_SUPPORTED: (
        "This app version is too old for the server. Update the app; "
        "your unsent work is kept and will be sent after the update.",
        "当前应用版本过旧，服务器不再支持。请升级应用；未上传的记录会保留，升级后自动上传。",
    ),
    SyncErrorKind.DEVICE_REVOKED: (
        "Your company removed this phone from its account. Its data has been deleted "
        "from this phone; ask your manager to enrol it again.",
        "公司已停用此手机，本机上的公司数据已删除。请联系主管重新登记。",
    ),
    SyncErrorKind.SERVER_ERROR: (
        "The server had a problem. Your work is saved on this phone; try again later.",
        "服务器出现问题。您的记录已保存在本机，请稍后再试。",
    ),
    SyncErrorKind.LOCAL_ERROR: (
        "This phone's storage failed during sync; nothing was lost. Try again.",
        "同步时本机存储出错，数据未丢失，请重试。",
    ),
    SyncErrorKind.IN_PROGRESS: (
        "A sync is already running.",
        "正在同步中，请稍候。",
    ),
}


def sync_error(kind: SyncErrorKind, detail_en: str = "", detail_zh: str = "") -> SyncError:
    en, zh = _TEXT.get(kind, _TEXT[SyncErrorKind.SERVER_ERROR])
    if detail_en:
        en = f"{en} ({detail_en})"
    if detail_zh:
        zh = f"{zh}（{detail_zh}）"
    return SyncError(kind=kind, message_en=en, message_zh=zh)
