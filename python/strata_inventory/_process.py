"""Running strata: bounded in time and output, its process group killed at the end."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import time
from typing import Optional

from ._errors import LoadTimeoutError, OutputTooLargeError, StrataError

__all__ = ["DEFAULT_MAX_OUTPUT", "run_bounded"]

DEFAULT_MAX_OUTPUT = 1 << 30
"""Bytes of output (stdout and stderr together) read from one run: 1 GiB."""

_POLL = 0.05
_DRAIN = 1.0
"""Seconds to read what is left in the pipes once strata has exited."""


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL strata's process group. Called only while strata is not yet
    reaped (running or a zombie), so its pid, the group's id, is not reused."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _exited(proc: subprocess.Popen[bytes]) -> bool:
    """Has strata exited? Leaves it a zombie (not reaped), so that its group
    can still be killed safely."""
    try:
        return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def run_bounded(
    argv: list[str],
    cwd: Optional[str],
    env: dict[str, str],
    timeout: Optional[float],
    max_output: int,
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` in a new process group; return its exit code, stdout and
    stderr (UTF-8, undecodable bytes replaced).

    The process group is killed when strata exits (so nothing it started
    outlives it), when ``timeout`` seconds have passed, or when it has printed
    more than ``max_output`` bytes.

    Raises:
        LoadTimeoutError: ``timeout`` passed.
        OutputTooLargeError: more than ``max_output`` bytes.
        StrataError: the command could not be started.
    """
    if not hasattr(os, "killpg") or not hasattr(os, "waitid"):  # Windows
        return _run_plain(argv, cwd, env, timeout, max_output)
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as e:
        raise StrataError(f"could not run {argv[0]}: {e}") from e
    deadline = None if timeout is None else time.monotonic() + timeout
    assert proc.stdout is not None and proc.stderr is not None
    out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
    chunks: dict[int, list[bytes]] = {out_fd: [], err_fd: []}
    total = 0
    killed = False
    drain_until: Optional[float] = None
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            selector.register(proc.stderr, selectors.EVENT_READ)
            while True:
                if deadline is not None and time.monotonic() >= deadline:
                    _kill_group(proc)
                    killed = True
                    raise LoadTimeoutError(f"strata did not finish within {timeout} s; its process group was killed")
                if not selector.get_map():
                    if _exited(proc):
                        break
                    time.sleep(0.002)  # pipes closed, process not yet gone
                    continue
                if drain_until is not None and time.monotonic() >= drain_until:
                    # strata is gone and its group killed, but something it
                    # started in another session still holds the pipes:
                    # what strata wrote has been read; stop waiting.
                    break
                wait = _POLL if deadline is None else max(0.0, min(_POLL, deadline - time.monotonic()))
                for key, _ in selector.select(wait):
                    data = os.read(key.fd, 1 << 16)
                    if not data:
                        selector.unregister(key.fileobj)
                        continue
                    total += len(data)
                    if total > max_output:
                        _kill_group(proc)
                        killed = True
                        raise OutputTooLargeError(
                            f"strata printed more than {max_output} bytes; its process group was killed"
                        )
                    chunks[key.fd].append(data)
                if not killed and _exited(proc):
                    # strata is done: whatever it started that still holds
                    # the pipes goes with its group; then read what is left.
                    _kill_group(proc)
                    killed = True
                    drain_until = time.monotonic() + _DRAIN
            _kill_group(proc)
    except BaseException:
        _kill_group(proc)
        raise
    finally:
        proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    return subprocess.CompletedProcess(
        argv, proc.returncode, _decode(b"".join(chunks[out_fd])), _decode(b"".join(chunks[err_fd]))
    )


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _run_plain(
    argv: list[str], cwd: Optional[str], env: dict[str, str], timeout: Optional[float], max_output: int
) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise LoadTimeoutError(f"strata did not finish within {timeout} s; it was killed") from None
    except OSError as e:
        raise StrataError(f"could not run {argv[0]}: {e}") from e
    if len(done.stdout) + len(done.stderr) > max_output:
        raise OutputTooLargeError(f"strata printed more than {max_output} bytes")
    return subprocess.CompletedProcess(argv, done.returncode, _decode(done.stdout), _decode(done.stderr))
