"""`make run` serves with gunicorn and whitenoise: the app boots and serves its own assets."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path):
    env = {**os.environ, "URBANMGMT_VAR_DIR": str(tmp_path), "DEBUG": "false"}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("wb")
    # The Makefile's own recipe, as `make run` ends: gunicorn's ASGI worker with Django in
    # threads, beside the heat-map and daily-steps loops; one process group, ended as one.
    server = subprocess.Popen(
        [
            *("make", "--no-print-directory", "serve", "HOST=127.0.0.1", f"PORT={port}"),
            *("WORKERS=1", "THREADS=2", f"VENV={Path(sys.executable).parent.parent}"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/static/urbanmgmt/site.css", timeout=3):
                    break
            # Not listening yet, or booting too slowly to answer (a loaded machine): try again.
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail((tmp_path / "gunicorn.log").read_text())
                time.sleep(0.2)
        yield base
    finally:
        # Whatever happened above, no server (nor loop beside it) outlives its test.
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def test_gunicorn_serves_the_vendored_leaflet_compressed(gunicorn):
    request = urllib.request.Request(
        gunicorn + "/static/spatial/vendor/leaflet/leaflet.js", headers={"Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200
        assert response.headers["Content-Encoding"] == "gzip"


def test_gunicorn_answers_a_malformed_request_with_a_400(gunicorn):
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(gunicorn + "/api/locate?lon=abc&lat=1", timeout=5)
    assert error.value.code == 400
    error.value.close()


def test_a_large_upload_reaches_django_whole_through_the_worker_threads(gunicorn):
    # A 1.5 MB multipart body with the api_key after the file: Django must read it all (from
    # the ASGI worker, through a2wsgi) to find the key, and refuses it with Open311's 403.
    boundary = "x" * 20
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="media"; filename="a.jpg"\r\n'
        f"Content-Type: image/jpeg\r\n\r\n".encode()
        + os.urandom(1_500_000)
        + f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="api_key"\r\n\r\n'
        f"not-a-key\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        gunicorn + "/open311/v2/requests.json",
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=30)
    assert error.value.code == 403
    assert b"api_key" in error.value.read()
    error.value.close()


def test_gunicorn_answers_tiles_and_lookups_through_the_fast_path_front(gunicorn):
    # urbanmgmt.asgi puts the async lookup, then urbanmgmt/fastpath.py's WSGI front, before
    # Django: a tile, its 304, a lookup.
    tile = urllib.request.Request(
        gunicorn + "/tiles/units/10/815/481.pbf", headers={"Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(tile, timeout=10) as response:
        assert response.status in (200, 204)
        etag = response.headers["ETag"]
        assert response.headers["Cache-Control"].startswith("public")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    again = urllib.request.Request(
        tile.full_url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag}
    )
    with pytest.raises(urllib.error.HTTPError) as not_modified:
        urllib.request.urlopen(again, timeout=10)
    not_modified.value.close()
    assert not_modified.value.code == 304
    lookup = gunicorn + "/api/planning/lookup?lon=0&lat=0"
    with urllib.request.urlopen(lookup, timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json"
        assert response.headers["Content-Language"] == "vi"
        assert b'"covered":false' in response.read()


def test_make_serve_refuses_a_port_a_server_listens_on_even_with_reuse_port():
    # gunicorn's workers listen with SO_REUSEPORT: a second server on the port would share the
    # connections silently, so make serve checks first (scripts/port_free.py).
    script = [sys.executable, str(ROOT / "scripts" / "port_free.py"), "127.0.0.1"]
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = str(listener.getsockname()[1])

        taken = subprocess.run([*script, port], capture_output=True, text=True)

    assert taken.returncode == 1
    assert f"Port {port} on 127.0.0.1 is in use" in taken.stderr
    assert subprocess.run([*script, port]).returncode == 0  # closed: free again
