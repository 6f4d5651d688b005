"""A team's map: an app server with sign-in through a real OpenID Connect provider
(oidc-provider-mock, started here), on a PostgreSQL store. A viewer sees no write controls and
cannot write, not even with forged websocket messages; an editor corrects an incident and reads
its history; a role taken away counts at once; what another process stores (another server of
the team's, or the command line) shows on the page's next rerun."""

import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from mapapp import PROJECT_DIR
from mapapp.ingest.importer import commit, plan_import
from mapapp.roles import NotAllowed, Person
from mapapp.store import open_store
from tests.browser.conftest import VIEWPORT, AppServer, Page, _free_port, settle, until_shown, wait_for_whole_page

UPLOAD = Path(__file__).parent.parent / "fixtures" / "acled_kosovo.csv"
ERIN = Person("erin@example.org", "editor")
# The widget keys of the app's writes (correction_ui, upload_ui): a click on one of these buttons
# asks the server to write.
WRITE_KEYS = ("-save", "undo-", "uploads-remove")


@pytest.fixture(scope="module")
def provider():
    from oidc_provider_mock import User, run_server_in_thread

    users = [
        User(sub="vic", claims={"email": "vic@example.org", "name": "Vic Viewer"}),
        User(sub="ada", claims={"email": "ada@example.org", "name": "Ada Admin"}),
        User(sub="erin", claims={"email": "erin@example.org", "name": "Erin Editor", "groups": ["analysts"]}),
    ]
    with run_server_in_thread(port=0, user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def signed_server(chromium, provider, postgres_cluster, tmp_path_factory):
    folder = tmp_path_factory.mktemp("signed-app")
    db_url = postgres_cluster.new_database()
    store = open_store(db_url)
    # What the forged requests below could change: an upload, and corrections to undo.
    commit(plan_import(UPLOAD.read_bytes(), UPLOAD.name, store), store)
    store.acting(ERIN).correct("seed-000-06", {"description": "NATO forces state they stay (fixture)."}, "fixture")
    store.acting(ERIN).correct("seed-000-07", {"location": "Banjska monastery"}, "fixture")
    port = _free_port()
    secrets_file = folder / "secrets.toml"
    auth = (
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "mapapp"\n'
        'client_secret = "mapapp-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    secrets_file.write_text(auth + ROLES, encoding="utf-8")
    server = AppServer(
        db_url, folder / "streamlit.log", port=port, host="localhost",
        extra_args=("--secrets.files", str(secrets_file)),
    )
    server.secrets_file, server.auth, server.signed_in = secrets_file, auth, {}
    yield server
    for context in server.signed_in.values():
        context.close()
    server.stop()
    store.close()
    postgres_cluster.drop_database(db_url)


ROLES = '[roles]\nadmin = ["ada@example.org"]\neditor = ["group:analysts"]\ndefault = "viewer"\n'


class Socket:
    """The page's Streamlit websocket, routed through the test: the rerun requests the page sends
    are recorded (write requests held back from the server when `hold` is set, every other one
    when `frozen` is), the script runs the server finishes and the changes of the secrets file it
    announces are counted, and the test can send requests of its own."""

    def __init__(self, page, hold=False):
        self.page, self.hold, self.frozen = page, hold, False
        self.sent, self.held, self.finished, self.changed_on_disk = [], [], 0, 0
        self._server = None
        page.route_web_socket(re.compile(r"/_stcore/stream"), self._route)

    def _route(self, ws):
        server = self._server = ws.connect_to_server()
        ws.on_message(self._from_page)
        server.on_message(lambda message: (self._from_server(message), ws.send(message)))

    def _from_page(self, message):
        request = BackMsg.FromString(message)
        if request.WhichOneof("type") == "rerun_script":
            if self.hold if _is_write(request) else self.frozen:
                self.held.append(request)
                return
            self.sent.append(request)
        self._server.send(message)

    def _from_server(self, message):
        response = ForwardMsg.FromString(message)
        if response.WhichOneof("type") == "script_finished":
            self.finished += 1
        elif response.WhichOneof("type") == "session_event" and response.session_event.script_changed_on_disk:
            self.changed_on_disk += 1

    def wait_for(self, condition, what):
        for _ in range(600):
            if condition():
                return
            self.page.wait_for_timeout(100)
        raise AssertionError(f"waited 60 s for {what}")

    def send(self, request):
        """Send a rerun request as the page would, and wait until the server ran the script for it."""
        before = self.finished
        self._server.send(request.SerializeToString())
        self.wait_for(lambda: self.finished > before, "the server to run the script for the request")


def _clicked(request):
    """The ids of the buttons whose click this rerun request carries."""
    return [state.id for state in request.rerun_script.widget_states.widgets
            if state.WhichOneof("value") == "trigger_value" and state.trigger_value]


def _is_write(request):
    return any(key in widget for widget in _clicked(request) for key in WRITE_KEYS)


def _held(page, key):
    """The held requests of the page that carry a click on the button whose key holds `key`."""
    return [request for request in page.socket.held if any(key in widget for widget in _clicked(request))]


def _click_until_held(page, click, key):
    """Click a write button (`click()`) until the page has sent its request, held back, and
    return that request: a run of the page that draws the button anew meanwhile (the store check
    every few seconds) can take a click, and a person would click again. A click is repeated
    only when none was sent within 10 s."""
    for _ in range(3):
        click()
        for _ in range(100):
            if _held(page, key):
                return _held(page, key)[-1]
            page.page.wait_for_timeout(100)
    raise AssertionError(f"three clicks sent no request of the button {key!r}")


def _forged(own, request):
    """The page's own last rerun request with the widget states of another user's write request
    added (the button click and the form's values), as a viewer's modified page would send it."""
    forged = BackMsg()
    forged.CopyFrom(own)
    present = {state.id for state in forged.rerun_script.widget_states.widgets}
    for state in request.rerun_script.widget_states.widgets:
        if state.id not in present:
            forged.rerun_script.widget_states.widgets.append(state)
    return forged


def _sign_in(chromium, server, subject, query="", hold=False):
    """A page of `subject`'s session at `query`. Each user signs in through the provider once per
    server, in a browser context of their own; the user's later pages open in that context with
    its cookie, as a new tab of the same browser does."""
    context = server.signed_in.get(subject)
    page = Page(chromium, server.url, context=context or chromium.new_context(viewport=VIEWPORT))
    page.socket = Socket(page.page, hold)
    if context is None:
        server.signed_in[subject] = page.context
        page.page.goto(server.url)
        page.page.get_by_role("button", name="Sign in").click()
        # The provider's page: one button per known user.
        page.page.locator(f'button[name="sub"][value="{subject}"]').click()
        # Back at the app's address with the sign-in's cookie; the page is opened at `query` below.
        page.page.wait_for_url(f"{server.url}/", wait_until="commit", timeout=60_000)
        # (The provider's own page asks for a stylesheet online, refused: only the app's requests count.)
        page.external.clear()
    if context is not None or query:
        page.page.goto(f"{server.url}/{query}")
    page.page.get_by_text("Signed in as").wait_for(timeout=60_000)
    wait_for_whole_page(page)
    return page


def _written(store):
    """What a write would change: incident texts, corrections, uploads, the audit log."""
    return (
        [(incident.id, incident.description, incident.location) for incident in store.incidents()],
        {identifier: store.history(identifier) for identifier in ("seed-000-06", "seed-000-07")},
        store.uploads(), store.audit_log(),
    )


def test_an_editor_corrects_a_viewer_cannot_even_with_forged_requests(chromium, signed_server):
    """A viewer reads an incident and sees no write controls. The websocket messages an editor's
    and an admin's clicks send (correct, undo, remove an upload), held back from the server, then
    sent by the viewer's page as its own: the server runs the script for each and writes nothing;
    sent by the editor's and admin's pages, they write, and the editor reads the correction in
    the incident's history. Then a correction another process stores shows on the viewer's page."""
    editor = _sign_in(chromium, signed_server, "erin", "?incident=seed-000-06", hold=True)
    admin = _sign_in(chromium, signed_server, "ada", hold=True)
    viewer = _sign_in(chromium, signed_server, "vic", "?incident=seed-000-06")
    try:
        p = editor.page
        p.get_by_text("Signed in as erin@example.org · editor").wait_for()
        text = p.locator("body").inner_text()
        assert "Audit log" not in text and "Uploaded files" not in text
        history = p.get_by_text("History of this incident (2 versions)")
        history.wait_for(timeout=60_000)

        def click_undo():
            if not p.get_by_role("button", name="Undo #1").is_visible():
                history.click()  # (closed again by a run of the page that drew it anew)
            p.get_by_role("button", name="Undo #1").click()

        undo = _click_until_held(editor, click_undo, "undo-")
        p.get_by_text("Correct this incident").click()
        p.get_by_label("Description", exact=True).fill("NATO forces said they would stay (corrected).")
        p.get_by_label("Why (kept in the history)").fill("the report quotes the statement")
        p.get_by_label("Why (kept in the history)").press("Enter")
        save = _click_until_held(editor, p.get_by_role("button", name="Save correction").click, "-save")
        a = admin.page
        uploads = a.get_by_text("Uploaded files (1)")
        uploads.wait_for(timeout=60_000)
        confirm = a.get_by_label("Remove its 5 incidents")
        remove_button = a.get_by_role("button", name="Remove this upload")

        def click_remove():
            if not confirm.is_visible():
                uploads.click()
            settle(admin)  # (the run of an earlier tick may still be on its way)
            if confirm.is_checked() and remove_button.is_disabled():
                # Ticked, but the page's run for the tick was lost: untick, to tick again.
                a.get_by_text("Remove its 5 incidents").click()
                settle(admin)
            if not confirm.is_checked():
                a.get_by_text("Remove its 5 incidents").click()  # (the box itself is hidden)
            try:
                remove_button.click(timeout=10_000)
            except PlaywrightTimeout:
                pass  # still disabled: the next try ticks again

        remove = _click_until_held(admin, click_remove, "uploads-remove")
        store = open_store(signed_server.db_path)
        before = _written(store)
        assert before[1]["seed-000-06"][0]["undone_by"] is None and len(before[2]) == 1

        v = viewer.page
        v.get_by_text("Signed in as vic@example.org · viewer").wait_for()
        v.get_by_text("Show on map").wait_for(timeout=60_000)
        for control in ("Correct this incident", "Add incidents from a CSV file", "Uploaded files", "Audit log"):
            assert control not in v.locator("body").inner_text()
        # What the page would do for this person, asked of the store directly, is refused there.
        with pytest.raises(NotAllowed):
            store.acting(Person("vic@example.org", "viewer")).correct("seed-000-06", {"description": "Forged."}, "forged")
        assert _written(store) == before

        own = viewer.socket.sent[-1]
        for request in (save, undo, remove):
            viewer.socket.send(_forged(own, request))
        assert _written(store) == before
        text = viewer.page.locator("body").inner_text()
        for said in ("Saved as correction", "undone", "Removed the upload", "Correct this incident"):
            assert said not in text

        # The same requests from the pages they were made on do write: they were real requests.
        editor.socket.send(save)
        p.get_by_text("Saved as correction #3.").wait_for(timeout=60_000)
        p.get_by_text("Corrected by erin@example.org on").wait_for(timeout=60_000)
        # The history, opened (again if a run of the page drew it anew, closed, meanwhile).
        reason = p.get_by_text("the report quotes the statement").first

        def open_history():
            if not reason.is_visible():
                p.get_by_text("History of this incident (3 versions)").click()

        until_shown(editor, open_history, reason)
        assert reason.is_visible()
        assert "(corrected)." in p.locator("body").inner_text()
        admin.socket.send(remove)
        admin.page.get_by_text("Removed the upload: 5 incidents removed").wait_for(timeout=60_000)
        _a_correction_stored_by_another_process_shows_on_the_next_rerun(viewer, signed_server)
        assert [page.external for page in (editor, admin, viewer)] == [[], [], []]
    finally:
        for page in (editor, admin, viewer):
            page.close()
    assert store.incident("seed-000-06").description == "NATO forces said they would stay (corrected)."
    latest = store.history("seed-000-06")[-1]
    assert (latest["user"], latest["reason"]) == ("erin@example.org", "the report quotes the statement")
    assert store.uploads() == []
    # Newest first: the other process's correction, the admin's removal, the editor's correction.
    log = store.audit_log(limit=3)
    assert [entry["user"] for entry in log] == ["erin@example.org", "ada@example.org", "erin@example.org"]
    assert [log[0]["target"], log[2]["target"]] == ["seed-000-05", "seed-000-06"]


def test_a_role_taken_away_counts_for_a_page_rendered_before(chromium, signed_server):
    """An editor's page shows Undo; the [roles] config then makes them a viewer; a click on that
    Undo (its callback bound when the page was rendered) is refused by the store and said so."""
    page = _sign_in(chromium, signed_server, "erin", "?incident=seed-000-07")
    store = open_store(signed_server.db_path)
    try:
        p = page.page
        p.get_by_text("History of this incident (2 versions)").wait_for(timeout=60_000)
        p.get_by_text("History of this incident (2 versions)").click()
        undo = p.get_by_role("button", name="Undo #2")
        undo.wait_for()
        # From here the page asks for no run but the Undo click: a run it asked for on its own (the
        # map reporting its view, the fresh-data check) would draw it again as a viewer's page.
        page.socket.frozen = True
        p.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=60_000)
        undo.wait_for()
        before = _written(store)
        changes = page.socket.changed_on_disk
        signed_server.secrets_file.write_text(
            signed_server.auth + ROLES.replace('editor = ["group:analysts"]\n', ""), encoding="utf-8"
        )
        # The server announces a changed secrets file once it has read it again.
        page.socket.wait_for(lambda: page.socket.changed_on_disk > changes, "the server to read the new secrets")
        undo.click()
        p.get_by_text("Not undone: 'erin@example.org' is a viewer and may not correct incidents").wait_for(
            timeout=60_000
        )
        assert _written(store) == before
        assert store.incident("seed-000-07").location == "Banjska monastery"
        p.get_by_text("Signed in as erin@example.org · viewer").wait_for()
    finally:
        signed_server.secrets_file.write_text(signed_server.auth + ROLES, encoding="utf-8")
        page.close()


# Another process: a correction as an editor's page on another server of the team's stores it.
CORRECT = """
import sys
from mapapp.roles import Person
from mapapp.store import open_store
store = open_store(sys.argv[1]).acting(Person("erin@example.org", "editor"))
store.correct("seed-000-05", {"description": "Gunfire at the police station, corrected elsewhere."},
              "second source")
"""


def _a_correction_stored_by_another_process_shows_on_the_next_rerun(viewer, server):
    """What another process stores (another server of the team's, or the command line) shows on
    the page's next rerun."""
    v = viewer.page
    passage = v.locator("mark#passage-selected").filter(has_text="During the night of September 24")
    # The page is drawn again when its store check sees the writes above; a click while the layout
    # moves can miss the button.
    until_shown(viewer, v.locator(".st-key-other-seed-000-05 button").click, passage)
    settle(viewer)
    assert passage.is_visible()
    assert "Corrected by" not in v.locator("body").inner_text()

    done = subprocess.run([sys.executable, "-c", CORRECT, server.db_path], cwd=PROJECT_DIR,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr

    # Any rerun of the page reads the store again.
    v.get_by_role("button", name="Show on map").click()
    v.get_by_text("Corrected by erin@example.org on").wait_for(timeout=60_000)
    v.get_by_text("Gunfire at the police station, corrected elsewhere.").first.wait_for(timeout=60_000)
    # No run of the page failed: one that read the store's version before the correction and
    # its rows after found the incident's old row gone.
    assert v.locator('[data-testid="stException"]').count() == 0
