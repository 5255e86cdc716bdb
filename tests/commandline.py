"""`python -m lstm_core ARGS` for the tests, in a process of its own that does not pay the interpreter's start and
TensorFlow's import again.

The command runs in a child forked from the same fork server as the training workers (lstm_core/jobs/spawning.py:
TensorFlow and lstm_core imported, no TensorFlow op run). The child takes the given working directory and
environment, writes to its own stdout and stderr files, and runs the package's __main__ as `python -m` does, argv
included; its exit status is the command's. What differs from a fresh interpreter is only what was imported
before: `fresh=True` runs a real `python -m lstm_core` instead (the tests that read the entry point itself).
"""

from __future__ import annotations

import contextlib
import os
import runpy
import subprocess
import sys
import tempfile
from pathlib import Path


def run_command(args: list[str], cwd: Path, env: dict[str, str], timeout: float, fresh: bool = False):
    """The finished command as a subprocess.CompletedProcess (returncode, stdout, stderr as text)."""
    return start_command(args, cwd, env, fresh).finish(timeout)


def start_command(args: list[str], cwd: Path, env: dict[str, str], fresh: bool = False) -> Command:
    """The command started, not waited for: poll(), finish(timeout), kill()."""
    return Command(args, cwd, env, fresh)


class Command:
    """`python -m lstm_core ARGS` running: in a child of the fork server, or with fresh=True a new interpreter; its
    stdout and stderr go to files read when it ends."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str], fresh: bool = False):
        self.args = [sys.executable, "-m", "lstm_core", *args]
        self._folder = tempfile.TemporaryDirectory(prefix="lstm-playground-cli-")
        self._out, self._err = Path(self._folder.name, "stdout"), Path(self._folder.name, "stderr")
        self._out.touch()
        self._err.touch()
        if fresh:
            with open(self._out, "wb") as out, open(self._err, "wb") as err:
                self._process = subprocess.Popen(self.args, cwd=cwd, env=env, stdout=out, stderr=err)
            self._child = None
            return
        from lstm_core.jobs.spawning import worker_context

        self._child = worker_context().Process(target=_main, args=(args, str(cwd), env, str(self._out),
                                                                   str(self._err)), name="lstm-playground-cli")
        self._child.start()

    def poll(self) -> int | None:
        """The exit status once the command has ended, else None (as Popen.poll)."""
        return self._process.poll() if self._child is None else self._child.exitcode

    def kill(self) -> None:
        if self._child is None:
            self._process.kill()
            self._process.wait()
        else:
            self._child.kill()
            self._child.join()

    def finish(self, timeout: float) -> subprocess.CompletedProcess:
        """Wait for the end; a command still running after `timeout` seconds is killed (TimeoutExpired)."""
        if self._child is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout)
        else:
            self._child.join(timeout)
        if self.poll() is None:
            self.kill()
            raise subprocess.TimeoutExpired(self.args, timeout, self._read(self._out), self._read(self._err))
        done = subprocess.CompletedProcess(self.args, self.poll(), self._read(self._out), self._read(self._err))
        self._folder.cleanup()
        return done

    @staticmethod
    def _read(path: Path) -> str:
        return path.read_text(encoding="utf-8")


def _main(args: list[str], cwd: str, env: dict[str, str], out: str, err: str) -> None:
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    # A forked child ends without running atexit, where TensorFlow removes the modules autograph writes for every
    # traced function: they go to the command's own folder, which finish() removes.
    tempfile.tempdir = os.path.dirname(out)
    for stream, path in ((sys.stdout, out), (sys.stderr, err)):
        stream.flush()
        target = os.open(path, os.O_WRONLY | os.O_TRUNC)
        os.dup2(target, stream.fileno())
        os.close(target)
    sys.argv = ["lstm_core", *args]
    runpy.run_module("lstm_core", run_name="__main__", alter_sys=True)
