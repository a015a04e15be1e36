#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The Clipsight authors
"""One Clipsight per session: a second launch raises the window (issue 5).

Runs the real `clipsight` binary as a person's session would have it: under
a private X server (Xvfb, no window manager) on a private D-Bus session bus
(it runs itself under dbus-run-session), with a HOME and XDG folders of its
own, settings in a key file and the toy model.  Starts the app and waits for
its window; then launches `clipsight` again, twice:

  - with no argument: the second process must exit with status 0 while the
    first one keeps the bus name (the bus names the first PID as its owner)
    and no second window appears; and the first one's window must be
    presented again: with no window manager GTK raises it and gives it the
    X input focus, which the test had given to a window of its own before;
  - with a folder, as a relative path (`clipsight toy-photos` from its parent
    folder): the same, and the folder is added: it is in the database's
    folders table (the folders' one home) and its photos get indexed.

  test_single_instance.py APP_ID APP
Environment: CLIPSIGHT_SHARED (skips with 77 when the toy model or photos
are missing), GSETTINGS_SCHEMA_DIR (the build's compiled schema).
"""

import ctypes
import ctypes.util
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from xvfb import start_xvfb  # noqa: E402

SKIP = 77
APP_ID = "io.github.clipsight.Clipsight"  # or the development profile's, from argv
TIMEOUT = 60


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def wait_until(what, predicate, seconds=TIMEOUT, proc=None):
    """Polls predicate() until it returns a true value (returned), failing
    after `seconds` or when `proc` exits."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            fail(f"the app exited ({proc.returncode}) while waiting for {what}")
        if time.monotonic() > deadline:
            fail(f"no {what} after {seconds} s")
        time.sleep(0.1)


# ---------------------------------------------------------------- X11 (Xlib)

class X11:
    """What the test needs of Xlib, through ctypes (no python3-xlib)."""

    POINTER_ROOT = 1
    REVERT_TO_PARENT = 2
    CURRENT_TIME = 0
    XA_CARDINAL = 6

    def __init__(self, display):
        self.lib = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
        lib = self.lib
        lib.XOpenDisplay.restype = ctypes.c_void_p
        lib.XOpenDisplay.argtypes = [ctypes.c_char_p]
        lib.XDefaultRootWindow.restype = ctypes.c_ulong
        lib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        lib.XCreateSimpleWindow.restype = ctypes.c_ulong
        lib.XCreateSimpleWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int,
                                            ctypes.c_uint, ctypes.c_uint, ctypes.c_uint, ctypes.c_ulong,
                                            ctypes.c_ulong]
        lib.XMapRaised.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        lib.XSetInputFocus.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_ulong]
        lib.XGetInputFocus.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_ulong),
                                       ctypes.POINTER(ctypes.c_int)]
        lib.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.XQueryTree.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong),
                                   ctypes.POINTER(ctypes.c_ulong),
                                   ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
                                   ctypes.POINTER(ctypes.c_uint)]
        lib.XInternAtom.restype = ctypes.c_ulong
        lib.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        lib.XGetWindowProperty.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_long,
                                           ctypes.c_long, ctypes.c_int, ctypes.c_ulong,
                                           ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_int),
                                           ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_ulong),
                                           ctypes.POINTER(ctypes.c_void_p)]
        lib.XFree.argtypes = [ctypes.c_void_p]
        lib.XCloseDisplay.argtypes = [ctypes.c_void_p]
        self.dpy = lib.XOpenDisplay(display.encode())
        if not self.dpy:
            fail(f"cannot open the X display {display}")
        self.root = lib.XDefaultRootWindow(self.dpy)
        self.net_wm_pid = lib.XInternAtom(self.dpy, b"_NET_WM_PID", 0)

    def close(self):
        self.lib.XCloseDisplay(self.dpy)

    def focus(self):
        window = ctypes.c_ulong()
        revert = ctypes.c_int()
        self.lib.XSync(self.dpy, 0)
        self.lib.XGetInputFocus(self.dpy, ctypes.byref(window), ctypes.byref(revert))
        return window.value

    def take_focus(self):
        """Maps a window of the test's own and gives it the input focus."""
        window = self.lib.XCreateSimpleWindow(self.dpy, self.root, 0, 0, 200, 200, 0, 0, 0)
        self.lib.XMapRaised(self.dpy, window)
        self.lib.XSync(self.dpy, 0)
        # the map must be done before the focus can go to the window
        wait_until("focus on the test's own window",
                   lambda: self._set_focus(window) and self.focus() == window, seconds=10)
        return window

    def _set_focus(self, window):
        self.lib.XSetInputFocus(self.dpy, window, self.REVERT_TO_PARENT, self.CURRENT_TIME)
        self.lib.XSync(self.dpy, 0)
        return True

    def toplevel(self, window):
        """The child of the root that holds `window` (no window manager
        reparents here), or None for the root, PointerRoot or None."""
        if window in (0, self.POINTER_ROOT, self.root):
            return None
        while True:
            root, parent = ctypes.c_ulong(), ctypes.c_ulong()
            children = ctypes.POINTER(ctypes.c_ulong)()
            n = ctypes.c_uint()
            if not self.lib.XQueryTree(self.dpy, window, ctypes.byref(root), ctypes.byref(parent),
                                       ctypes.byref(children), ctypes.byref(n)):
                return None
            if children:
                self.lib.XFree(children)
            if parent.value == root.value:
                return window
            window = parent.value

    def pid_of(self, window):
        kind, fmt = ctypes.c_ulong(), ctypes.c_int()
        n, after = ctypes.c_ulong(), ctypes.c_ulong()
        data = ctypes.c_void_p()
        if self.lib.XGetWindowProperty(self.dpy, window, self.net_wm_pid, 0, 1, 0, self.XA_CARDINAL,
                                       ctypes.byref(kind), ctypes.byref(fmt), ctypes.byref(n),
                                       ctypes.byref(after), ctypes.byref(data)) != 0:
            return None
        try:
            if fmt.value != 32 or n.value != 1 or not data.value:
                return None
            # format 32 comes as C longs
            return ctypes.cast(data, ctypes.POINTER(ctypes.c_long))[0]
        finally:
            if data.value:
                self.lib.XFree(data)

    def focused_pid(self):
        top = self.toplevel(self.focus())
        return self.pid_of(top) if top is not None else None


