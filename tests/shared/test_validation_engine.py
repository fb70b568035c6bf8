"""The validation engine: each rule's pass and fail side, and its boundaries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.customers import CoordSystem
from shared.geo import wgs84_to_bd09, wgs84_to_gcj02
from shared.photos.reuse import PhotoHashIndex
from shared.settings import DEFAULT_SEVERITIES, OrgSettings, RuleCode, Severity
from shared.validation.engine import validate_visit
from shared.visits import GpsFix, Provenance
from tests.support.factories import (
    STORE_LAT,
    STORE_LON,
    fake_hash,
    fake_phash,
    local,
    make_context,
    make_customer,
    make_photo,
    make_visit,
    offset_point,
)


def failed(report) -> set[str]:
    return {r.code.value for r in report.results if not r.passed}


def fix_at(lat: float, lon: float, accuracy: float = 15, **kw) -> GpsFix:
    return GpsFix(lat=lat, lon=lon, accuracy_m=accuracy, **kw)


def test_a_complete_display_visit_counts_with_every_rule_passing():
    report = validate_visit(make_visit(), make_context())
    assert report.counts
    assert failed(report) == set()
    codes = {r.code for r in report.results}
    assert codes == set(RuleCode)  # every rule reports, per-photo rules once per photo
    assert sum(r.code is RuleCode.PHOTO_REUSED for r in report.results) == 3


def test_every_result_has_a_chinese_and_an_english_message():
    report = validate_visit(make_visit(fix=None), make_context())
    for r in report.results:
        assert r.message_zh and r.message_en
        if r.blocks:
            assert r.hint_zh and r.hint_en


def test_a_display_visit_missing_the_price_tag_photo_is_blocked_and_says_which():
    when = local(2025, 3, 12)
    photos = [make_photo(s, when) for s in ("storefront", "stack_display")]
    report = validate_visit(make_visit(when, photos=photos), make_context())
    r = report.result(RuleCode.PHOTOS_REQUIRED)
    assert not report.counts and not r.passed
    assert (r.measured, r.limit) == (2, 3)
    assert "价签" in r.message_zh and "Price tag" in r.message_en


def test_three_photos_in_the_same_slot_do_not_satisfy_three_slots():
    when = local(2025, 3, 12)
    photos = [make_photo("storefront", when, label=f"p{i}") for i in range(3)]
    report = validate_visit(make_visit(when, photos=photos), make_context())
    assert report.result(RuleCode.PHOTOS_REQUIRED).measured == 1


@pytest.mark.parametrize(("metres", "passes"), [(0, True), (499, True), (500, True), (501, False)])
def test_the_distance_rule_passes_up_to_the_radius_and_fails_beyond(metres, passes):
    lat, lon = offset_point(STORE_LAT, STORE_LON, metres)
    report = validate_visit(make_visit(fix=fix_at(lat, lon)), make_context())
    r = report.result(RuleCode.GPS_DISTANCE)
    assert r.passed is passes
    assert r.measured == pytest.approx(metres, abs=0.1)
    assert report.counts is passes


def test_the_distance_message_shows_the_measured_value_against_the_limit():
    lat, lon = offset_point(STORE_LAT, STORE_LON, 312)
    r = validate_visit(make_visit(fix=fix_at(lat, lon)), make_context()).result(
        RuleCode.GPS_DISTANCE
    )
    assert r.message_zh == "距门店 312 m ≤ 500 m"


@pytest.mark.parametrize("system", [CoordSystem.GCJ02, CoordSystem.BD09])
def test_customer_coordinates_in_chinese_map_datums_are_converted_before_measuring(system):
    convert = wgs84_to_gcj02 if system is CoordSystem.GCJ02 else wgs84_to_bd09
    lat, lon = convert(STORE_LAT, STORE_LON)
    customer = make_customer(lat=lat, lon=lon, coord_system=system)
    report = validate_visit(make_visit(), make_context(customer=customer))
    assert report.result(RuleCode.GPS_DISTANCE).measured < 2
    # Taken as WGS-84, the same numbers would put the rep hundreds of metres away.
    naive = make_customer(lat=lat, lon=lon, coord_system=CoordSystem.WGS84)
    assert (
        validate_visit(make_visit(), make_context(customer=naive))
        .result(RuleCode.GPS_DISTANCE)
        .measured
        > 300
    )


def test_a_fix_less_accurate_than_the_limit_is_blocked_even_at_the_store():
    report = validate_visit(make_visit(fix=fix_at(STORE_LAT, STORE_LON, 800)), make_context())
    assert failed(report) == {"gps.accuracy"}
    assert not report.counts


def test_accuracy_at_the_limit_passes_and_is_not_added_to_the_distance():
    lat, lon = offset_point(STORE_LAT, STORE_LON, 460)
    report = validate_visit(make_visit(fix=fix_at(lat, lon, 100)), make_context())
    assert report.counts


def test_a_mock_location_fix_is_refused():
    report = validate_visit(
        make_visit(fix=fix_at(STORE_LAT, STORE_LON, is_mock=True)), make_context()
    )
    assert failed(report) == {"gps.mock_location"}
    assert not report.counts


def test_a_visit_without_a_fix_fails_every_gps_rule():
    report = validate_visit(make_visit(fix=None), make_context())
    assert {"gps.present", "gps.distance"} <= failed(report)
    assert not report.counts


@pytest.mark.parametrize(
    ("when", "passes", "kind"),
    [
        (local(2025, 1, 26), True, "makeup_workday"),  # Sunday, Spring Festival make-up workday
        (local(2025, 10, 1), False, "holiday"),  # Wednesday, National Day
        (local(2025, 3, 15), False, "weekend"),  # an ordinary Saturday
        (local(2025, 3, 12), True, "workday"),  # an ordinary Wednesday
    ],
)
def test_workdays_follow_the_official_mainland_china_calendar(when, passes, kind):
    report = validate_visit(make_visit(when), make_context())
    r = report.result(RuleCode.TIME_WORKDAY)
    assert (r.passed, r.measured) == (passes, kind)
    assert report.counts is passes


def test_a_date_in_a_year_with_no_loaded_schedule_warns_and_falls_back_to_weekdays():
    report = validate_visit(make_visit(local(2031, 3, 12)), make_context())
    r = report.result(RuleCode.TIME_CALENDAR_KNOWN)
    assert not r.passed and r.severity is Severity.WARN
    assert "2031" in r.message_zh
    assert report.result(RuleCode.TIME_WORKDAY).passed
    assert report.counts


@pytest.mark.parametrize(
    ("h", "m", "s", "passes"),
    [(8, 59, 59, False), (9, 0, 0, True), (18, 30, 0, True), (18, 30, 1, False)],
)
def test_work_hours_run_from_nine_to_half_past_six_inclusive(h, m, s, passes):
    when = local(2025, 3, 12, h, m, s)
    photos = [
        make_photo(slot, when - timedelta(minutes=1))
        for slot in ("storefront", "stack_display", "price_tag")
    ]
    report = validate_visit(make_visit(when, photos=photos), make_context())
    assert report.result(RuleCode.TIME_WORK_HOURS).passed is passes


def test_work_hours_are_judged_in_the_organisations_time_zone():
    when = local(2025, 3, 12, 10, 0).astimezone(tz=None)  # same instant, other zone
    settings = OrgSettings(timezone="Europe/Berlin")  # 03:00 in Berlin
    report = validate_visit(make_visit(when), make_context(settings=settings))
    assert not report.result(RuleCode.TIME_WORK_HOURS).passed


def test_a_device_clock_set_a_year_ahead_is_judged_by_the_server_anchor_and_flagged():
    when = local(2025, 3, 12)
    visit = make_visit(when, device_time=when + timedelta(days=365))
    report = validate_visit(visit, make_context())
    assert report.visit_time == when
    skew = report.result(RuleCode.TIME_CLOCK_SKEW)
    assert not skew.passed and skew.measured == 365 * 86400
    assert report.counts  # skew warns by default; the anchored time is a workday


def test_without_an_anchor_the_device_clock_is_used_and_the_time_is_flagged_untrusted():
    report = validate_visit(make_visit(anchored=False), make_context())
    assert report.time_source == "device"
    assert "time.trusted" in failed(report)
    assert report.counts


def test_a_file_picked_photo_from_last_week_is_refused():
    when = local(2025, 3, 12)
    photos = [
        make_photo("storefront", when - timedelta(days=7), provenance=Provenance.FILE_PICKER),
        make_photo("stack_display", when, provenance=Provenance.FILE_PICKER),
        make_photo("price_tag", when),
    ]
    report = validate_visit(make_visit(when, photos=photos), make_context())
    r = report.result(RuleCode.PHOTO_EXIF_TIME, "storefront")
    assert not r.passed and r.measured == pytest.approx(7 * 24 * 60)
    assert report.result(RuleCode.PHOTO_EXIF_TIME, "stack_display").passed
    assert not report.counts


@pytest.mark.parametrize(
    ("minutes_before", "passes"), [(120, True), (121, False), (-10, True), (-11, False)]
)
def test_the_photo_time_window_boundaries(minutes_before, passes):
    when = local(2025, 3, 12, 12, 0)
    taken = (when - timedelta(minutes=minutes_before)).replace(tzinfo=None)  # EXIF: naive local
    photos = [make_photo("storefront", when, provenance=Provenance.FILE_PICKER, taken_at=taken)]
    report = validate_visit(make_visit(when, photos=photos), make_context())
    assert report.result(RuleCode.PHOTO_EXIF_TIME, "storefront").passed is passes


def test_a_file_picked_photo_without_exif_time_must_prove_itself_and_fails():
    when = local(2025, 3, 12)
    p = make_photo("storefront", when, provenance=Provenance.FILE_PICKER).model_copy(
        update={"taken_at": None}
    )
    report = validate_visit(make_visit(when, photos=[p]), make_context())
    assert not report.result(RuleCode.PHOTO_EXIF_TIME, "storefront").passed


def test_an_app_camera_photo_with_no_exif_proves_itself_by_its_capture_stamp():
    when = local(2025, 3, 12)
    photos = [
        make_photo(s, when, gps=(STORE_LAT, STORE_LON))
        for s in ("storefront", "stack_display", "price_tag")
    ]
    assert all(p.taken_at is None for p in photos)
    report = validate_visit(make_visit(when, photos=photos), make_context())
    assert report.counts
    assert report.result(RuleCode.PHOTO_PROVENANCE, "storefront").measured == "app_camera"


def test_a_photo_claiming_the_app_camera_without_a_stamp_is_refused():
    when = local(2025, 3, 12)
    photos = [make_photo("storefront", when, stamped=False)]
    report = validate_visit(make_visit(when, photos=photos), make_context())
    assert not report.result(RuleCode.PHOTO_PROVENANCE, "storefront").passed


def test_exif_gps_far_from_the_store_is_refused_and_absent_gps_is_accepted():
    when = local(2025, 3, 12)
    far = offset_point(STORE_LAT, STORE_LON, 3000)
    photos = [
        make_photo("storefront", when, provenance=Provenance.FILE_PICKER, gps=far),
        make_photo("stack_display", when, provenance=Provenance.FILE_PICKER),
        make_photo(
            "price_tag", when, provenance=Provenance.FILE_PICKER, gps=(STORE_LAT, STORE_LON)
        ),
    ]
    report = validate_visit(make_visit(when, photos=photos), make_context())
    assert not report.result(RuleCode.PHOTO_EXIF_GPS, "storefront").passed
    assert report.result(RuleCode.PHOTO_EXIF_GPS, "stack_display").passed
    assert report.result(RuleCode.PHOTO_EXIF_GPS, "price_tag").passed


def _history_with(label: str, visit_id: str = "old-visit") -> PhotoHashIndex:
    index = PhotoHashIndex()
    index.add(fake_hash(label), fake_phash(label), visit_id)
    return index


def test_the_same_photo_as_in_an_earlier_visit_is_refused_as_reused():
    when = local(2025, 3, 12)
    photos = [
        make_photo(s, when, label="old-shot" if s == "price_tag" else None)
        for s in ("storefront", "stack_display", "price_tag")
    ]
    report = validate_visit(
        make_visit(when, photos=photos), make_context(history=_history_with("old-shot"))
    )
    r = report.result(RuleCode.PHOTO_REUSED, "price_tag")
    assert not r.passed and r.measured == "exact"
    assert not report.counts


def test_a_nearly_identical_photo_is_refused_and_a_distant_one_is_not():
    when = local(2025, 3, 12)
    old = fake_phash("old-shot")
    near = f"{int(old, 16) ^ 0b111111:016x}"  # 6 bits differ: at the default limit
    far = f"{int(old, 16) ^ 0b1111111:016x}"  # 7 bits differ
    history = _history_with("old-shot")
    for phash, passes in ((near, False), (far, True)):
        photos = [make_photo("storefront", when, label="new", phash=phash)]
        r = validate_visit(make_visit(when, photos=photos), make_context(history=history)).result(
            RuleCode.PHOTO_REUSED, "storefront"
        )
        assert r.passed is passes


def test_a_visits_own_photos_and_the_photos_of_the_visit_it_amends_are_not_reuse():
    when = local(2025, 3, 12)
    photos = [make_photo("storefront", when, label="shot")]
    own = make_visit(when, photos=photos, id="v1")
    assert (
        validate_visit(own, make_context(history=_history_with("shot", "v1")))
        .result(RuleCode.PHOTO_REUSED, "storefront")
        .passed
    )
    amendment = make_visit(when, photos=photos, id="v2", amends="v1")
    assert (
        validate_visit(amendment, make_context(history=_history_with("shot", "v1")))
        .result(RuleCode.PHOTO_REUSED, "storefront")
        .passed
    )


def test_the_same_photo_in_two_slots_of_one_visit_is_refused():
    when = local(2025, 3, 12)
    photos = [
        make_photo(s, when, label="same") for s in ("storefront", "stack_display", "price_tag")
    ]
    report = validate_visit(make_visit(when, photos=photos), make_context())
    assert report.result(RuleCode.PHOTO_REUSED, "storefront").passed
    assert not report.result(RuleCode.PHOTO_REUSED, "stack_display").passed


def test_an_unchecked_checklist_item_and_a_missing_required_result_block_the_visit():
    visit = make_visit(action_type="new_product", checklist={"sample_shown": True}, result={})
    report = validate_visit(visit, make_context(action_type="new_product"))
    assert {"checklist.required", "result.required"} <= failed(report)
    assert "新品试用转化" in report.result(RuleCode.RESULT_REQUIRED).message_zh


def test_a_result_of_the_wrong_type_is_refused():
    visit = make_visit(action_type="replenishment", result={"stock_count": "many"})
    report = validate_visit(visit, make_context(action_type="replenishment"))
    assert "result.required" in failed(report)


def test_an_unknown_action_type_blocks_the_visit_with_a_clear_message():
    visit = make_visit(action_type="teleport", photos=[])
    report = validate_visit(visit, make_context(action_type="teleport"))
    assert not report.counts
    assert "teleport" in report.result(RuleCode.PHOTOS_REQUIRED).message_en


def test_a_rule_set_to_warn_no_longer_blocks_and_a_rule_set_off_is_not_reported():
    severities = dict(DEFAULT_SEVERITIES)
    severities[RuleCode.GPS_DISTANCE] = Severity.WARN
    severities[RuleCode.GPS_ACCURACY] = Severity.OFF
    settings = OrgSettings(severities=severities)
    lat, lon = offset_point(STORE_LAT, STORE_LON, 900)
    report = validate_visit(make_visit(fix=fix_at(lat, lon, 900)), make_context(settings=settings))
    assert report.counts
    assert [r.code for r in report.warnings] == [RuleCode.GPS_DISTANCE]
    assert report.result(RuleCode.GPS_ACCURACY) is None


def test_the_radius_is_an_organisation_setting():
    lat, lon = offset_point(STORE_LAT, STORE_LON, 150)
    report = validate_visit(
        make_visit(fix=fix_at(lat, lon)), make_context(settings=OrgSettings(radius_m=100))
    )
    assert not report.result(RuleCode.GPS_DISTANCE).passed
