"""Short jobs that need TensorFlow but no training slot: the range test, predictions on new data, generation.

They run in one helper process (a concurrent.futures pool of one, started like the workers: spawning.py), so the
server never imports TensorFlow. A stored run's model is loaded from its folder (safe mode) and kept for the next
call on the same run. A helper that dies is replaced on the next call; the call that was running says so.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from lstm_core.jobs.processes import use_scratch_folder
from lstm_core.jobs.spawning import child_environment, use_environment, worker_context

# Calls before the helper process is replaced: what Keras keeps of every loaded model goes with it.
CALLS_PER_HELPER = 50
# Loaded models the helper keeps (one per run): a generate box clicked twice does not load twice.
KEPT_MODELS = 2


class CallFailed(RuntimeError):
    """The helper process stopped while it worked (killed or out of memory)."""


class ModelCalls:
    def __init__(self):
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def run(self, function, *args, timeout: float = 600.0):
        """function(*args) in the helper process; its exceptions are raised here."""
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(max_workers=1, mp_context=worker_context(),
                                                     initializer=_start_helper, initargs=(child_environment(),),
                                                     max_tasks_per_child=CALLS_PER_HELPER)
            executor = self._executor
        try:
            return executor.submit(function, *args).result(timeout=timeout)
        except BrokenProcessPool:
            with self._lock:
                if self._executor is executor:
                    self._executor = None
            raise CallFailed("the helper process stopped unexpectedly; try again") from None

    def close(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = None


_calls: ModelCalls | None = None
_calls_lock = threading.Lock()


def model_calls() -> ModelCalls:
    global _calls
    with _calls_lock:
        if _calls is None:
            import atexit

            _calls = ModelCalls()
            atexit.register(_calls.close)
        return _calls


# What runs in the helper. Plain values in (a store's home, a run id, bytes), plain values or reports out.


def _start_helper(environment: dict) -> None:
    use_environment(environment)
    use_scratch_folder()  # removed by the pool once this process is gone (processes.py)


_models: OrderedDict = OrderedDict()


def _loaded(home: str, run_id: str):
    """(prepared, model) of a stored run, the model loaded once per helper process."""
    from lstm_core.jobs.tasks import prepare_from
    from lstm_core.store import RunStore

    key = (home, run_id)
    if key not in _models:
        from lstm_core.tasks.registry import task_for

        store = RunStore(home)
        record = store.get(run_id)
        if record is None:
            raise LookupError(f"run {run_id} is not in the store any more")
        prepared = prepare_from(record.reader, store.data_bytes(record.data_ref), record.data_name, record.config)
        model = task_for(record.config).load_trained(prepared, Path(store.run_dir(run_id)) / "model.keras")
        _models[key] = (prepared, model)
        while len(_models) > KEPT_MODELS:
            _models.popitem(last=False)
    _models.move_to_end(key)
    return _models[key]


def range_test(reader: str, raw: bytes, name: str, config_json: str):
    """The learning-rate range test on a fresh model for these data and settings."""
    from lstm_core.config import RunConfig
    from lstm_core.jobs.tasks import prepare_from
    from lstm_core.lr_finder import find_learning_rate

    return find_learning_rate(prepare_from(reader, raw, name, RunConfig.from_json(config_json)))


def predict_file(home: str, run_id: str, raw: bytes, name: str):
    """A trained classifier's predictions for every sequence or window of a new CSV (a DataFrame)."""
    from lstm_core.tasks.sequences import predict_csv

    prepared, model = _loaded(home, run_id)
    return predict_csv(raw, prepared, model, name=name)


def classify_texts(home: str, run_id: str, texts: list[str]):
    from lstm_core.tasks.text_classify.model import predict_texts

    prepared, model = _loaded(home, run_id)
    return predict_texts(prepared.windows, model, texts)


def generate_text(home: str, run_id: str, seed_text: str, length: int, temperature: float, seed: int):
    from lstm_core.tasks.text_lm.generate import generate
    from lstm_core.tasks.text_lm.lm import context_before_sentence

    prepared, model = _loaded(home, run_id)
    config, corpus = prepared.config, prepared.corpus
    return generate(model, corpus.vocab, seed_text, length, temperature, config.timesteps,
                    context_before_sentence(corpus, config.timesteps), seed)


# The healthy references of the inside view, per store home: on disk in HOME/inside_references, the last few loaded.
_reference_caches: dict = {}
REFERENCES_FOLDER = "inside_references"


def inside_view(home: str, run_id: str, window: int | None = None, passage: str | None = None) -> dict:
    """Inside the LSTM for a stored run: a test window (the worst by default) or a passage through every layer,
    recomputed from the trained weights, with the saturation against a healthy reference run (the run itself when
    it is one; else the same setup at the optimiser's default rate, trained here once per data and setup)."""
    from lstm_core.inside.reference import ReferenceCache, healthy_reference
    from lstm_core.inside.run import inspect_passage, inspect_window
    from lstm_core.store import RunStore

    prepared, model = _loaded(home, run_id)
    record = RunStore(home).get(run_id)
    if record is None:
        raise LookupError(f"run {run_id} is not in the store any more")
    if home not in _reference_caches:
        _reference_caches[home] = ReferenceCache(Path(home) / REFERENCES_FOLDER, in_memory=KEPT_MODELS)
    reference = healthy_reference(prepared, model, record, _reference_caches[home])
    if prepared.config.task == "text-lm":
        return inspect_passage(prepared, model, passage, reference=reference)
    return inspect_window(prepared, model, window, reference=reference)
