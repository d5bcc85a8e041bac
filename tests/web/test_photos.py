"""Case photos: accepted by their bytes (signature, structure, dimensions), refused with the field named,
read only within scope."""

import pytest

from tests import samples
from tests.factories import STREET_A

PNG = samples.png()
JPEG = samples.jpeg()


def a_case(client, district, title="拍照案件"):
    point = district.grid(STREET_A).geometry.representative_point()
    return client.post(
        "/api/v1/cases", json={"class_code": "E0102", "title": title, "lng": point.x, "lat": point.y}
    ).json()


def test_a_grid_worker_uploads_a_photo_and_the_dispatcher_downloads_it(as_user, district):
    worker = as_user("grid_worker")
    point = district.grid(f"{STREET_A}001").geometry.representative_point()
    case = worker.post(
        "/api/v1/cases", json={"class_code": "E0102", "title": "带照片", "lng": point.x, "lat": point.y}
    ).json()
    uploaded = worker.post(
        f"/api/v1/cases/{case['id']}/photos", files={"photo": ("现场.jpg", JPEG, "image/jpeg")}
    )
    assert uploaded.status_code == 201 and uploaded.json()["content_type"] == "image/jpeg"
    dispatcher = as_user("dispatcher")
    listed = dispatcher.get(f"/api/v1/cases/{case['id']}/photos").json()
    assert [p["filename"] for p in listed] == ["现场.jpg"]
    assert dispatcher.get(listed[0]["url"]).content == JPEG
    steps = [h["step"] for h in dispatcher.get(f"/api/v1/cases/{case['id']}/timeline").json()]
    assert steps == ["report", "photo"]


def test_an_oversized_photo_is_refused_naming_the_field_and_nothing_is_kept(as_user, district, app):
    dispatcher = as_user("dispatcher")
    case = a_case(dispatcher, district)
    too_big = samples.jpeg() + b"\x00" * (app.state.settings.max_photo_mb * 1024 * 1024)
    answer = dispatcher.post(
        f"/api/v1/cases/{case['id']}/photos", files={"photo": ("big.png", too_big, "image/png")}
    )
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "photo" and "过大" in answer.text
    assert dispatcher.get(f"/api/v1/cases/{case['id']}/photos").json() == []


def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(as_user, district):
    dispatcher = as_user("dispatcher")
    case = a_case(dispatcher, district)
    answer = dispatcher.post(
        f"/api/v1/cases/{case['id']}/photos",
        files={"photo": ("evil.jpg", b"MZ\x90\x00 not a picture", "image/jpeg")},
    )
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "photo"


def test_a_leader_reads_but_does_not_upload(as_user, district):
    case = a_case(as_user("dispatcher"), district)
    answer = as_user("leader").post(
        f"/api/v1/cases/{case['id']}/photos", files={"photo": ("a.png", PNG, "image/png")}
    )
    assert answer.status_code == 403


@pytest.mark.parametrize(
    "name,data,reason",
    [
        ("polyglot.gif", samples.gif_html_polyglot(), "网页或脚本"),
        ("huge.png", samples.png(30000, 30000), "尺寸"),
        ("wide.png", samples.png(20000, 6000), "尺寸"),
        ("fake.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 256, "结构"),
        ("tail.png", samples.png() + b"<html>", "结构"),
    ],
)
def test_a_polyglot_a_dimension_bomb_or_a_fake_image_is_refused_before_anything_is_kept(
    as_user, district, name, data, reason
):
    dispatcher = as_user("dispatcher")
    case = a_case(dispatcher, district)
    answer = dispatcher.post(f"/api/v1/cases/{case['id']}/photos", files={"photo": (name, data, "image/png")})
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "photo" and reason in answer.text
    assert dispatcher.get(f"/api/v1/cases/{case['id']}/photos").json() == []


def test_a_real_gif_and_a_photo_with_a_trailer_after_its_image_are_accepted(as_user, district):
    dispatcher = as_user("dispatcher")
    case = a_case(dispatcher, district)
    for name, data in (("a.gif", samples.GIF), ("motion.jpg", samples.jpeg() + b"\x00" * 4096 + b"ftypmp42")):
        answer = dispatcher.post(
            f"/api/v1/cases/{case['id']}/photos", files={"photo": (name, data, "image/jpeg")}
        )
        assert answer.status_code == 201, answer.text


def test_no_photo_is_added_to_a_closed_case(session, district, tmp_path):
    from govgrid.domain.errors import InvalidInput
    from govgrid.domain.workflow import Step
    from govgrid.services import blobs
    from govgrid.services.cases import photos as attachments
    from tests.services.cases.test_cases import patrol, step, who

    case = patrol(session, district)
    for action, user in ((Step.VERIFY, "dispatcher"), (Step.CANCEL, "dispatcher")):
        case = step(session, user, case, action, case.reported_at, note="误报")
    upload = blobs.photo("late.png", PNG, blobs.FileLimits())
    with pytest.raises(InvalidInput, match="已办结"):
        attachments.attach_photo(
            session,
            actor=who(session, "dispatcher"),
            media_dir=tmp_path,
            case_id=case.id,
            photo=upload,
            now=case.reported_at,
        )
