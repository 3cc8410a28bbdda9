"""A permit from intake to return in a real browser: a citizen on a phone picks the parcel on
the map and submits; officers accept, route and review it; the leader decides; the result is
returned with a rating; the citizen looks it up. Nothing leaves the machine."""

from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.test import Client

from dossiers.models import Dossier, Status
from tests.accounts_factories import make_citizen, make_department, make_official
from tests.dossiers.factories import PDF, ensure_catalogue
from tests.factories import make_district, make_parcel
from urbanmgmt.models import Role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def contexts():
    """Browser contexts opened by the test, closed after it (with their connections)."""
    opened = []
    yield opened
    for context in opened:
        context.close()


def open_page(browser, live_server, contexts, user, *, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    contexts.append(context)
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    if user is not None:
        client = Client()
        client.force_login(user)
        cookies.append(
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        )
    context.add_cookies(cookies)
    page = context.new_page()
    page.outside_requests = []
    page.errors = []
    host = urlparse(live_server.url).netloc
    page.on(
        "request",
        lambda r: (
            urlparse(r.url).netloc != host
            and urlparse(r.url).scheme in ("http", "https")
            and page.outside_requests.append(r.url)
        ),
    )
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


def status_of(page) -> str:
    return page.get_attribute(".status", "data-status")


def test_a_permit_goes_from_intake_to_return_in_the_browser(
    browser, live_server, contexts, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_catalogue()
    units = make_district()
    parcel = make_parcel(units["ward_a"], 10, 16, address="12/3 Hẻm 45 Điện Biên Phủ")
    department = make_department(units["district"])
    officer = make_official(units["district"], Role.OFFICER, department)
    leader = make_official(units["district"], Role.LEADER)
    citizen = make_citizen()
    drawing = tmp_path / "ban-ve.pdf"
    drawing.write_bytes(PDF)

    # The citizen, on a phone: picks the parcel on the map and submits.
    phone = open_page(browser, live_server, contexts, citizen, width=390, height=844)
    phone.goto(live_server.url + "/dossiers/new/")
    phone.wait_for_selector("#picker[data-ready='1']", timeout=15_000)
    # Fits a phone: nothing sticks out sideways.
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    centre = parcel.geom.point_on_surface
    phone.locator("#picker").scroll_into_view_if_needed()
    # Where the parcel's centre is on the screen, read in one go after the scroll.
    x, y = phone.evaluate(
        """([lat, lon]) => {
            const el = document.getElementById('picker');
            el.leafletMap.setView([lat, lon], 18, {animate: false});
            const p = el.leafletMap.latLngToContainerPoint([lat, lon]);
            const box = el.getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""",
        [centre.y, centre.x],
    )
    phone.mouse.click(x, y)
    # Polled on a timer: animation frames are not guaranteed in a headless page.
    phone.wait_for_function(
        "() => document.getElementById('picked').textContent !== ''", polling=100
    )
    assert phone.input_value("#id_parcel_key") == "26905-010-0016"
    assert "26905-010-0016" in phone.text_content("#picked")
    phone.select_option("#id_procedure", label="Cấp giấy phép xây dựng nhà ở riêng lẻ")
    phone.fill("#id_applicant_name", "Nguyễn Văn An")
    phone.fill("#id_applicant_id_number", "079085001234")
    phone.fill("#id_applicant_email", "an@example.vn")
    phone.fill("#id_floors", "4")
    phone.fill("#id_height_m", "15.5")
    phone.fill("#id_footprint_m2", "60")
    phone.fill("#id_gross_floor_area_m2", "240")
    phone.set_input_files("#id_documents", str(drawing))
    phone.click("form.intake button[type=submit]")
    phone.wait_for_url("**/dossiers/*/")
    assert status_of(phone) == str(Status.SUBMITTED)
    dossier = Dossier.objects.get()

    # The officer, at a desk: accepts, prints the slip, routes it to themself.
    desk = open_page(browser, live_server, contexts, officer, width=1366, height=900)
    desk.goto(live_server.url + "/office/dossiers/")
    desk.wait_for_selector("#queue-map.leaflet-container")
    desk.click(f"text={dossier.procedure.name}")
    desk.click("#accept")
    desk.wait_for_selector(".status[data-status='2']")
    dossier.refresh_from_db()
    assert dossier.code in desk.text_content("h1")
    desk.click("text=Receipt and appointment slip")
    assert dossier.appointment_date.strftime("%d/%m/%Y") in desk.text_content(".appointment")
    desk.go_back()
    desk.click("#assign")
    desk.wait_for_selector(".status[data-status='4']")
    # Review: the zoning check is on the page (no plan loaded here, so it says so).
    assert "Zoning check" in desk.content()

    # The leader signs the decision.
    boss = open_page(browser, live_server, contexts, leader, width=1366, height=900)
    boss.goto(live_server.url + f"/office/dossiers/{dossier.pk}/")
    boss.select_option("select[name=result]", "issued")
    boss.click("#decide")
    boss.wait_for_selector(".status[data-status='9']")

    # The officer hands the result over, with the applicant's rating.
    desk.goto(live_server.url + f"/office/dossiers/{dossier.pk}/")
    desk.select_option("select[name=rating]", "5")
    desk.click("#return")
    desk.wait_for_selector(".status[data-status='10']")

    # Anyone with the code and the ID number sees the outcome and the timeline.
    visitor = open_page(browser, live_server, contexts, None, width=390, height=844)
    visitor.goto(live_server.url + "/dossiers/lookup/")
    visitor.fill("#id_code", dossier.code)
    visitor.fill("#id_id_number", "079085001234")
    visitor.click("form.narrow button[type=submit]")
    visitor.wait_for_selector(".status[data-status='10']")
    assert visitor.locator(".timeline li").count() == 5

    dossier.refresh_from_db()
    assert (dossier.status, dossier.result, dossier.rating) == (Status.RETURNED, "issued", 5)
    for page in (phone, desk, boss, visitor):
        assert page.outside_requests == []
        assert page.errors == []
    phone.screenshot(path="/tmp/urbanmgmt-dossier-phone.png", full_page=True)
    desk.screenshot(path="/tmp/urbanmgmt-dossier-desk.png", full_page=True)


def test_the_applicant_sends_a_supplement_from_a_phone(
    browser, live_server, contexts, tmp_path, settings
):
    from dossiers import services
    from tests.dossiers.factories import in_processing, make_office

    settings.MEDIA_ROOT = tmp_path / "media"
    office = make_office()
    dossier = in_processing(office)
    services.request_supplement(dossier=dossier, actor=office.officer, note="Thiếu bản vẽ móng")
    drawing = tmp_path / "ban-ve-mong.pdf"
    drawing.write_bytes(PDF)

    phone = open_page(browser, live_server, contexts, office.citizen, width=390, height=844)
    phone.goto(f"{live_server.url}/dossiers/{dossier.pk}/")
    assert "Thiếu bản vẽ móng" in phone.text_content(".timeline")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    phone.set_input_files("#supplement-documents", str(drawing))
    phone.fill("#supplement-note", "Đã bổ sung bản vẽ móng")
    phone.click(".withdraw summary")
    phone.screenshot(path="/tmp/urbanmgmt-dossier-supplement.png", full_page=True)
    phone.click("#send-supplement button")
    phone.wait_for_selector(".messages .success")

    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert phone.get_attribute(".status", "data-status") == str(Status.PROCESSING)
    assert dossier.documents.filter(name__contains="ban-ve-mong.pdf").exists()
    assert phone.query_selector("#send-supplement") is None
    assert phone.outside_requests == [] and phone.errors == []
