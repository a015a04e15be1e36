#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The Clipsight authors
"""The Flatpak's promises, checked without Flathub: the app built with the
manifest's own options into /app, run under bubblewrap with what the
manifest's finish-args grant and nothing else.

  test_sandbox.py SOURCE_ROOT BUILDDIR WORKDIR [SHARED]

BUILDDIR is the build with the manifest's config-opts and --prefix=/app
(made when missing; refused when it exists with other options: CI passes
its release build, configured so); WORKDIR holds the installed tree and
the run.  SHARED (default SOURCE_ROOT/../shared) gives the
model bundled in /app, as flatpak/modules/clip-vit-base-patch32.yml
installs the real one (the toy CLIP stands in for it), and the photos.

The sandbox is the one flatpak-builder's finish-args describe:
- /usr read-only (the runtime), /app read-only (the build), /etc
  read-only, a private /tmp, /proc and /dev;
- HOME an empty read-only folder (mount points aside), except ~/Pictures read-only
  (--filesystem=xdg-pictures:ro) and ~/.var/app/APP_ID writable, with
  XDG_DATA_HOME, XDG_CONFIG_HOME and XDG_CACHE_HOME inside it, as Flatpak
  sets them; GSettings on the keyfile backend there, as inside Flatpak;
- no network (no --share=network): a network namespace of its own;
- the X11 socket (--socket=fallback-x11, on Xvfb), and a D-Bus session bus
  of its own; a finish-arg the script does not know fails the test, so the
  check cannot drift from the manifest.

Checks: the app starts with the folder ~/Pictures, finds the bundled model
by itself (no CLIPSIGHT_MODEL), indexes every photo of the read-only folder
and records the corrupt one as failed with a reason, writes only inside
~/.var/app/APP_ID (the photos' bytes and times unchanged), prints no
GLib warning or critical, and ends on SIGTERM.

Before the SIGTERM, Move to Trash, asked through the window's exported
win.trash-photo (org.gtk.Actions on D-Bus, from a driver inside the
sandbox: the app's session bus is the sandbox's own), on two photos of
the read-only folder: each refusal is said in an alert whose words the
app logs (cs-window debug), naming the photo, giving the read-only
mount's reason and saying the photo stayed; the second one proves the app
still answers with the first alert up, and so do a file outside the
library (its own database, which could be trashed: refused as not in the
library) and the window's actions, still listed at the end.  The photos
stay, bytes and times unchanged.  (Inside a real Flatpak GIO trashes
through the Trash portal, as GLib finds /.flatpak-info; here there is no
portal and GIO's own trash runs, so what is refused is what the mounts
refuse.)

Exit 77 (skip) only when bwrap cannot create a sandbox on this machine at
all.
"""

import glob
import json
import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from xvfb import start_xvfb  # noqa: E402

problems = []


def problem(message):
    problems.append(message)
    print(f"FAIL: {message}", file=sys.stderr)


def manifest(source):
    with open(os.path.join(source, "flatpak", "io.github.clipsight.Clipsight.yml"), encoding="utf-8") as f:
        m = yaml.safe_load(f)
    app = next(mod for mod in m["modules"] if isinstance(mod, dict) and mod.get("name") == "clipsight")
    with open(os.path.join(source, "flatpak", "modules", "clip-vit-base-patch32.yml"), encoding="utf-8") as f:
        model = yaml.safe_load(f)
    # "install -Dm644 -t DIR files...": the bundled model's folder
    install = next(c for c in model["build-commands"] if c.lstrip().startswith("install"))
    words = install.split()
    model_dir = words[words.index("-t") + 1]
    return m["id"], m["finish-args"], app["config-opts"], model_dir


def option_mismatches(builddir, opts):
    """The manifest's config-opts an existing build dir does not have."""
    found = {o["name"]: o["value"] for o in json.loads(subprocess.run(
        ["meson", "introspect", "--buildoptions", builddir], check=True,
        capture_output=True, text=True).stdout)}
    wanted = {"prefix": "/app"}
    for opt in opts:
        name, _, value = opt.lstrip("-").partition("=")
        if name.startswith("D"):
            name = name[1:]
        wanted[name] = value
    bad = []
    for name, value in wanted.items():
        have = found.get(name)
        if isinstance(have, list):
            have = " ".join(have)
        if str(have) != value and not (isinstance(have, bool) and str(have).lower() == value):
            bad.append(f"{name}={have!r} (the manifest: {value!r})")
    return bad


