"""`python -m lstm_core ARGS` for the tests, in a process of its own that does not pay the interpreter's start and
TensorFlow's import again.

The command runs in a child forked from the same fork server as the training workers (lstm_core/jobs/spawning.py:
TensorFlow and lstm_core imported, no TensorFlow op run). The child takes the given working directory and
environment, writes to its own stdout and stderr files, and runs the package's __main__ as `python -m` does, argv
included; its exit status is the command's. What differs from a fresh interpreter is only what was imported
before: `fresh=True` runs a real `python -m lstm_core` instead (the tests that read the entry point itself).
"""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
import tempfile
from pathlib import Path


def run_command(args: list[str], cwd: Path, env: dict[str, str], timeout: float, fresh: bool = False):
    """The finished command as a subprocess.CompletedProcess (returncode, stdout, stderr as text)."""
    command = [sys.executable, "-m", "lstm_core", *args]
    if fresh:
        return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    from lstm_core.jobs.spawning import worker_context

    with tempfile.TemporaryDirectory(prefix="lstm-playground-cli-") as folder:
        out, err = Path(folder, "stdout"), Path(folder, "stderr")
        out.touch()
        err.touch()
        child = worker_context().Process(target=_main, args=(args, str(cwd), env, str(out), str(err)),
                                         name="lstm-playground-cli")
        child.start()
        child.join(timeout)
        if child.is_alive():
            child.kill()
            child.join()
            raise subprocess.TimeoutExpired(command, timeout, out.read_text(), err.read_text())
        return subprocess.CompletedProcess(command, child.exitcode, out.read_text(encoding="utf-8"),
                                           err.read_text(encoding="utf-8"))


def _main(args: list[str], cwd: str, env: dict[str, str], out: str, err: str) -> None:
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    for stream, path in ((sys.stdout, out), (sys.stderr, err)):
        stream.flush()
        target = os.open(path, os.O_WRONLY | os.O_TRUNC)
        os.dup2(target, stream.fileno())
        os.close(target)
    sys.argv = ["lstm_core", *args]
    runpy.run_module("lstm_core", run_name="__main__", alter_sys=True)
