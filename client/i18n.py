"""The app's words in 简体中文 (the default) and English.

Screens and view-models never hold user-facing text of their own: they name a key here, or carry
a domain error's own bilingual message in a :class:`Msg`. A test keeps both catalogues complete.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_LANG = "zh"
LANGS = ("zh", "en")
LANG_NAMES = {"zh": "简体中文", "en": "English"}

ZH: dict[str, str] = {
    "app.title": "拜访台账",
    "nav.customers": "客户",
    "nav.visits": "我的拜访",
    "nav.sync": "同步",
    "nav.settings": "设置",
    "first.title": "首次使用",
    "first.intro": "连接公司的同步服务器，登录并登记本设备。登录后无信号也能工作。",
    "first.server": "服务器地址",
    "first.org": "企业代码",
    "first.username": "用户名",
    "first.password": "密码",
    "first.submit": "登录并登记设备",
    "first.busy": "正在登录…",
    "first.missing": "请填写{field}",
    "first.bad_url": "服务器地址须以 http:// 或 https:// 开头",
    "first.offline": "连不上服务器：请检查地址和网络后重试",
    "first.failed": "登录失败：{reason}",
    "cust.search": "搜索客户（名称、拼音首字母、地址）",
    "cust.district": "片区",
    "cust.grade": "等级",
    "cust.all": "全部",
    "cust.sort_distance": "按距离排序",
    "cust.visited_today": "今日已拜访",
    "cust.not_visited": "今日未拜访",
    "cust.none": "没有找到客户。首次同步后客户会出现在这里。",
    "cust.distance": "{km} km",
    "cust.distance_m": "{m} m",
    "cust.count": "共 {n} 个客户",
    "prof.history": "历史信息",
    "prof.categories": "历史成交品类",
    "prof.intervals": "最近3次回访间隔",
    "prof.intervals_value": "{days} 天",
    "prof.last_visit": "上次拜访",
    "prof.stock_warning": "库存预警",
    "prof.none": "无",
    "prof.new_visit": "新建拜访",
    "prof.past_visits": "拜访记录",
    "prof.no_visits": "还没有拜访记录",
    "prof.drafts": "未完成的拜访（草稿）",
    "prof.resume": "继续填写",
    "visit.title": "新建拜访",
    "visit.amend_title": "修正拜访",
    "visit.action": "拜访动作",
    "visit.checklist": "SOP检查清单",
    "visit.photos": "照片证据",
    "visit.take_photo": "拍照",
    "visit.pick_photo": "从相册选择",
    "visit.retake": "重拍",
    "visit.photo_missing": "未拍",
    "visit.gps": "定位",
    "visit.get_gps": "获取定位",
    "visit.gps_none": "尚未定位",
    "visit.gps_value": "{lat}, {lon} ±{acc} m",
    "visit.gps_failed": "无法获取定位：{reason}",
    "visit.result": "拜访结果",
    "visit.notes": "备注",
    "visit.yes": "是",
    "visit.no": "否",
    "visit.validation": "实时校验",
    "visit.counts": "有效拜访",
    "visit.blocked": "不计为有效拜访",
    "visit.submit": "提交（本机保存）",
    "visit.saved_counts": "已保存：本次拜访计为有效拜访。",
    "visit.saved_blocked": "已保存：本次拜访不计为有效拜访（{n} 项未通过）。",
    "visit.discard": "放弃草稿",
    "visit.bad_number": "{field}须为数字",
    "visit.photo_bad": "照片无法使用：{reason}",
    "visit.amends": "修正的是 {id} 号拜访",
    "rule.pass": "通过",
    "rule.block": "未通过",
    "rule.warn": "提醒",
    "rule.todo": "怎么办：{hint}",
    "visits.today": "今天",
    "visits.week": "本周",
    "visits.none": "这段时间没有拜访",
    "visits.pending": "待同步",
    "visits.synced": "已同步",
    "visits.voided": "已作废",
    "detail.title": "拜访详情",
    "detail.void": "作废",
    "detail.amend": "修正",
    "detail.void_reason": "作废原因",
    "detail.void_need_reason": "请填写作废原因",
    "detail.voided_ok": "已作废，原记录作为证据保留。",
    "detail.evidence": "照片证据",
    "detail.provenance.app_camera": "应用相机拍摄",
    "detail.provenance.file_picker": "从相册选择",
    "sync.title": "同步",
    "sync.now": "立即同步",
    "sync.running": "正在同步…",
    "sync.phase.idle": "空闲",
    "sync.phase.connecting": "正在连接",
    "sync.phase.pushing": "正在上传记录",
    "sync.phase.uploading": "正在上传照片",
    "sync.phase.pulling": "正在下载更新",
    "sync.phase.done": "同步完成",
    "sync.phase.failed": "同步失败",
    "sync.records": "记录 {done}/{total}",
    "sync.bytes": "数据 {done}/{total}",
    "sync.result": "已上传 {pushed} 条，已下载 {pulled} 条",
    "sync.conflicts": "待处理的冲突",
    "sync.no_conflicts": "没有冲突",
    "sync.conflict_row": "{record} · {field}：本机 “{local}”，服务器 “{server}”",
    "sync.not_configured": "尚未连接服务器",
    "status.pending": "待同步 {visits} 条拜访 · {photos} 张照片",
    "status.last_sync": "上次同步 {when}",
    "status.never": "从未同步",
    "status.online": "在线",
    "status.offline": "离线",
    "status.unknown": "未连接",
    "update.title": "请更新应用",
    "update.body": "服务器已不支持这个版本的应用。请安装新版本；"
    "本机未同步的 {n} 条记录都会保留，更新后自动上传。",
    "settings.title": "设置",
    "settings.language": "语言",
    "settings.server": "服务器",
    "settings.account": "账号",
    "settings.device": "设备编号",
    "settings.sign_out": "退出登录",
    "settings.sign_out_refused": "还有 {n} 条记录未同步，退出会丢失它们。"
    "请先同步，或勾选确认后再退出。",
    "settings.sign_out_confirm": "我确认放弃未同步的记录",
    "settings.signed_out": "已退出登录",
    "common.back": "返回",
    "common.cancel": "取消",
    "common.ok": "确定",
    "common.error": "出错了：{reason}",
}

EN: dict[str, str] = {
    "app.title": "Visit ledger",
    "nav.customers": "Customers",
    "nav.visits": "My visits",
    "nav.sync": "Sync",
    "nav.settings": "Settings",
    "first.title": "First run",
    "first.intro": "Connect to your company's sync server, sign in and register this device. "
    "After that the app works without signal.",
    "first.server": "Server address",
    "first.org": "Organisation code",
    "first.username": "Username",
    "first.password": "Password",
    "first.submit": "Sign in and register device",
    "first.busy": "Signing in…",
    "first.missing": "Please fill in {field}",
    "first.bad_url": "The server address must start with http:// or https://",
    "first.offline": "Cannot reach the server: check the address and the network, then retry",
    "first.failed": "Sign-in failed: {reason}",
    "cust.search": "Search customers (name, pinyin initials, address)",
    "cust.district": "District",
    "cust.grade": "Grade",
    "cust.all": "All",
    "cust.sort_distance": "Sort by distance",
    "cust.visited_today": "Visited today",
    "cust.not_visited": "Not visited today",
    "cust.none": "No customers found. They appear here after the first sync.",
    "cust.distance": "{km} km",
    "cust.distance_m": "{m} m",
    "cust.count": "{n} customers",
    "prof.history": "History",
    "prof.categories": "Categories bought before",
    "prof.intervals": "Intervals between the last 3 visits",
    "prof.intervals_value": "{days} days",
    "prof.last_visit": "Last visit",
    "prof.stock_warning": "Stock warning",
    "prof.none": "None",
    "prof.new_visit": "New visit",
    "prof.past_visits": "Past visits",
    "prof.no_visits": "No visits yet",
    "prof.drafts": "Unfinished visits (drafts)",
    "prof.resume": "Continue",
    "visit.title": "New visit",
    "visit.amend_title": "Amend visit",
    "visit.action": "Action",
    "visit.checklist": "SOP checklist",
    "visit.photos": "Photo evidence",
    "visit.take_photo": "Take photo",
    "visit.pick_photo": "Pick from files",
    "visit.retake": "Retake",
    "visit.photo_missing": "Missing",
    "visit.gps": "Location",
    "visit.get_gps": "Get location",
    "visit.gps_none": "No location yet",
    "visit.gps_value": "{lat}, {lon} ±{acc} m",
    "visit.gps_failed": "Cannot get the location: {reason}",
    "visit.result": "Result",
    "visit.notes": "Notes",
    "visit.yes": "Yes",
    "visit.no": "No",
    "visit.validation": "Live validation",
    "visit.counts": "Counts",
    "visit.blocked": "Does not count",
    "visit.submit": "Submit (saved on this device)",
    "visit.saved_counts": "Saved: this visit counts.",
    "visit.saved_blocked": "Saved: this visit does not count ({n} rules failed).",
    "visit.discard": "Discard draft",
    "visit.bad_number": "{field} must be a number",
    "visit.photo_bad": "This photo cannot be used: {reason}",
    "visit.amends": "Amends visit {id}",
    "rule.pass": "Passed",
    "rule.block": "Failed",
    "rule.warn": "Warning",
    "rule.todo": "What to do: {hint}",
    "visits.today": "Today",
    "visits.week": "This week",
    "visits.none": "No visits in this period",
    "visits.pending": "Not synced",
    "visits.synced": "Synced",
    "visits.voided": "Voided",
    "detail.title": "Visit detail",
    "detail.void": "Void",
    "detail.amend": "Amend",
    "detail.void_reason": "Reason for voiding",
    "detail.void_need_reason": "Please give a reason for voiding",
    "detail.voided_ok": "Voided; the original stays as evidence.",
    "detail.evidence": "Photo evidence",
    "detail.provenance.app_camera": "Taken in the app's camera",
    "detail.provenance.file_picker": "Picked from files",
    "sync.title": "Sync",
    "sync.now": "Sync now",
    "sync.running": "Syncing…",
    "sync.phase.idle": "Idle",
    "sync.phase.connecting": "Connecting",
    "sync.phase.pushing": "Sending records",
    "sync.phase.uploading": "Uploading photos",
    "sync.phase.pulling": "Receiving updates",
    "sync.phase.done": "Sync finished",
    "sync.phase.failed": "Sync failed",
    "sync.records": "Records {done}/{total}",
    "sync.bytes": "Data {done}/{total}",
    "sync.result": "Sent {pushed}, received {pulled}",
    "sync.conflicts": "Conflicts to resolve",
    "sync.no_conflicts": "No conflicts",
    "sync.conflict_row": "{record} · {field}: this device “{local}”, server “{server}”",
    "sync.not_configured": "Not connected to a server yet",
    "status.pending": "To sync: {visits} visits · {photos} photos",
    "status.last_sync": "Last sync {when}",
    "status.never": "Never synced",
    "status.online": "Online",
    "status.offline": "Offline",
    "status.unknown": "Not connected",
    "update.title": "Please update the app",
    "update.body": "The server no longer supports this version of the app. Install the new "
    "version; the {n} unsynced records on this device are kept and sent after the update.",
    "settings.title": "Settings",
    "settings.language": "Language",
    "settings.server": "Server",
    "settings.account": "Account",
    "settings.device": "Device id",
    "settings.sign_out": "Sign out",
    "settings.sign_out_refused": "{n} records are not synced yet and would be lost. Sync first, "
    "or tick the confirmation and sign out again.",
    "settings.sign_out_confirm": "I accept losing the unsynced records",
    "settings.signed_out": "Signed out",
    "common.back": "Back",
    "common.cancel": "Cancel",
    "common.ok": "OK",
    "common.error": "Something went wrong: {reason}",
}

CATALOGUES: dict[str, dict[str, str]] = {"zh": ZH, "en": EN}


def norm_lang(lang: str | None) -> str:
    return "en" if (lang or "").lower().startswith("en") else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG, **args: Any) -> str:
    """The text of ``key`` in ``lang``; a missing key shows as itself (a test forbids that)."""
    text = CATALOGUES[norm_lang(lang)].get(key, key)
    return text.format(**args) if args else text


@dataclass(frozen=True)
class Msg:
    """A message a view-model hands to a screen: a catalogue key, or a domain error's texts."""

    key: str = ""
    args: dict[str, Any] = field(default_factory=dict)
    zh: str = ""
    en: str = ""

    def text(self, lang: str) -> str:
        if self.key:
            args = {k: (v.text(lang) if isinstance(v, Msg) else v) for k, v in self.args.items()}
            return t(self.key, lang, **args)
        return self.zh if norm_lang(lang) == "zh" else self.en

    @classmethod
    def raw(cls, zh: str, en: str) -> Msg:
        return cls(zh=zh, en=en)


def _merge_extra_catalogues() -> None:
    """Feature modules keep their words in their own files; they join the catalogues here."""
    from client import i18n_tickets

    for lang, extra in (("zh", i18n_tickets.ZH), ("en", i18n_tickets.EN)):
        CATALOGUES[lang].update(extra)
    from client import i18n_targets  # the targets screens (docs/manager-app.md)

    for lang, extra in (("zh", i18n_targets.ZH), ("en", i18n_targets.EN)):
        CATALOGUES[lang].update(extra)


_merge_extra_catalogues()


def _merge_admin_catalogues() -> None:
    """Touchpoint and admin screens' words (client/i18n_admin.py)."""
    from client import i18n_admin

    for lang, extra in (("zh", i18n_admin.ZH), ("en", i18n_admin.EN)):
        CATALOGUES[lang].update(extra)


_merge_admin_catalogues()