# ---------------------------------------------------------------- D-Bus

def bus_call(dest, path, method, *args):
    result = subprocess.run(["gdbus", "call", "--session", "--dest", dest, "--object-path", path,
                             "--method", method, *args], capture_output=True, text=True, timeout=TIMEOUT)
    return result.stdout.strip() if result.returncode == 0 else None


def name_owner_pid(name):
    """The PID of the bus name's owner, or None when nobody owns it."""
    out = bus_call("org.freedesktop.DBus", "/org/freedesktop/DBus",
                   "org.freedesktop.DBus.GetConnectionUnixProcessID", name)
    if out is None:
        return None
    return int(out.strip("(),").split()[-1])


def app_windows():
    """The numbers of the windows the app exports (GtkApplication puts each
    window's actions at OBJECT_PATH/window/N)."""
    path = "/" + APP_ID.replace(".", "/") + "/window"
    result = subprocess.run(["gdbus", "introspect", "--session", "--dest", APP_ID, "--object-path", path],
                            capture_output=True, text=True, timeout=TIMEOUT)
    return sorted(int(line.split()[1]) for line in result.stdout.splitlines()
                  if line.strip().startswith("node ") and line.split()[1].isdigit())


# ---------------------------------------------------------------- the app's state

def store_folders(path):
    """The included folders of the store (the database), where the app keeps them."""
    if not os.path.exists(path):
        return []
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            rows = db.execute("SELECT path FROM folders WHERE NOT excluded ORDER BY path").fetchall()
        finally:
            db.close()
    except sqlite3.Error:
        return []  # not created yet, or busy
    return [os.fsdecode(bytes(p)) for (p,) in rows]


def database_state(path, folder):
    """(folder in the folders table, included; photos below it)."""
    if not os.path.exists(path):
        return False, 0
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            rows = db.execute("SELECT path, excluded FROM folders").fetchall()
            listed = any(bytes(p) == os.fsencode(folder) and not excluded for p, excluded in rows)
            photos = db.execute("SELECT count(*) FROM photos").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return False, 0  # not created yet, or busy
    return listed, photos


# ---------------------------------------------------------------- the test

