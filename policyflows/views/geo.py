"""Where on the globe a jurisdiction lies: (latitude, longitude) for an ISO 3166 code.

Countries come from the ``countryinfo`` package (its per-country ``latlng``), regions and cities
(ISO 3166-2 codes such as ``CN-BJ``) from the ``iso3166-2`` package (its per-subdivision
``latLng``). Both ship their data, so nothing is fetched and no table is typed in here.
"""
from __future__ import annotations

from functools import cache


def _country(code: str) -> tuple[float, float] | None:
    from countryinfo import CountryInfo

    try:
        latlng = CountryInfo(code).latlng()
    except (KeyError, ValueError, LookupError):  # countryinfo's not-found error is a LookupError
        return None
    if not latlng or len(latlng) != 2:
        return None
    return float(latlng[0]), float(latlng[1])


@cache
def _subdivisions():
    from iso3166_2 import Subdivisions

    return Subdivisions()


def _subdivision(code: str) -> tuple[float, float] | None:
    country = code.split("-")[0]
    try:
        entry = _subdivisions()[country][code]
    except (KeyError, ValueError, TypeError):
        return None
    latlng = entry.get("latLng") if isinstance(entry, dict) else getattr(entry, "latLng", None)
    if not latlng or len(latlng) != 2:
        return None
    return float(latlng[0]), float(latlng[1])


@cache
def coordinates(code: str | None) -> tuple[float, float] | None:
    """(latitude, longitude) of an ISO 3166-1 alpha-2 or ISO 3166-2 code, or ``None`` when unknown.

    A region the subdivision data lacks falls back to its country.

    >>> coordinates("FR")
    (46.0, 2.0)
    """
    if not code:
        return None
    code = code.strip().upper()
    if "-" in code:
        return _subdivision(code) or _country(code.split("-")[0])
    return _country(code)


def project(latlng: tuple[float, float], width: float = 1600.0) -> tuple[float, float]:
    """Equirectangular screen position (x right, y down) of a point, the globe ``width`` wide."""
    lat, lng = latlng
    scale = width / 360.0
    return lng * scale, -lat * scale


@cache
def world_outlines(precision: int = 1) -> tuple[tuple[tuple[float, float], ...], ...]:
    """Every country's outline as rings of (longitude, latitude), rounded to ``precision`` decimals.

    From the GeoJSON that ``countryinfo`` ships (about 280 kB; rounding to one decimal halves it
    and is finer than a pixel on a map of the whole globe).
    """
    from countryinfo import all_countries

    rings = []
    for country in all_countries():
        try:
            collection = country.geo_json()
        except (KeyError, ValueError, LookupError, AttributeError):
            continue
        for feature in (collection or {}).get("features", []):
            rings.extend(_rings(feature.get("geometry") or {}, precision))
    return tuple(rings)


def _rings(geometry: dict, precision: int):
    polygons = {"Polygon": [geometry.get("coordinates", [])],
                "MultiPolygon": geometry.get("coordinates", [])}.get(geometry.get("type"), [])
    for polygon in polygons:
        for ring in polygon:
            points = tuple((round(float(p[0]), precision), round(float(p[1]), precision)) for p in ring)
            if len(points) >= 3:
                yield points