def build(source, builddir, work, opts):
    """The app built with the manifest's options into /app: BUILDDIR is
    configured so when new, and must already be so when it exists (CI
    hands over its release build, configured with those options)."""
    dest = os.path.join(work, "dest")
    if not os.path.isfile(os.path.join(builddir, "build.ninja")):
        subprocess.run(["meson", "setup", builddir, source, "--prefix=/app", *opts], check=True,
                       stdout=subprocess.DEVNULL)
    bad = option_mismatches(builddir, opts)
    if bad:
        problem(f"{builddir} is not configured as the manifest builds: {', '.join(bad)}")
        return None
    subprocess.run(["meson", "compile", "-C", builddir], check=True, stdout=subprocess.DEVNULL)
    shutil.rmtree(dest, ignore_errors=True)
    subprocess.run(["meson", "install", "-C", builddir, "--destdir", dest, "--no-rebuild"],
                   check=True, stdout=subprocess.DEVNULL,
                   env=dict(os.environ, DESTDIR=dest))
    # what flatpak-builder does after the modules: the schemas compiled in place
    subprocess.run(["glib-compile-schemas", os.path.join(dest, "app", "share", "glib-2.0", "schemas")],
                   check=True)
    return os.path.join(dest, "app")


def sandbox_args(app_id, finish_args, app_root, home, var, display):
    args = ["bwrap", "--die-with-parent", "--new-session",
            "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc",
            "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
            "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
            "--ro-bind", app_root, "/app",
            "--ro-bind", os.path.join(home, "skeleton"), home,
            "--dir", "/run/user/0"]
    if os.path.isdir("/var/lib/dbus"):
        args += ["--ro-bind", "/var/lib/dbus", "/var/lib/dbus"]
    network = False
    for arg in finish_args:
        if arg == "--filesystem=xdg-pictures:ro":
            args += ["--ro-bind", os.path.join(home, "Pictures"), os.path.join(home, "Pictures")]
        elif arg in ("--socket=wayland", "--device=dri", "--share=ipc"):
            pass  # no Wayland compositor nor GPU here; IPC is not unshared
        elif arg in ("--socket=fallback-x11", "--socket=x11"):
            sock = "/tmp/.X11-unix/X" + display.lstrip(":")
            args += ["--ro-bind", sock, sock]
        elif arg == "--share=network":
            network = True
        else:
            problem(f"finish-arg {arg} is not modelled by this smoke test: teach it")
    if not network:
        args.append("--unshare-net")
    args += ["--unshare-pid", "--unshare-uts", "--unshare-cgroup-try",
             "--bind", var, os.path.join(home, ".var", "app", app_id)]
    return args


# The driver inside the sandbox: starts the app, then runs each request
# CONTROL/call-N (gdbus call's arguments, one a line) as it appears, its
# output and status in CONTROL/reply-N.  gdbus and xargs are the runtime's
# (/usr); the app never sees CONTROL.
DRIVER = r"""ctl=$1; shift
"$@" &
app=$!
n=1
while kill -0 "$app" 2>/dev/null; do
  if [ -e "$ctl/call-$n" ]; then
    xargs -d '\n' -a "$ctl/call-$n" gdbus call --session >"$ctl/reply-$n.part" 2>&1
    echo "status $?" >>"$ctl/reply-$n.part"
    mv "$ctl/reply-$n.part" "$ctl/reply-$n"
    n=$((n + 1))
  else
    sleep 0.2
  fi
done
wait "$app"
"""
CONTROL = "/run/smoke-test"
REFUSED = "Move to Trash refused, said in an alert: "


