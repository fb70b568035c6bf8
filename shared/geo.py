"""Coordinate systems used by Chinese map services, and geodesic distance.

Phone GPS reports WGS-84. Addresses geocoded by Amap / Tencent come back in GCJ-02 ("Mars
coordinates", 火星坐标) and by Baidu in BD-09; both are offset from WGS-84 by a few hundred metres
inside mainland China, more than the 500 m visit rule. Store coordinates therefore carry their
system (``shared.customers.CoordSystem``) and are converted with :func:`to_wgs84` before any
distance is measured with :func:`distance_m`.

The GCJ-02 forward transform is the widely published algorithm (Krasovsky 1940 ellipsoid
constants); it has no closed-form inverse, so :func:`gcj02_to_wgs84` iterates the forward
transform until the round trip is within ~1e-9 degree (millimetres). BD-09 is an extra
closed-form distortion on top of GCJ-02. All three are the identity outside a rough bounding box
of China, as in every published implementation.

Latitude comes first in every signature and result.
"""

from __future__ import annotations

import math

from pyproj import Geod

from shared.customers import CoordSystem

__all__ = [
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "distance_m",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "out_of_china",
    "to_wgs84",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 algorithm.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0

# Rough bounding box of China used by all published converters (not the real border).
_MIN_LON, _MAX_LON = 72.004, 137.8347
_MIN_LAT, _MAX_LAT = 0.8293, 55.8271

# Inverse iteration: stop when the forward image is within this many degrees (~0.1 mm).
_INVERSE_TOLERANCE_DEG = 1e-9
_INVERSE_MAX_ITER = 30

_GEOD = Geod(ellps="WGS84")
_DISTANCE_DECIMALS = 6  # micrometres


def out_of_china(lat: float, lon: float) -> bool:
    """True outside the rough bounding box where the Chinese offsets apply."""
    return not (_MIN_LON <= lon <= _MAX_LON and _MIN_LAT <= lat <= _MAX_LAT)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _gcj_delta(lat: float, lon: float) -> tuple[float, float]:
    """The GCJ-02 offset (degrees) to add to a WGS-84 point."""
    d_lat = _transform_lat(lon - 105.0, lat - 35.0)
    d_lon = _transform_lon(lon - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1.0 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lat, d_lon


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """WGS-84 (GPS) to GCJ-02 (Amap, Tencent). Identity outside China."""
    if out_of_china(lat, lon):
        return lat, lon
    d_lat, d_lon = _gcj_delta(lat, lon)
    return lat + d_lat, lon + d_lon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """GCJ-02 to WGS-84 by fixed-point iteration of the forward transform.

    Starts from the classic one-step approximation and corrects with the residual of the
    forward transform; converges to well under a millimetre in a few steps. Identity outside
    China (judged on the input point, like the forward transform).
    """
    if out_of_china(lat, lon):
        return lat, lon
    w_lat, w_lon = lat, lon
    for _ in range(_INVERSE_MAX_ITER):
        g_lat, g_lon = wgs84_to_gcj02(w_lat, w_lon)
        e_lat, e_lon = g_lat - lat, g_lon - lon
        if abs(e_lat) < _INVERSE_TOLERANCE_DEG and abs(e_lon) < _INVERSE_TOLERANCE_DEG:
            break
        w_lat, w_lon = w_lat - e_lat, w_lon - e_lon
    return w_lat, w_lon


def gcj02_to_bd09(lat: float, lon: float) -> tuple[float, float]:
    """GCJ-02 to BD-09 (Baidu). Identity outside China."""
    if out_of_china(lat, lon):
        return lat, lon
    z = math.hypot(lon, lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def bd09_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """BD-09 (Baidu) to GCJ-02, the published closed-form approximation. Identity outside China."""
    if out_of_china(lat, lon):
        return lat, lon
    x = lon - 0.0065
    y = lat - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.sin(theta), z * math.cos(theta)


def wgs84_to_bd09(lat: float, lon: float) -> tuple[float, float]:
    """WGS-84 to BD-09 (via GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lat, lon))


def bd09_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """BD-09 to WGS-84 (via GCJ-02, exact iterative inverse for the GCJ step)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lat, lon))


def to_wgs84(lat: float, lon: float, system: CoordSystem) -> tuple[float, float]:
    """Convert a coordinate stored in ``system`` to WGS-84 (the datum of phone GPS)."""
    if system is CoordSystem.WGS84:
        return lat, lon
    if system is CoordSystem.GCJ02:
        return gcj02_to_wgs84(lat, lon)
    if system is CoordSystem.BD09:
        return bd09_to_wgs84(lat, lon)
    raise ValueError(f"unknown coordinate system: {system!r}")  # pragma: no cover


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance in metres on the WGS-84 ellipsoid (Karney's algorithm via pyproj).

    Rounded to the micrometre: far below GPS accuracy, but it removes the ~1e-9 m floating-point
    noise of a forward/inverse round trip, so a point placed exactly on the 500 m boundary
    measures exactly 500.0 and "<= radius" is stable.
    """
    _, _, dist = _GEOD.inv(lon1, lat1, lon2, lat2)
    return round(float(dist), _DISTANCE_DECIMALS)
