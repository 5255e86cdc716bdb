"""Whole-run time on every built-in forecast and classification sample: Train → results through the page, against
the same model's fit() written by hand with Keras defaults in a warm process.

    .venv/bin/python bench/whole_run.py [samples...]

(a) The page: a real `streamlit run app.py` and Chromium. For each sample: choose it, press Train, wait for the
    results (scored, exported and drawn); then press Train again, as a user does after changing the learning rate
    (the worker then keeps the compiled model). Seconds from the click to the results.
(b) By hand, in this process (TensorFlow imported and a model trained before): the config the page's run stored,
    written as a Keras user would (stacked LSTM layers, Dense head, the optimizer at the run's learning rate, the
    run's loss and batch, validation data), trained for as many epochs as the page's run trained (its early
    stopping may have ended it sooner), fit() only.
The text samples live on their own pages and are not in this table.
"""

from __future__ import annotations

import os
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
from lstm_core.jobs.tasks import prepare_from  # noqa: E402
from lstm_core.store import RunStore  # noqa: E402
from lstm_core.tasks.forecast.samples import SAMPLES  # noqa: E402
from lstm_core.tasks.sequences.samples import CLASSIFICATION_SAMPLES  # noqa: E402

TITLES = {**{name: s.title for name, s in SAMPLES.items()},
          **{name: s.title for name, s in CLASSIFICATION_SAMPLES.items()}}


def by_hand(prepared, epochs: int) -> tuple[float, int]:
    import keras

    config, w = prepared.config, prepared.windows
    options = getattr(w, "model_options", {})
    units, activation, loss = config.head(options.get("n_classes"))
    model = keras.Sequential([keras.Input(w.x_train.shape[1:])])
    if options.get("mask_value") is not None:
        model.add(keras.layers.Masking(options["mask_value"]))
    for index in range(config.layers):
        layer = keras.layers.LSTM(config.units, activation=config.activation,
                                  recurrent_activation=config.recurrent_activation, dropout=config.dropout,
                                  recurrent_dropout=config.recurrent_dropout,
                                  return_sequences=index < config.layers - 1)
        model.add(keras.layers.Bidirectional(layer) if config.bidirectional else layer)
    model.add(keras.layers.Dense(units, activation=activation))
    optimizers = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop, "sgd": keras.optimizers.SGD}
    model.compile(optimizer=optimizers[config.optimizer](config.learning_rate), loss=loss)
    validation = (w.x_val, w.y_val) if len(w.x_val) else None
    started = time.monotonic()
    history = model.fit(w.x_train, w.y_train, batch_size=config.batch_size, epochs=epochs,
                        validation_data=validation, verbose=0)
    return time.monotonic() - started, len(history.history["loss"])


def through_page(playground, number: int) -> float:
    clicked = time.monotonic()
    playground.click_train()
    playground.wait_for_status(f"run #{number} ·")
    return time.monotonic() - clicked


def main() -> int:
    from playwright.sync_api import sync_playwright

    names = sys.argv[1:] or list(TITLES)
    home = Path(tempfile.mkdtemp(prefix="lstm-playground-bench-"))
    server, url = start_server(home / "server.log", home / "store")
    store = RunStore(home / "store")
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            _context, playground = open_page(browser, url, still=False)
            playground.wait_for_charts(1)
            time.sleep(30)  # the spare worker is warm
            number = 0
            for name in names:
                playground.choose("Sample", TITLES[name])
                pages = []
                for _ in range(2):
                    number += 1
                    pages.append(through_page(playground, number))
                    time.sleep(10)  # the next spare, if any, has started
                setup = store.setup()
                record = store.get(store.db.read("SELECT id FROM runs ORDER BY created DESC LIMIT 1")[0]["id"])
                prepared = prepare_from(setup["reader"], store.data_bytes(setup["data_ref"]), setup["data_name"],
                                        RunConfig.from_dict(setup["config"]))
                by_hand(prepared, 1)  # warm: TensorFlow imported and a model of this shape trained once
                hand, hand_epochs = by_hand(prepared, record.epochs)
                rows.append((name, pages[0], pages[1], record.epochs, hand, hand_epochs, record.jit_compile))
                print(f"{name:20s} page: first run {pages[0]:5.1f} s, again {pages[1]:5.1f} s ({record.epochs} epochs, "
                      f"{'XLA' if record.jit_compile else 'no XLA'}) · by hand {hand:5.1f} s ({hand_epochs} epochs) "
                      f"· ratio again/hand {pages[1] / hand:.2f}", flush=True)
            browser.close()
    finally:
        stop_server(server)
    slower = [row[0] for row in rows if row[2] > row[4]]
    print("page slower than by hand (second run) on: " + (", ".join(slower) if slower else "none"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