class Driver:
    def __init__(self, ctl, proc, log_path):
        self.ctl, self.proc, self.log_path, self.n = ctl, proc, log_path, 0

    def call(self, *args, timeout=60):
        """gdbus call ARGS inside the sandbox: (status, output), or None
        when no reply came (the app ended, or the driver is stuck)."""
        self.n += 1
        part = os.path.join(self.ctl, f"call-{self.n}.part")
        with open(part, "w", encoding="utf-8") as f:
            f.write("\n".join(args) + "\n")
        os.rename(part, os.path.join(self.ctl, f"call-{self.n}"))
        reply = os.path.join(self.ctl, f"reply-{self.n}")
        deadline = time.monotonic() + timeout
        while not os.path.exists(reply):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                return None
            time.sleep(0.2)
        with open(reply, encoding="utf-8", errors="replace") as f:
            out = f.read()
        body, _, status = out.rstrip("\n").rpartition("\n")
        return int(status.split()[-1]), body

    def count_log(self, needle):
        """How many lines of the app's output hold NEEDLE so far."""
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return sum(needle in line for line in f)

    def wait_log(self, needle, timeout=60):
        """The first line of the app's output with NEEDLE, once it shows."""
        deadline = time.monotonic() + timeout
        while True:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                for line in f:
                    if needle in line:
                        return line.rstrip("\n")
            if time.monotonic() > deadline or self.proc.poll() is not None:
                return None
            time.sleep(0.5)


def gvariant_string(text):
    # JSON's escapes ("\\", "\"", "\\uXXXX") are GVariant text's too
    return json.dumps(text)


def check_trash(driver, app_id, photos, db_path, inner_db_path):
    """Move to Trash on PHOTOS, of the read-only folder, and on a file the
    library does not have (its database, DB_PATH outside the sandbox and
    INNER_DB_PATH inside), through win.trash-photo on D-Bus."""
    window = "/" + app_id.replace(".", "/") + "/window/1"
    for path in photos:
        name = os.path.basename(path)
        # the window's library follows the database a moment after each
        # commit: a photo the database has may not be in it yet ("not
        # trashed: … is not in the library", a CI run once), so the call
        # is made again until the window has the photo
        unknown = f"{name} is not in the library"
        deadline = time.monotonic() + 60
        while True:
            before = driver.count_log(unknown)
            reply = driver.call("--dest", app_id, "--object-path", window, "--method", "org.gtk.Actions.Activate",
                                "trash-photo", f"[<{gvariant_string(path)}>]", "{}")
            if reply is None or reply[0] != 0:
                problem(f"win.trash-photo on {name} over D-Bus: {reply}")
                return
            while (driver.count_log(unknown) == before and driver.count_log(REFUSED + f"“{name}”") == 0
                   and time.monotonic() < deadline and driver.proc.poll() is None):
                time.sleep(0.2)
            if driver.count_log(unknown) == before or time.monotonic() >= deadline:
                break
            time.sleep(1)
        line = driver.wait_log(REFUSED + f"“{name}”")
        if line is None:
            problem(f"no refusal reported for {name} in the read-only Pictures folder "
                    f"(an alert's words logged as “{REFUSED}“{name}” …”)")
            continue
        print(f"refused in the sandbox: {line}")
        said = line.split(REFUSED, 1)[1]
        # a reason, and one this sandbox gives: the folder is a read-only
        # mount, so rename() into the trash (in ~/.var/app, another mount)
        # fails with EXDEV (GIO: "across filesystem boundaries") or EROFS
        # ("read-only"); and the promise that the photo stayed
        reason = said.partition("cannot be moved to the trash:")[2].partition("It was left where it is.")[0]
        if (not ("read-only" in reason.lower() or "across filesystem boundaries" in reason)
                or not said.endswith("It was left where it is.")):
            problem(f"the refusal for {name} does not give the read-only mount's reason and say the photo stayed: "
                    f"{said}")
    # a file outside the library, which could be trashed (its own writable
    # folder): refused before any trashing, and the app still answers
    reply = driver.call("--dest", app_id, "--object-path", window, "--method", "org.gtk.Actions.Activate",
                        "trash-photo", f"[<{gvariant_string(inner_db_path)}>]", "{}")
    if reply is None or reply[0] != 0:
        problem(f"win.trash-photo on the library's database over D-Bus: {reply}")
    elif driver.wait_log("not trashed: " + inner_db_path + " is not in the library") is None:
        problem("win.trash-photo on a file outside the library was not refused as such")
    if not os.path.isfile(db_path):
        problem("the library's database went to the trash through win.trash-photo")
    reply = driver.call("--dest", app_id, "--object-path", window, "--method", "org.gtk.Actions.List")
    if reply is None or reply[0] != 0 or "'trash-photo'" not in reply[1]:
        problem(f"the window's actions after the refusals: {reply}")


