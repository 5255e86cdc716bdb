"""A training worker process: TensorFlow imported (by its fork server, or by itself when spawned), it trains the
runs the dispatcher hands it, one at a time."""

from __future__ import annotations

import os


def worker_main(home: str, connection, warm: dict | None = None, environment: dict | None = None,
                server: int | None = None) -> None:
    """Entry point of a worker process. Messages in: ("run", run_id) or ("exit",); out: ("ready", pid) once
    warm, then ("done", run_id, rss_mb) after each run. `warm` is a run's setup (RunStore.setup) whose model is
    traced and compiled before the worker says it is ready. `environment` is the server's when it asked for this
    worker (spawning.py: a fork server's child would otherwise have the fork server's); `server` its pid: a run
    stops, keeping its epochs, when that process is gone."""
    from lstm_core.jobs.processes import use_scratch_folder
    from lstm_core.jobs.spawning import use_environment

    use_environment(environment)
    use_scratch_folder()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras  # noqa: F401  imported already by the fork server; a spawned worker pays it here, before ready

    from lstm_core.compiled import keep_compiled
    from lstm_core.jobs.execute import execute_run
    from lstm_core.store import RunStore

    store = RunStore(home)
    keep_compiled()  # a second run of the same shape in this worker skips the trace and compile
    if warm:
        _warm_up(store, warm)
    connection.send(("ready", os.getpid()))
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return  # the server is gone
        if message[0] != "run":
            return
        run_id = message[1]
        try:
            execute_run(store, run_id, server)
        except Exception as exc:  # execute_run records its own failures; this is the last net
            store.fail(run_id, f"the training process failed: {type(exc).__name__}: {exc}")
        try:
            connection.send(("done", run_id, rss_mb()))
        except OSError:
            return  # the server is gone


def _warm_up(store, setup: dict) -> None:
    from lstm_core.config import RunConfig
    from lstm_core.jobs.tasks import prepare_from, warm_up

    try:
        prepared = prepare_from(setup["reader"], store.data_bytes(setup["data_ref"]), setup["data_name"],
                                RunConfig.from_dict(setup["config"]))
        if prepared.ready:
            warm_up(prepared)
    except Exception:  # a warm-up is a head start only: whatever stops it, the worker still serves
        pass


def rss_mb() -> float:
    """This process's resident memory in MB (Linux /proc; 0 where it cannot be read)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0