def launch_again(app, env, args, cwd, first, x11, own_window):
    """Runs `clipsight ARGS...` while `first` runs: it must hand over to the
    first instance and exit 0, and the first one must raise its window."""
    if x11.focus() != own_window:
        fail("the test's window lost the focus before the launch")
    command = " ".join(["clipsight", *args])
    second = subprocess.Popen([app, *args], cwd=cwd, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = second.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        second.kill()
        out, _ = second.communicate()
        fail(f"`{command}` did not exit (a second primary instance?):\n{out}")
    print(f"`{command}` exited with {second.returncode}")
    if second.returncode != 0:
        fail(f"`{command}` exited with {second.returncode}:\n{out}")
    if first.poll() is not None:
        fail(f"the first instance exited ({first.returncode})")
    if name_owner_pid(APP_ID) != first.pid:
        fail(f"{APP_ID} is owned by PID {name_owner_pid(APP_ID)}, not the first instance {first.pid}")
    wait_until("focus on the first instance's window after the launch",
               lambda: x11.focused_pid() == first.pid, proc=first)
    print("the first instance's window was raised and has the focus")
    windows = app_windows()
    if windows != [1]:
        fail(f"the app has windows {windows}, not the one it had")


def inner(app, work):
    shared = os.environ["CLIPSIGHT_SHARED"]
    photos = os.path.join(shared, "testdata", "toy-photos")
    model = os.path.join(shared, "models", "toy-clip")
    home = os.path.join(work, "home")
    config_home = os.path.join(home, ".config")
    database = os.path.join(work, "library.db")
    for d in (home, config_home):
        os.makedirs(d, exist_ok=True)
    runtime = os.path.join(work, "runtime")
    os.makedirs(runtime, mode=0o700, exist_ok=True)

    xvfb, display = start_xvfb()
    env = dict(os.environ,
               DISPLAY=display,
               HOME=home,
               XDG_CONFIG_HOME=config_home,
               XDG_DATA_HOME=os.path.join(home, ".local", "share"),
               XDG_CACHE_HOME=os.path.join(home, ".cache"),
               XDG_RUNTIME_DIR=runtime,
               GSETTINGS_BACKEND="keyfile",
               CLIPSIGHT_DATABASE=database,
               CLIPSIGHT_MODEL=model,
               CLIPSIGHT_NO_UPOWER="1",
               GDK_BACKEND="x11",
               GSK_RENDERER="cairo",
               NO_AT_BRIDGE="1",
               GTK_A11Y="none",
               GIO_USE_PROXY_RESOLVER="dummy")
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("DESKTOP_STARTUP_ID", None)
    env.pop("XDG_ACTIVATION_TOKEN", None)
    log_path = os.path.join(work, "first.log")
    x11 = X11(display)
    first = None
    try:
        with open(log_path, "w", encoding="utf-8") as log:
            first = subprocess.Popen([app], cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
        wait_until(f"{APP_ID} on the bus", lambda: name_owner_pid(APP_ID) == first.pid, proc=first)
        wait_until("the first window", lambda: app_windows() == [1], proc=first)
        wait_until("the first window's focus", lambda: x11.focused_pid() == first.pid, proc=first)
        print(f"first instance: PID {first.pid}, window 1 has the focus")
        if store_folders(database):
            fail(f"folders before any was added: {store_folders(database)}")

        # A plain second launch only raises the window.
        own = x11.take_focus()
        launch_again(app, env, [], work, first, x11, own)
        if store_folders(database):
            fail(f"a launch without a folder added folders: {store_folders(database)}")

        # `clipsight FOLDER` (relative to where it runs) adds the folder.
        parent = os.path.realpath(os.path.dirname(photos))
        folder = os.path.join(parent, os.path.basename(photos))
        own = x11.take_focus()
        launch_again(app, env, [os.path.basename(photos)], parent, first, x11, own)
        wait_until(f"{folder} in the store's folders",
                   lambda: store_folders(database) == [folder], proc=first)
        print(f"store folders: {store_folders(database)}")
        def indexed():
            listed, n = database_state(database, folder)
            return n if listed and n > 0 else None
        n = wait_until(f"{folder} listed and indexed in the database", indexed, seconds=300, proc=first)
        print(f"database: the folder is listed, {n} photos indexed so far")

        # `clipsight NOT-A-FOLDER` is refused in the launching terminal and
        # sends nothing to the running instance
        missing = os.path.join(work, "no-such-folder")
        result = subprocess.run([app, missing, folder], cwd=work, env=env, capture_output=True,
                                text=True, timeout=60)
        if result.returncode != 1 or f"{missing} is not a folder" not in result.stderr:
            fail(f"a launch with a missing folder: status {result.returncode}, stderr {result.stderr!r}")
        if store_folders(database) != [folder]:
            fail(f"a refused launch changed the folders: {store_folders(database)}")
        print(f"a missing folder is refused: {result.stderr.strip()!r}")
        if name_owner_pid(APP_ID) != first.pid:
            fail("the first instance lost the bus name")
    except SystemExit:
        if first is not None and os.path.exists(log_path):
            with open(log_path, encoding="utf-8", errors="replace") as f:
                print(f"--- the first instance's output:\n{f.read()}", file=sys.stderr)
        raise
    finally:
        x11.close()
        if first is not None and first.poll() is None:
            first.terminate()
            try:
                first.wait(timeout=30)
            except subprocess.TimeoutExpired:
                first.kill()
                first.wait()
        xvfb.terminate()
        xvfb.wait()
    print("ok")


def main():
    global APP_ID
    args = sys.argv[1:]
    if len(args) == 4 and args[0] == "--inner":
        APP_ID = args[1]
        inner(args[2], args[3])
        return 0
    if len(args) != 2:
        print("usage: test_single_instance.py APP_ID APP", file=sys.stderr)
        return 2
    app_id, app = args[0], os.path.abspath(args[1])

    shared = os.environ.get("CLIPSIGHT_SHARED", "")
    if not (os.path.isdir(os.path.join(shared, "testdata", "toy-photos"))
            and os.path.isdir(os.path.join(shared, "models", "toy-clip"))):
        print("SKIP: no toy model or photos in CLIPSIGHT_SHARED")
        return SKIP
    for tool in ("Xvfb", "dbus-run-session", "gdbus"):
        if shutil.which(tool) is None:
            print(f"SKIP: {tool} is not installed")
            return SKIP
    try:
        ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    except OSError:
        print("SKIP: no libX11")
        return SKIP

    work = tempfile.mkdtemp(prefix="clipsight-single-instance-")
    try:
        env = dict(os.environ)
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        result = subprocess.run(["dbus-run-session", "--", sys.executable, os.path.abspath(__file__),
                                 "--inner", app_id, app, work], env=env, timeout=900)
        return result.returncode
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
