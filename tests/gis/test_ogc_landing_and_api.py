"""The OGC API's entry points: landing page, conformance, the OpenAPI definition, formats."""

import pytest
from django.core.cache import caches

pytestmark = pytest.mark.django_db

OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(autouse=True)
def private_cache(settings, tmp_path):
    settings.CACHES = {
        "default": {"BACKEND": "gis.tiles.FileCache", "LOCATION": tmp_path / "cache"}
    }
    yield
    caches["default"].clear()


@pytest.fixture
def en_client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def rels(body: dict) -> dict[str, dict]:
    return {link["rel"]: link for link in body["links"]}


def test_the_landing_page_links_the_api_definition_conformance_and_collections(client, db):
    response = client.get("/ogc/")
    links = rels(response.json())

    assert response["Content-Type"] == "application/json"
    assert links["service-desc"] == {
        **links["service-desc"],
        "href": "http://testserver/ogc/api",
        "type": OPENAPI,
    }
    assert links["conformance"]["href"] == "http://testserver/ogc/conformance?f=json"
    assert links["data"]["href"] == "http://testserver/ogc/collections?f=json"
    assert links["self"]["type"] == "application/json"
    assert links["alternate"]["type"] == "text/html"


def test_the_conformance_declares_core_geojson_html_and_openapi(client, db):
    body = client.get("/ogc/conformance").json()

    assert set(body["conformsTo"]) == {
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    }


def test_the_openapi_document_describes_every_path_and_the_limit(client, db):
    response = client.get("/ogc/api")
    body = response.json()

    assert response["Content-Type"] == OPENAPI
    assert body["openapi"].startswith("3.0")
    assert body["servers"] == [{"url": "http://testserver/ogc"}]
    assert set(body["paths"]) == {
        "/",
        "/conformance",
        "/api",
        "/collections",
        "/collections/{collectionId}",
        "/collections/{collectionId}/items",
        "/collections/{collectionId}/items/{featureId}",
    }
    limit = body["components"]["parameters"]["limit"]["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 1000, 100)
    ids = body["components"]["parameters"]["collectionId"]["schema"]["enum"]
    assert {"units", "parcels"} <= set(ids)


def test_every_reference_in_the_openapi_document_resolves(client, db):
    body = client.get("/ogc/api").json()
    refs = []

    def walk(node):
        if isinstance(node, dict):
            refs.extend(v for k, v in node.items() if k == "$ref")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(body)
    assert refs
    for ref in refs:
        node = body
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]


def test_a_browser_gets_html_and_a_program_gets_json(client, db):
    browser = client.get("/ogc/", HTTP_ACCEPT=BROWSER_ACCEPT)
    program = client.get("/ogc/", HTTP_ACCEPT="*/*")
    gdal = client.get("/ogc/conformance", HTTP_ACCEPT="application/json")

    assert browser["Content-Type"].startswith("text/html")
    assert program["Content-Type"] == "application/json"
    assert gdal["Content-Type"] == "application/json"
    assert "Accept" in browser["Vary"]


def test_f_overrides_the_accept_header(client, db):
    as_json = client.get("/ogc/conformance", {"f": "json"}, HTTP_ACCEPT=BROWSER_ACCEPT)
    as_html = client.get("/ogc/conformance", {"f": "html"}, HTTP_ACCEPT="application/json")

    assert as_json["Content-Type"] == "application/json"
    assert as_html["Content-Type"].startswith("text/html")
    assert "ogcapi-features-1/1.0/conf/core" in as_html.content.decode()


def test_the_landing_page_in_html_is_vietnamese_and_links_on(client, db):
    html = client.get("/ogc/", {"f": "html"}).content.decode()

    assert '<html lang="vi">' in html
    assert "Dữ liệu mở" in html
    assert 'href="/ogc/collections?f=html"' in html
    assert 'href="/ogc/api"' in html


@pytest.mark.parametrize("path", ["/ogc/", "/ogc/conformance", "/ogc/api", "/ogc/collections"])
def test_an_unknown_parameter_anywhere_is_a_400(en_client, db, path):
    response = en_client.get(path, {"service": "WFS"})

    assert response.status_code == 400
    assert "service" in response.json()["description"]


def test_an_unknown_format_is_a_400_that_names_the_formats(en_client, db):
    response = en_client.get("/ogc/", {"f": "xml"})

    assert response.status_code == 400
    assert "json or html" in response.json()["description"]


def test_a_bad_request_from_a_browser_is_an_html_page(en_client, db):
    response = en_client.get(
        "/ogc/collections/parcels/items", {"limit": "x"}, HTTP_ACCEPT=BROWSER_ACCEPT
    )

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "limit must be a whole number" in response.content.decode()


def test_the_api_is_read_only(client, db):
    assert client.post("/ogc/collections").status_code == 405
