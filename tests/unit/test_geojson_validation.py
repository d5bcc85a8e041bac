"""Bad GeoJSON is reported feature by feature, by number and code."""

from govgrid.geo.crs import Crs
from govgrid.geo.features import read_features
from govgrid.geo.topology import check_topology
from tests.unit.geojson_samples import MID, E, N, S, W, district_doc, feature, square, with_change


def problems_of(doc, existing=None, crs=Crs.GCJ02, allow_gaps=False):
    features, found = read_features(doc, crs)
    return found or check_topology(features, existing or {}, allow_gaps=allow_gaps)


def test_a_well_formed_district_has_no_problems():
    assert problems_of(district_doc()) == []


def test_a_ring_that_is_not_closed_is_named_by_feature_and_code():
    doc = with_change(district_doc(), 1, coordinates=[[[W, S], [MID, S], [MID, N], [W, N]]])
    [problem] = problems_of(doc)
    assert problem.feature == 2 and problem.code == "370199001"
    assert "点数少于 4 个" in problem.message or "未闭合" in problem.message


def test_a_ring_whose_last_point_differs_from_its_first_is_reported_unclosed():
    doc = with_change(district_doc(), 1, coordinates=[[[W, S], [MID, S], [MID, N], [W, N], [W, S + 0.001]]])
    [problem] = problems_of(doc)
    assert "未闭合" in problem.message and problem.code == "370199001"


def test_a_self_intersecting_polygon_is_reported_with_the_reason():
    bowtie = [[[W, S], [MID, N], [MID, S], [W, N], [W, S]]]
    [problem] = problems_of(with_change(district_doc(), 1, coordinates=bowtie))
    assert problem.code == "370199001" and "自相交" in problem.message


def test_projected_coordinates_are_reported_as_a_wrong_coordinate_system():
    metres = [[[500000, 4050000], [501000, 4050000], [501000, 4051000], [500000, 4051000], [500000, 4050000]]]
    [problem] = problems_of(with_change(district_doc(), 2, coordinates=metres))
    assert problem.code == "370199002" and "坐标系错误" in problem.message


def test_a_declared_projected_crs_is_refused():
    doc = district_doc()
    doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}
    [problem] = problems_of(doc)
    assert "EPSG::3857" in problem.message


def test_overlapping_siblings_are_reported_naming_both():
    doc = with_change(district_doc(), 2, coordinates=square(MID - 0.002, S, E, N))
    found = problems_of(doc)
    assert any(
        "重叠" in p.message and {p.code, "370199002", "370199001"} == {"370199001", "370199002"}
        for p in found
    )
    assert any("370199" in p.message for p in found if "重叠" in p.message)


def test_a_gap_between_siblings_is_reported_on_the_parent_with_a_location():
    doc = with_change(district_doc(), 2, coordinates=square(MID + 0.002, S, E, N))
    [problem] = problems_of(doc)
    assert problem.code == "370199" and "空隙" in problem.message and "经度" in problem.message


def test_gaps_may_be_allowed_explicitly():
    doc = with_change(district_doc(), 2, coordinates=square(MID + 0.002, S, E, N))
    assert problems_of(doc, allow_gaps=True) == []


def test_a_child_reaching_outside_its_parent_is_reported():
    doc = district_doc()
    doc["features"].append(feature("370199001001", "越界社区", square(W - 0.005, S, MID, N)))
    found = problems_of(doc, allow_gaps=True)
    assert any(p.code == "370199001001" and "超出上级区划 370199001" in p.message for p in found)


def test_a_child_whose_parent_is_nowhere_is_reported():
    doc = {"type": "FeatureCollection", "features": [feature("370199003", "孤街道", square(W, S, MID, N))]}
    [problem] = problems_of(doc)
    assert "上级区县 370199 不存在" in problem.message


def test_a_parent_already_stored_is_used_for_the_check():
    from shapely.geometry import shape

    stored = {"370199": shape({"type": "Polygon", "coordinates": square(W, S, E, N)})}
    doc = {"type": "FeatureCollection", "features": district_doc()["features"][1:]}
    assert problems_of(doc, existing=stored) == []


def test_duplicate_codes_and_bad_codes_are_reported():
    doc = district_doc()
    doc["features"].append(feature("370199002", "重复", square(MID, S, E, N)))
    doc["features"].append(feature("37019", "坏编码", square(MID, S, E, N)))
    found = problems_of(doc)
    assert any(p.feature == 4 and "编码重复" in p.message for p in found)
    assert any(p.feature == 5 and "code 无效" in p.message for p in found)


def test_wgs84_input_is_converted_to_gcj02_on_reading():
    features, found = read_features(district_doc(), Crs.WGS84)
    assert found == []
    west = features[1].geometry.bounds[0]
    assert 0.002 < west - W < 0.01  # GCJ-02 lies a few hundred metres east of WGS-84 here
