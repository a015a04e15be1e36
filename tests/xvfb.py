# SPDX-License-Identifier: GPL-3.0-or-later
"""An Xvfb server for the tests that start the real app (tests/app,
tests/provider, tests/data): imported with tests/ on sys.path."""
import os
import subprocess


def start_xvfb():
    """An Xvfb server on a display it picks itself (-displayfd: no race with
    other servers): (process, ":N").  Raises RuntimeError when it does not
    start."""
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24",
                             "-nolisten", "tcp"], pass_fds=(write_fd,), stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as f:
        number = f.readline().strip()
    if not number:
        proc.kill()
        proc.wait()
        raise RuntimeError("Xvfb did not start")
    return proc, ":" + number
