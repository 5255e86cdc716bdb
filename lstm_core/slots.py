"""A process-wide cap on runs training at once: two runs share two cores well, a third only slows all of them.

Every session of the server shares the one `training_slots()` object (a module-level value lives as long as the
process, as st.cache_resource would keep it). A run takes a slot before it builds its model and gives it back on
every way out — finished, stopped, failed, or cut short by a click — because `hold()` releases in a `finally`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .limits import limit


class TrainingSlots:
    def __init__(self, size: int):
        self.size = size
        self.running = 0
        self.waiting = 0
        self._free = threading.Condition()

    def try_acquire(self, timeout: float = 0.0) -> bool:
        """Take a slot, waiting up to `timeout` seconds for one; False when none came free."""
        with self._free:
            if self.running >= self.size:
                self.waiting += 1
                try:
                    self._free.wait_for(lambda: self.running < self.size, timeout=timeout)
                finally:
                    self.waiting -= 1
            if self.running >= self.size:
                return False
            self.running += 1
            return True

    def release(self) -> None:
        with self._free:
            if self.running <= 0:
                raise RuntimeError("a training slot was given back that was never taken")
            self.running -= 1
            self._free.notify()

    @contextmanager
    def hold(self, on_wait: Callable[[int], None] | None = None, poll_seconds: float = 0.5) -> Iterator[None]:
        """Wait for a slot, calling `on_wait(running)` between polls (the page redraws its waiting note there; a
        click on the page raises out of that call, and the wait ends without holding a slot)."""
        acquired = self.try_acquire()
        while not acquired:
            if on_wait is not None:
                on_wait(self.running)
            acquired = self.try_acquire(timeout=poll_seconds if on_wait is not None else None)
        try:
            yield
        finally:
            self.release()


_slots: TrainingSlots | None = None
_slots_lock = threading.Lock()


def training_slots() -> TrainingSlots:
    """The server's one set of slots, sized by LSTM_PLAYGROUND_MAX_CONCURRENT_TRAININGS when it is first used."""
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = TrainingSlots(limit("max_concurrent_trainings"))
        return _slots
