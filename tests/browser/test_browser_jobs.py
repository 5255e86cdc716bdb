"""Runs outlive the page, in a real Chromium against real `streamlit run` servers: a run keeps training through a
settings change, a page change and a reload; workspaces keep users apart; a restarted server keeps every run."""

from __future__ import annotations

import re
import secrets
import signal
import time

import pytest

from tests.browser.conftest import POLL_MS, open_page, start_server, stop_server

pytestmark = pytest.mark.browser

OVERLAY_NAMES = """
() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .filter(plot => String(plot.layout?.title?.text ?? '').includes('Loss'))
  .flatMap(plot => (plot._fullData ?? plot.data ?? []).map(trace => trace.name))
"""


def long_run(app, epochs: int) -> None:
    app.set_number("Epochs", epochs)
    app.set_checkbox("Early stopping on validation loss", False)
    app.click_train()
    app.wait_for_loss_points(2)


def test_a_run_outlives_a_page_change_a_reload_and_a_settings_change(app):
    long_run(app, 150)
    workspace = app.workspace()

    # Another page and back: the run trained on meanwhile, and the live curve is still growing.
    app.go_to("Data check")
    app.go_to("Playground")
    before = app.wait_for_loss_points(2)
    assert app.wait_for_loss_points(before + 1) > before

    # A reload: a new browser session, the same workspace from the address bar, the same run still training.
    app.page.reload()
    app.page.wait_for_function("document.querySelector('[data-testid=stApp]') !== null", polling=POLL_MS)
    assert app.workspace() == workspace
    growing = app.wait_for_loss_points(before + 1)
    assert app.stop_button().count() == 1

    # A setting changed mid-run applies to the next run; this one trains to its last epoch.
    app.set_number("Units per layer", 48)
    assert app.wait_for_loss_points(growing + 1) > growing
    status = app.wait_for_status("Training completed")
    assert "150 epoch(s)" in status, status
    assert app.loss_points() == 150
    note = [text for text in app.alerts() if "These results were trained with" in text]
    assert note and "units 32 (the sidebar now says 48)" in note[0], app.alerts()

    # Reloaded after it ended: the results are there, for the run's own settings.
    app.page.reload()
    again = app.wait_for_status("Training completed")
    assert "150 epoch(s)" in again and app.wait_for_loss_points(150) == 150
    app.assert_no_exception()


def test_each_browser_sees_only_its_own_workspace_and_a_shared_address_shares_it(browser, app_url, app):
    app.set_number("Epochs", 2)
    app.click_train()
    app.wait_for_status("Training completed")
    workspace = app.workspace()

    other_context, other = open_page(browser, app_url)
    guessed_context, guessed = open_page(browser, f"{app_url}/Compare_runs?ws={secrets.token_urlsafe(16)}")
    shared_context, shared = open_page(browser, f"{app_url}/Compare_runs?ws={workspace}")
    try:
        assert other.workspace() != workspace
        other.go_to("Compare runs")
        for stranger in (other, guessed):
            stranger.wait_until_idle_and("document.body.innerText.includes('No runs yet in this workspace')")
            assert stranger.page.evaluate(OVERLAY_NAMES) == []
        shared.wait_until_idle_and("document.querySelectorAll('.js-plotly-plot').length > 0")
        assert any(name.startswith("#1 · noisy_seasonal.csv") for name in shared.page.evaluate(OVERLAY_NAMES))
    finally:
        for context in (other_context, guessed_context, shared_context):
            context.close()


def test_a_restarted_server_keeps_every_run_and_the_interrupted_one_keeps_its_epochs(browser, tmp_path):
    home, log = tmp_path / "home", tmp_path / "server.log"
    server, url = start_server(log, home)
    try:
        context, app = open_page(browser, url)
        app.wait_for_charts(1)
        app.set_number("Epochs", 2)
        app.click_train()
        app.wait_for_status("Training completed")
        workspace = app.workspace()
        long_run(app, 400)
        trained = app.wait_for_loss_points(3)
        context.close()
        server.send_signal(signal.SIGKILL)  # a crash: no shutdown of any kind
        server.wait(timeout=30)
        server, url = start_server(log, home)

        context, app = open_page(browser, f"{url}/Compare_runs?ws={workspace}")
        # The orphaned worker stops its run and still scores and saves what it trained: until it has, the run
        # reads "running"; the page shows the end on the next look.
        deadline = time.monotonic() + 90
        while True:
            app.wait_until_idle_and("document.querySelectorAll('.js-plotly-plot').length > 0")
            grid = app.page.locator("[data-testid='stDataFrame'] [role=gridcell]")
            grid.filter(has_text="completed").first.wait_for(state="attached")
            cells = grid.all_text_contents()
            # The table words a running run "training".
            if "training" not in cells or time.monotonic() > deadline:
                break
            app.page.wait_for_timeout(2000)
            app.page.reload()
        names = app.page.evaluate(OVERLAY_NAMES)
        assert any(n.startswith("#1 ") for n in names) and any(n.startswith("#2 ") for n in names), names
        assert "completed" in cells and ("stopped early" in cells or "failed" in cells), " | ".join(cells)
        app.go_to("Playground")
        status = app.wait_for_status("Training")
        assert re.search(r"the server stopped during training after \d+ epoch\(s\)|stopped unexpectedly", status), \
            status
        assert app.loss_points() >= trained
        app.assert_no_exception()
        context.close()
    finally:
        stop_server(server)
