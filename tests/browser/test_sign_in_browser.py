"""Sign-in through a real OpenID Connect provider (oidc-provider-mock, started here): a viewer
sees no write controls and cannot write; an editor corrects an incident and reads its history."""

import secrets

import pytest

from mapapp.roles import NotAllowed, Person
from mapapp.store import open_store
from tests.browser.conftest import AppServer, Page, _free_port


@pytest.fixture(scope="module")
def provider():
    from oidc_provider_mock import User, run_server_in_thread

    users = [
        User(sub="vic", claims={"email": "vic@example.org", "name": "Vic Viewer"}),
        User(sub="erin", claims={"email": "erin@example.org", "name": "Erin Editor", "groups": ["analysts"]}),
    ]
    with run_server_in_thread(port=0, user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def signed_server(chromium, provider, tmp_path_factory):
    folder = tmp_path_factory.mktemp("signed-app")
    db_path = folder / "mapapp.db"
    open_store(db_path)
    port = _free_port()
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "mapapp"\n'
        'client_secret = "mapapp-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
        "[roles]\n"
        'editor = ["group:analysts"]\n'
        'default = "viewer"\n',
        encoding="utf-8",
    )
    server = AppServer(
        db_path, folder / "streamlit.log", port=port, host="localhost",
        extra_args=("--secrets.files", str(secrets_file)),
    )
    yield server
    server.stop()


def _sign_in(chromium, server, subject, query=""):
    page = Page(chromium, server.url)
    page.page.goto(server.url)
    page.page.get_by_role("button", name="Sign in").click()
    # The provider's page: one button per known user.
    page.page.locator(f'button[name="sub"][value="{subject}"]').click()
    page.page.get_by_text("Signed in as").wait_for(timeout=60_000)
    # The login comes back to the start page; the session (a cookie) stays signed in. (The
    # provider's own page asks for a stylesheet online, refused: only the app's requests count.)
    page.external.clear()
    page.page.goto(f"{server.url}/{query}")
    page.page.get_by_text("Signed in as").wait_for(timeout=60_000)
    return page


def test_a_viewer_reads_but_has_no_write_controls_and_cannot_write(chromium, signed_server):
    page = _sign_in(chromium, signed_server, "vic", "?incident=seed-000-05")
    try:
        body = page.page.locator("body")
        page.page.get_by_text("Signed in as vic@example.org · viewer").wait_for()
        page.page.get_by_text("Show on map").wait_for(timeout=60_000)
        text = body.inner_text()
        for control in ("Correct this incident", "Add incidents from a CSV file", "Uploaded files", "Audit log"):
            assert control not in text
        assert page.external == []
    finally:
        page.close()
    # What the page would do for this person, asked of the store directly, is refused there.
    viewer = open_store(signed_server.db_path).acting(Person("vic@example.org", "viewer"))
    with pytest.raises(NotAllowed):
        viewer.correct("seed-000-05", {"description": "Forged."}, "forged")
    assert open_store(signed_server.db_path).history("seed-000-05") == []


def test_an_editor_corrects_an_incident_and_sees_its_history(chromium, signed_server):
    page = _sign_in(chromium, signed_server, "erin", "?incident=seed-000-05")
    try:
        p = page.page
        p.get_by_text("Signed in as erin@example.org · editor").wait_for()
        text = p.locator("body").inner_text()
        assert "Audit log" not in text and "Uploaded files" not in text
        p.get_by_text("Correct this incident").click()
        p.get_by_label("Description", exact=True).fill("Shots were fired near the Jarinje crossing (corrected).")
        p.get_by_label("Why (kept in the history)").fill("the report names the crossing")
        p.get_by_label("Why (kept in the history)").press("Enter")
        p.get_by_role("button", name="Save correction").click()
        p.get_by_text("Corrected by erin@example.org on").wait_for(timeout=60_000)
        p.get_by_text("History of this incident (2 versions)").click()
        p.get_by_text("by erin@example.org at").wait_for()
        history = p.locator("body").inner_text()
        assert "the report names the crossing" in history
        assert "(corrected)." in history
        assert page.external == []
    finally:
        page.close()
    store = open_store(signed_server.db_path)
    assert store.incident("seed-000-05").description == "Shots were fired near the Jarinje crossing (corrected)."
    (entry,) = store.history("seed-000-05")
    assert entry["user"] == "erin@example.org"
    assert store.audit_log(limit=1)[0]["user"] == "erin@example.org"
