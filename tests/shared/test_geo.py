"""Coordinate-system conversions and geodesic distance (shared/geo.py)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyproj import Geod

from shared.customers import CoordSystem
from shared.geo import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    distance_m,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    out_of_china,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

# Reference pairs (wgs_lat, wgs_lon, gcj_lat, gcj_lon) published in
# googollee/eviltransform, python/test.py (the same three rows are in go/transform_test.go and
# javascript/test.js of that repository).
EVILTRANSFORM_WGS_GCJ = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]

# wandergis/coordtransform, test/app.js: every function applied to (lon 116.404, lat 39.915);
# the expected results are printed there as [lon, lat]. Rewritten here latitude first.
WANDERGIS_INPUT = (39.915, 116.404)
WANDERGIS_BD09_TO_GCJ02 = (39.90865673957631, 116.39762729119315)
WANDERGIS_GCJ02_TO_BD09 = (39.92133699351021, 116.41036949371029)
WANDERGIS_WGS84_TO_GCJ02 = (39.91640428150164, 116.41024449916938)
# Their gcj02towgs84 is the one-step approximation, not an exact inverse.
WANDERGIS_GCJ02_TO_WGS84_APPROX = (39.91359571849836, 116.39775550083061)

TOL_DEG = 1e-9  # ~0.1 mm

china_lat = st.floats(min_value=18.0, max_value=53.5)
china_lon = st.floats(min_value=73.5, max_value=135.0)


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), EVILTRANSFORM_WGS_GCJ)
def test_wgs84_to_gcj02_matches_the_eviltransform_reference_pairs(
    wlat: float, wlon: float, glat: float, glon: float
) -> None:
    lat, lon = wgs84_to_gcj02(wlat, wlon)
    assert lat == pytest.approx(glat, abs=TOL_DEG)
    assert lon == pytest.approx(glon, abs=TOL_DEG)


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), EVILTRANSFORM_WGS_GCJ)
def test_gcj02_to_wgs84_recovers_the_reference_gps_point_within_a_millimetre(
    wlat: float, wlon: float, glat: float, glon: float
) -> None:
    lat, lon = gcj02_to_wgs84(glat, glon)
    assert distance_m(lat, lon, wlat, wlon) < 0.001


def test_the_wandergis_reference_values_are_reproduced() -> None:
    assert wgs84_to_gcj02(*WANDERGIS_INPUT) == pytest.approx(WANDERGIS_WGS84_TO_GCJ02, abs=TOL_DEG)
    assert gcj02_to_bd09(*WANDERGIS_INPUT) == pytest.approx(WANDERGIS_GCJ02_TO_BD09, abs=TOL_DEG)
    assert bd09_to_gcj02(*WANDERGIS_INPUT) == pytest.approx(WANDERGIS_BD09_TO_GCJ02, abs=TOL_DEG)


def test_the_exact_inverse_is_within_a_decimetre_of_the_one_step_approximation() -> None:
    lat, lon = gcj02_to_wgs84(*WANDERGIS_INPUT)
    assert distance_m(lat, lon, *WANDERGIS_GCJ02_TO_WGS84_APPROX) < 0.1
    # ...and ours is the better inverse: it maps back onto the input.
    assert wgs84_to_gcj02(lat, lon) == pytest.approx(WANDERGIS_INPUT, abs=TOL_DEG)


# Measured GCJ-02 offsets (metres) for city centres. The folklore "300-600 m" is not exact:
# Shenzhen is ~606 m and Urumqi ~266 m, so each city gets its own honest band.
CITY_OFFSETS = [
    ("Beijing", 39.9042, 116.4074, 540, 570),
    ("Shanghai", 31.2304, 121.4737, 465, 500),
    ("Shenzhen", 22.5431, 114.0579, 590, 620),
    ("Chengdu", 30.5728, 104.0668, 345, 380),
    ("Urumqi", 43.8256, 87.6168, 250, 280),
]


@pytest.mark.parametrize(("city", "lat", "lon", "low", "high"), CITY_OFFSETS)
def test_the_gcj02_offset_in_chinese_cities_is_a_few_hundred_metres(
    city: str, lat: float, lon: float, low: float, high: float
) -> None:
    offset = distance_m(lat, lon, *wgs84_to_gcj02(lat, lon))
    assert low <= offset <= high, f"{city}: {offset:.1f} m"
    assert 250 <= offset <= 650


@pytest.mark.parametrize(("city", "lat", "lon", "low", "high"), CITY_OFFSETS)
def test_the_bd09_offset_is_larger_still(
    city: str, lat: float, lon: float, low: float, high: float
) -> None:
    offset = distance_m(lat, lon, *wgs84_to_bd09(lat, lon))
    assert 800 <= offset <= 1500, f"{city}: {offset:.1f} m"


@given(china_lat, china_lon)
def test_wgs_to_gcj_and_back_lands_within_a_metre(lat: float, lon: float) -> None:
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lat, lon))
    assert distance_m(lat, lon, *back) < 1.0


@given(china_lat, china_lon)
def test_wgs_to_bd_and_back_lands_within_a_metre(lat: float, lon: float) -> None:
    back = bd09_to_wgs84(*wgs84_to_bd09(lat, lon))
    assert distance_m(lat, lon, *back) < 1.0


@given(china_lat, china_lon)
def test_to_wgs84_undoes_each_map_service_system(lat: float, lon: float) -> None:
    assert to_wgs84(lat, lon, CoordSystem.WGS84) == (lat, lon)
    gcj = wgs84_to_gcj02(lat, lon)
    assert distance_m(lat, lon, *to_wgs84(*gcj, CoordSystem.GCJ02)) < 1.0
    bd = wgs84_to_bd09(lat, lon)
    assert distance_m(lat, lon, *to_wgs84(*bd, CoordSystem.BD09)) < 1.0


outside_china = st.one_of(
    st.tuples(st.floats(-90, 90), st.floats(-180, 72.0)),  # west of the box
    st.tuples(st.floats(-90, 90), st.floats(137.9, 180)),  # east of the box
    st.tuples(st.floats(56.0, 90), st.floats(-180, 180)),  # north of the box
    st.tuples(st.floats(-90, 0.8), st.floats(-180, 180)),  # south of the box
)


@given(outside_china)
def test_every_conversion_is_the_identity_outside_china(point: tuple[float, float]) -> None:
    lat, lon = point
    assert out_of_china(lat, lon)
    for convert in (
        wgs84_to_gcj02,
        gcj02_to_wgs84,
        gcj02_to_bd09,
        bd09_to_gcj02,
        wgs84_to_bd09,
        bd09_to_wgs84,
    ):
        assert convert(lat, lon) == (lat, lon)
    for system in CoordSystem:
        assert to_wgs84(lat, lon, system) == (lat, lon)


def test_well_known_places_are_inside_or_outside_the_box() -> None:
    assert not out_of_china(39.9042, 116.4074)  # Beijing
    assert out_of_china(52.5200, 13.4050)  # Berlin
    assert out_of_china(-33.8688, 151.2093)  # Sydney
    assert out_of_china(40.7128, -74.0060)  # New York


def test_one_degree_of_latitude_at_the_equator_is_110574_metres() -> None:
    # Textbook meridian arc on WGS-84 (e.g. the "length of a degree of latitude" tables).
    assert distance_m(0.0, 0.0, 1.0, 0.0) == pytest.approx(110574.4, abs=0.5)


def test_one_degree_of_longitude_on_the_equator_is_111319_metres() -> None:
    # a * pi / 180 with a = 6378137 m.
    assert distance_m(0.0, 0.0, 0.0, 1.0) == pytest.approx(6378137.0 * math.pi / 180, abs=0.01)


def test_distance_to_the_same_point_is_zero() -> None:
    assert distance_m(22.5431, 114.0579, 22.5431, 114.0579) == 0.0


@given(china_lat, china_lon, china_lat, china_lon)
def test_distance_is_symmetric(lat1: float, lon1: float, lat2: float, lon2: float) -> None:
    assert distance_m(lat1, lon1, lat2, lon2) == pytest.approx(
        distance_m(lat2, lon2, lat1, lon1), abs=1e-6
    )


@pytest.mark.parametrize("offset", [499.0, 500.0, 501.0])
@pytest.mark.parametrize("bearing", [0.0, 45.0, 90.0, 200.0, 333.0])
def test_points_offset_along_a_bearing_measure_back_to_a_centimetre(
    offset: float, bearing: float
) -> None:
    # Independent construction with Geod.fwd, so the 500 m rule boundary is trustworthy.
    lat0, lon0 = 22.5431, 114.0579
    lon1, lat1, _ = Geod(ellps="WGS84").fwd(lon0, lat0, bearing, offset)
    measured = distance_m(lat0, lon0, lat1, lon1)
    assert abs(measured - offset) < 0.01
    assert (measured <= 500.0) == (offset <= 500.0)


@given(
    china_lat,
    china_lon,
    st.floats(min_value=0.0, max_value=360.0),
    st.sampled_from([100.0, 499.0, 500.0, 501.0, 1000.0]),
)
def test_a_point_placed_exactly_on_a_radius_measures_exactly_that_radius(
    lat: float, lon: float, bearing: float, radius: float
) -> None:
    # distance_m rounds to the micrometre, so "<= radius" does not flip on 1e-9 m float noise.
    lon1, lat1, _ = Geod(ellps="WGS84").fwd(lon, lat, bearing, radius)
    assert distance_m(lat, lon, lat1, lon1) == radius
