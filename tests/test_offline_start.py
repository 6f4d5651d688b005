"""`streamlit run streamlit_app.py` as the README starts it makes no request off this machine."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

from mapapp import PROJECT_DIR


def test_the_server_starts_without_looking_up_an_external_address(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tmp_path / "streamlit.log"
    env = dict(os.environ, MAPAPP_DB=str(tmp_path / "mapapp.db"), PYTHONUNBUFFERED="1")
    with open(log, "w") as out:
        # Only the port is given: everything else comes from .streamlit/config.toml.
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port)],
            cwd=PROJECT_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"http://localhost:{port}/_stcore/health", timeout=2) as reply:
                        assert reply.read() == b"ok"
                        break
                except OSError:
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.3)
            # The start-up banner comes after the server is healthy.
            while f"URL: http://localhost:{port}" not in log.read_text() and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            server.terminate()
            server.wait(timeout=15)
    text = log.read_text()
    assert f"URL: http://localhost:{port}" in text
    # Headless Streamlit asks checkip.amazonaws.com for an "External URL" unless an address is set.
    assert "External URL" not in text and "Did not auto detect" not in text, text
