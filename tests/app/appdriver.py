"""Driving a page whose runs train in worker processes: click Train, wait for the run in the store, look again."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

# A run trains in a worker: the first one of a test process also waits for the warm worker to start.
RUN_TIMEOUT = 240


def finish(at: AppTest, shown_key: str = "shown_run", timeout: float = RUN_TIMEOUT) -> AppTest:
    """Wait for the run the page shows to end in its worker, then rerun the page (a user's next look at it)."""
    from lstm_core.jobs import wait_for
    from lstm_core.store import RunStore

    run_id = at.session_state[shown_key]
    assert wait_for(RunStore(), run_id, timeout=timeout) not in ("queued", "running"), f"run {run_id} did not end"
    at.run()
    assert not at.exception, at.exception
    return at


def train(at: AppTest, key: str = "train", shown_key: str = "shown_run") -> AppTest:
    """Click Train, as a user would, and wait for the run to end."""
    assert not at.button(key=key).disabled
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    return finish(at, shown_key)


def shown_record(at: AppTest, shown_key: str = "shown_run"):
    """The stored run the page shows."""
    from lstm_core.store import RunStore

    return RunStore().get(at.session_state[shown_key])


def open_from_lab(at: AppTest, button_key: str) -> AppTest:
    """Press an Error lab card's open button and land on the Playground it opens, as a browser would."""
    at.switch_page("pages/2_Error_lab.py").run()
    assert not at.exception, at.exception
    at.button(key=button_key).click().run()
    # AppTest stays on the page it was pointed at; a browser follows st.switch_page by itself.
    at.switch_page("app.py").run()
    assert not at.exception, at.exception
    return at
