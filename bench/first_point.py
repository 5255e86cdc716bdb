"""Train → first point on the curve, and the whole default run, through the page's path vs Keras by hand.

    .venv/bin/python bench/first_point.py [rounds]

(a) The page: a real `streamlit run app.py`, Chromium on the default sample, a warm worker waiting (the server has
    been up a while: its spare has imported TensorFlow and compiled the newest run's model, or on a new store the
    default sample's); later rounds train the same shape again, as a user changing the learning rate does.
    Seconds from the Train click to the first epoch drawn in the loss chart, and to the results.
(b) The same model written by hand with Keras defaults (LSTM, Dense head, Adam, MSE, batch 32, the sample's windows
    and epochs) in a warm process (TensorFlow imported, one model trained before): the wall time of fit().
Rounds alternate (a) and (b); medians are printed side by side.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "browser"))

from conftest import CHROMIUM, CHROMIUM_ARGS, open_page, start_server, stop_server  # noqa: E402

from lstm_core.config import RunConfig  # noqa: E402
from lstm_core.data import load_csv  # noqa: E402
from lstm_core.tasks.forecast.pipeline import prepare  # noqa: E402
from lstm_core.tasks.forecast.samples import DEFAULT_SAMPLE, SAMPLES, sample_csv  # noqa: E402


def default_prepared():
    sample = SAMPLES[DEFAULT_SAMPLE]
    config = RunConfig(target=sample.target, features=sample.features, season=sample.season, **sample.settings)
    return prepare(load_csv(sample_csv(DEFAULT_SAMPLE), f"{DEFAULT_SAMPLE}.csv"), config)


def by_hand(prepared) -> float:
    import keras

    config, w = prepared.config, prepared.windows
    model = keras.Sequential([keras.Input(w.x_train.shape[1:]), keras.layers.LSTM(config.units),
                              keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate), loss="mse")
    started = time.monotonic()
    model.fit(w.x_train, w.y_train, batch_size=config.batch_size, epochs=config.epochs,
              validation_data=(w.x_val, w.y_val), verbose=0)
    return time.monotonic() - started


def through_page(playground, number: int) -> tuple[float, float]:
    clicked = time.monotonic()
    playground.click_train()
    # The live view's first point: a loss chart beside the Stop button (the previous run's results chart is gone),
    # or this run's results, should it end between two looks of the live view.
    playground.page.wait_for_function(
        """(number) => {
          const text = document.body.innerText;
          if (text.includes(`run #${number} ·`)) return true;
          const live = Array.from(document.querySelectorAll('button')).some(b => b.innerText === 'Stop training');
          return live && Array.from(document.querySelectorAll('.js-plotly-plot')).some(p =>
            String(p.layout?.title?.text ?? '').includes('Loss per epoch') &&
            (p.data ?? []).some(t => t.name === 'train loss' && (t.x?.length ?? 0) >= 1));
        }""", arg=number, timeout=180_000)
    first = time.monotonic() - clicked
    playground.wait_for_status(f"run #{number} ·")
    return first, time.monotonic() - clicked


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    from playwright.sync_api import sync_playwright

    prepared = default_prepared()
    by_hand(prepared)  # warm: TensorFlow imported, a first model traced
    home = Path(tempfile.mkdtemp(prefix="lstm-playground-bench-"))
    server, url = start_server(home / "server.log", home / "store")
    firsts, pages, hands = [], [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            _context, playground = open_page(browser, url, still=False)
            playground.wait_for_charts(1)
            time.sleep(30)  # the warm spare has imported TensorFlow and compiled the default sample's model
            for number in range(1, rounds + 1):
                first, whole = through_page(playground, number)
                hand = by_hand(prepared)
                firsts.append(first)
                pages.append(whole)
                hands.append(hand)
                print(f"  round {number}: first point {first:.1f} s · page run {whole:.1f} s · by hand {hand:.1f} s",
                      flush=True)
                time.sleep(10)  # the next spare is warm again
            browser.close()
    finally:
        stop_server(server)
    first, page, hand = (statistics.median(v) for v in (firsts, pages, hands))
    print(f"default sample ({prepared.config.epochs} epochs, {len(prepared.windows.x_train)} windows), medians of "
          f"{rounds}: Train → first point {first:.1f} s (goal ≤ 3 s) · Train → results {page:.1f} s through the page "
          f"vs fit() {hand:.1f} s by hand in a warm process ({hand / page:.2f}×)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