def tree_state(folder):
    state = {}
    for path in sorted(glob.glob(os.path.join(folder, "**"), recursive=True)):
        if os.path.isfile(path):
            st = os.stat(path)
            with open(path, "rb") as f:
                state[path] = (hashlib.sha256(f.read()).hexdigest(), st.st_mtime_ns, st.st_mode)
    return state


def main():
    source = os.path.abspath(sys.argv[1])
    builddir = os.path.abspath(sys.argv[2])
    work = os.path.abspath(sys.argv[3])
    shared = os.path.abspath(sys.argv[4] if len(sys.argv) > 4 else os.path.join(source, "..", "shared"))
    os.makedirs(work, exist_ok=True)
    if shutil.which("bwrap") is None:
        print("bwrap is not installed (.ci/install-deps installs bubblewrap)", file=sys.stderr)
        return 1
    probe = subprocess.run(["bwrap", "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "true"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        print(f"SKIP: bwrap cannot make a sandbox here: {probe.stderr.strip()}")
        return 77
    model = os.path.join(shared, "models", "toy-clip")
    photos = os.path.join(shared, "testdata", "toy-photos")
    if not os.path.isdir(model) or not os.path.isdir(photos):
        print(f"SKIP: {model} or {photos} missing")
        return 77

    app_id, finish_args, opts, model_dir = manifest(source)
    t0 = time.monotonic()
    app_root = build(source, builddir, work, opts)
    if app_root is None:
        return 1
    print(f"built and installed with the manifest's options {opts} into /app in "
          f"{time.monotonic() - t0:.0f} s")
    bundled = app_root + model_dir[len("/app"):]
    os.makedirs(bundled, exist_ok=True)
    for name in os.listdir(model):
        shutil.copy(os.path.join(model, name), bundled)

    run = tempfile.mkdtemp(prefix="sandbox-", dir=work)
    home = os.path.join(run, "home")
    pictures = os.path.join(home, "Pictures")
    var = os.path.join(run, "var")
    # HOME inside: read-only, empty but for the mount points of what is granted
    os.makedirs(os.path.join(home, "skeleton", "Pictures"))
    os.makedirs(os.path.join(home, "skeleton", ".var", "app", app_id))
    os.makedirs(pictures)
    os.makedirs(var)
    ctl = os.path.join(run, "control")
    os.makedirs(ctl)
    with open(os.path.join(ctl, "driver.sh"), "w", encoding="utf-8") as f:
        f.write(DRIVER)
    images = sorted(p for p in glob.glob(os.path.join(photos, "**", "*"), recursive=True)
                    if p.lower().endswith((".png", ".jpg", ".jpeg")))[:24]
    for i, p in enumerate(images):
        shutil.copy(p, os.path.join(pictures, f"{i:03d}-{os.path.basename(p)}"))
    with open(os.path.join(pictures, "broken.jpg"), "wb") as f:
        f.write(b"\xff\xd8\xff\xe0 this is not a photo")
    os.chmod(pictures, 0o555)
    before = tree_state(pictures)
    # the photos Move to Trash is asked for (the home is at the same path
    # inside the sandbox)
    to_trash = sorted(before)[:2]

    inner_env = {
        "PATH": "/app/bin:/usr/bin:/bin",
        "HOME": home,
        "XDG_DATA_HOME": os.path.join(home, ".var", "app", app_id, "data"),
        "XDG_CONFIG_HOME": os.path.join(home, ".var", "app", app_id, "config"),
        "XDG_CACHE_HOME": os.path.join(home, ".var", "app", app_id, "cache"),
        "XDG_DATA_DIRS": "/app/share:/usr/share",
        "XDG_RUNTIME_DIR": "/run/user/0",
        "XDG_PICTURES_DIR": pictures,
        "GSETTINGS_BACKEND": "keyfile",
        "LANG": "C.UTF-8",
        "GDK_BACKEND": "x11",
        "GSK_RENDERER": "cairo",
        "NO_AT_BRIDGE": "1",
        "CLIPSIGHT_NO_UPOWER": "1",
        # the refusals' words, logged where the alert shows them
        "G_MESSAGES_DEBUG": "cs-window",
    }
    xvfb, display = start_xvfb()
    inner_env["DISPLAY"] = display
    args = sandbox_args(app_id, finish_args, app_root, home, var, display)
    args += ["--bind", ctl, CONTROL]
    args += ["--clearenv"]
    for k, v in inner_env.items():
        args += ["--setenv", k, v]
    args += ["dbus-run-session", "--", "sh", CONTROL + "/driver.sh", CONTROL, "/app/bin/clipsight", pictures]
    log_path = os.path.join(run, "app.log")
    log = open(log_path, "w+", encoding="utf-8", errors="replace")
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    db_path = os.path.join(var, "data", "clipsight", "library.db")
    indexed = failed = 0
    deadline = time.monotonic() + 180
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(1)
            if not os.path.exists(db_path):
                continue
            try:
                db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
                indexed = db.execute("SELECT count(*) FROM vectors").fetchone()[0]
                failed = db.execute("SELECT count(*) FROM failures").fetchone()[0]
                db.close()
            except sqlite3.Error:
                continue
            if indexed >= len(images) and failed >= 1:
                check_trash(Driver(ctl, proc, log_path), app_id, to_trash, db_path,
                            os.path.join(inner_env["XDG_DATA_HOME"], "clipsight", "library.db"))
                break
        ended_early = proc.poll()
        if ended_early is not None:
            problem(f"the app ended by itself with {ended_early}")
        else:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                problem("the app did not end within 15 s of SIGTERM")
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        xvfb.terminate()
        xvfb.wait()
    log.seek(0)
    output = log.read()

    print(f"in the sandbox: {indexed} of {len(images)} photos indexed, {failed} failure recorded")
    if indexed != len(images):
        problem(f"{indexed} of {len(images)} photos of the read-only Pictures folder indexed")
    if os.path.exists(db_path):
        db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        rows = db.execute("SELECT path, reason FROM failures").fetchall()
        models = [r[0] for r in db.execute("SELECT value FROM settings WHERE key = 'model-dir'")]
        db.close()
        if [os.path.basename(bytes(r[0]).decode("utf-8", "replace")) for r in rows] != ["broken.jpg"] or not all(r[1] for r in rows):
            problem(f"failures recorded: {rows} (expected broken.jpg with a reason)")
        print(f"failure recorded: {rows}")
        if models != [model_dir]:
            problem(f"the library's model folder is {models}, not the bundled {model_dir}")
        print(f"the library's model folder: {models}")
    else:
        problem(f"no database at {db_path}: {output[-3000:]}")
    after = tree_state(pictures)
    for path in to_trash:
        if path not in after:
            problem(f"{os.path.basename(path)}, refused by Move to Trash, is gone from Pictures")
        elif after[path] != before[path]:
            problem(f"{os.path.basename(path)}, refused by Move to Trash, changed: {before[path]} -> {after[path]}")
    if after != before:
        problem("the Pictures folder changed")
    for line in output.splitlines():
        if "WARNING" in line or "CRITICAL" in line or ("Read-only file system" in line and REFUSED not in line):
            problem(f"the app warned: {line}")
    written = sorted(os.path.relpath(p, var) for p in glob.glob(os.path.join(var, "**"), recursive=True)
                     if os.path.isfile(p))
    print(f"written inside ~/.var/app/{app_id}: {written}")
    os.chmod(pictures, 0o755)
    if problems:
        print(output[-4000:], file=sys.stderr)
        return 1
    if not os.environ.get("KEEP"):
        shutil.rmtree(run, ignore_errors=True)
    print("ok: the sandboxed app found its bundled model, indexed read-only Pictures, wrote only its own folders, "
          "refused to trash a read-only photo with a clear message and kept working")
    return 0


if __name__ == "__main__":
    sys.exit(main())
