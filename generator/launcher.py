"""The console command's entry: small, so that a stop at any moment ends as quietly as one in the middle.

Ctrl-C (SIGINT), SIGTERM (``kill``, a session shutting down) and SIGHUP (the terminal closed) all end the command
the same way: raised where the work is, so that a temporary file being written is removed on the way out, then
"已中断" and the exit code 128 + the signal's number. While the rest of the program loads, a stop is caught here.
Once the work is done (or given up), stops are ignored and the process ends at once: Python's own shutdown would
otherwise reset the handlers and let a late signal kill the process with no word, after the report had already been
written in full.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable

STOPS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
_main_process = os.getpid()


class Stopped(KeyboardInterrupt):
    """A stop signal, handled everywhere a Ctrl-C is."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def stop_code(stop: BaseException | None) -> int:
    """128 + the signal's number, as a shell reports a command a signal ended (130 for Ctrl-C)."""
    return 128 + int(getattr(stop, "signum", signal.SIGINT))


def _stop(signum: int, frame: object) -> None:
    global _stopping
    if os.getpid() != _main_process:  # a worker just forked, before it set up its own handling: nothing to clean
        os._exit(128 + signum)
    if _stopping:  # a second stop (Ctrl-C pressed twice, SIGHUP then SIGTERM) must not cut the clean-up short
        return
    if _redelivering:
        deliver_later(signum)
        return
    _stopping = True
    raise Stopped(signum)


def _rearm_main() -> None:
    global _stopping
    _stopping = False


_stopping = False
_redelivering = False
_rearm: Callable[[], None] = _rearm_main


def catch_stops_in_finalizers(rearm: Callable[[], None]) -> None:
    """A stop that lands while Python runs a finalizer (a generator closed by the garbage collector, a ``__del__``,
    for example inside PyYAML or zipfile) is printed by Python as "Exception ignored" with a traceback and then
    dropped, and the work would go on as if nobody had pressed Ctrl-C. Such a stop is taken back silently here and
    delivered again once the finalizer is over; ``rearm`` lets the caller's handler raise it again."""
    global _rearm
    _rearm = rearm
    sys.unraisablehook = _unraisable


def _unraisable(unraisable: object) -> None:
    stop = getattr(unraisable, "exc_value", None)
    if isinstance(stop, Stopped):
        _rearm()
        deliver_later(stop.signum)
        return
    sys.__unraisablehook__(unraisable)  # type: ignore[arg-type]


def redelivery_pending() -> bool:
    return _redelivering


def deliver_later(signum: int) -> None:
    """Send the stop again from a short-lived thread: Python runs the handler in the main thread at its next check,
    by then outside the finalizer (if not, the same happens once more)."""
    global _redelivering
    _redelivering = True

    def again() -> None:
        global _redelivering
        time.sleep(0.01)  # let the finalizer finish first; not a timing the result depends on
        _redelivering = False
        signal.raise_signal(signum)

    threading.Thread(target=again, daemon=True).start()


def ignore_stops() -> None:
    """From now on stops change nothing. A handler that does nothing rather than SIG_IGN: a signal arriving while
    the handler is being changed would make Python print a warning about it."""
    for signum in STOPS:
        signal.signal(signum, _ignore)


def _ignore(signum: int, frame: object) -> None:
    pass


def entry() -> None:
    global _main_process
    _main_process = os.getpid()
    code: int | None = None
    stop: BaseException | None = None
    try:
        catch_stops_in_finalizers(_rearm_main)
        for signum in STOPS:
            signal.signal(signum, _stop)
        from generator.cli import run

        code = run()
    except KeyboardInterrupt as caught:
        stop = caught
    while True:  # from here on a stop changes nothing
        try:
            ignore_stops()
            break
        except KeyboardInterrupt:
            continue
    try:
        if code is None:
            code = stop_code(stop)
            print("已中断，没有写出任何文件。", file=sys.stderr)
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):  # a closed, full or broken output: nothing left to say
        pass
    os._exit(code)
