#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The Clipsight authors
"""The GNOME Shell search provider, over D-Bus, as the Shell calls it.

Indexes the toy photos with the toy model, starts a program that exports
the provider (tests/provider/provider-host, or the real app as a D-Bus
service) on a private session bus (dbus-run-session) and talks to it with
`gdbus call`: "a red circle" must come back as red-circle photos with their
names, folders and icons; activating a result and launching a search must
reach the application's actions.  Several callers at once (separate bus
connections, through tests/provider/provider-client) each get the answer to
their own newest search: a newer search supersedes only its own caller's.

  test_provider.py [--x11] [--app-window] APP_ID COMMAND...
(it runs itself under dbus-run-session).  --x11 starts an Xvfb server for
the program (the real app needs a display); --app-window checks the real
app's side of activation instead of the host's printed actions: it starts
with no window (D-Bus service) and ActivateResult opens one.  When COMMAND
has --hold-library (tests/provider/provider-host), searches are first
queued while the library is held back, then app.load-library lets it load.
Environment: CLIPSIGHT_SHARED, CLIPSIGHT_CLI, CLIPSIGHT_PROVIDER_CLIENT;
GSETTINGS_SCHEMA_DIR for the app.
"""

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from xvfb import start_xvfb  # noqa: E402

SKIP = 77
TIMEOUT = 60


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def gdbus_call(dest, path, method, *args, timeout=TIMEOUT):
    cmd = ["gdbus", "call", "--session", "--dest", dest, "--object-path", path,
           "--method", method, "--timeout", str(timeout), *args]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout + 10)
    if result.returncode != 0:
        fail(f"{method} failed: {result.stderr.strip()}")
    return result.stdout.strip()


def variant_strings(text):
    """The strings of a printed GVariant such as (['12', '7'],)."""
    return [s.encode().decode("unicode_escape") for s in re.findall(r"'((?:[^'\\]|\\.)*)'", text)]


def parse_metas(text):
    """[{'id': <'12'>, 'name': <'x.png'>, ...}, ...] -> list of dicts of strings."""
    metas = []
    for block in re.findall(r"\{([^{}]*)\}", text):
        meta = {}
        for key, value in re.findall(r"'([a-z-]+)': <(?:@\w+ )?'((?:[^'\\]|\\.)*)'>", block):
            meta[key] = value
        metas.append(meta)
    return metas


def as_strv(words):
    return "[" + ", ".join("'" + w.replace("'", "\\'") + "'" for w in words) + "]"


def wait_for_name(name, proc, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            fail(f"the provider's program exited early ({proc.returncode})")
        out = subprocess.run(["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus",
                              "--object-path", "/org/freedesktop/DBus",
                              "--method", "org.freedesktop.DBus.NameHasOwner", name],
                             capture_output=True, text=True).stdout
        if "true" in out:
            return
        time.sleep(0.1)
    fail(f"{name} never appeared on the bus")


def read_line_matching(stream_path, prefix, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with open(stream_path, encoding="utf-8") as f:
            for line in f:
                if line.startswith(prefix):
                    return line.rstrip("\n")
        time.sleep(0.1)
    with open(stream_path, encoding="utf-8") as f:
        fail(f"no line starting with {prefix!r}; output was:\n{f.read()}")


def run_client(dest, path, calls, then=None):
    """Sends CALLER:TEXT searches at once (provider-client); once the
    provider has them all, runs then(); returns [(CALLER:TEXT, ids)] in
    the order given."""
    client = subprocess.Popen([os.environ["CLIPSIGHT_PROVIDER_CLIENT"], dest, path, *calls],
                              stdout=subprocess.PIPE, text=True)
    try:
        if client.stdout.readline().strip() != "sent":
            client.wait(timeout=TIMEOUT)
            fail(f"provider-client could not send {calls} ({client.returncode})")
        if then is not None:
            then()
        # (not communicate(): it would lose what readline() buffered; the
        # client's own calls time out)
        out = client.stdout.read()
        client.wait(timeout=TIMEOUT)
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()
    if client.returncode != 0:
        fail(f"provider-client failed ({client.returncode}) for {calls}")
    answers = []
    for call, line in zip(calls, out.splitlines()):
        if not line.startswith(call + " "):
            fail(f"provider-client answered {line!r} for {call!r}")
        fields = line[len(call) + 1:].split()
        answers.append((call, fields[1:]))
        print(f"  {call}: {fields[0]} ids {fields[1:6]}")
    if len(answers) != len(calls):
        fail(f"provider-client gave {len(answers)} answers for {len(calls)} calls:\n{out}")
    return answers


def inner(host, app_id, work, x11=False, actions=True):
    shared = os.environ["CLIPSIGHT_SHARED"]
    photos = os.path.join(shared, "testdata", "toy-photos")
    model = os.path.join(shared, "models", "toy-clip")
    queries = json.load(open(os.path.join(photos, "queries.json"), encoding="utf-8"))
    relevant = set(next(q["relevant"] for q in queries["queries"] if q["query"] == "a red circle"))
    with open(os.path.join(photos, "labels.csv"), encoding="utf-8") as f:
        captions = {row["file"]: row["caption"] for row in csv.DictReader(f)}

    env = dict(os.environ,
               CLIPSIGHT_DATABASE=os.path.join(work, "library.db"),
               CLIPSIGHT_MODEL=model,
               XDG_CACHE_HOME=os.path.join(work, "cache"),
               XDG_DATA_HOME=os.path.join(work, "data"),
               XDG_CONFIG_HOME=os.path.join(work, "config"),
               GSETTINGS_BACKEND="memory")
    out_path = os.path.join(work, "host.out")
    dest = app_id
    path = "/" + app_id.replace(".", "/") + "/SearchProvider"
    iface = "org.gnome.Shell.SearchProvider2"

    xvfb = None
    if x11:
        xvfb, env["DISPLAY"] = start_xvfb()
        env.update(GDK_BACKEND="x11", GSK_RENDERER="cairo", NO_AT_BRIDGE="1",
                   CLIPSIGHT_NO_UPOWER="1")
    with open(out_path, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(host, stdout=out, stderr=sys.stderr, env=env)
    try:
        wait_for_name(dest, proc)

        queued = None
        if "--hold-library" in host:
            # Three searches wait for the library: caller a's second
            # supersedes its first at once, caller b's is its own business.
            print("while the library is held back:")
            queued = run_client(dest, path, ["a:a red circle", "a:a blue square", "b:a red circle"],
                                then=lambda: gdbus_call(dest, "/" + app_id.replace(".", "/"),
                                                        "org.gtk.Actions.Activate",
                                                        "load-library", "[]", "{}"))
            if queued[0][1]:
                fail(f"caller a's superseded search was answered with results: {queued[0]}")
            if not queued[1][1]:
                fail("caller a's newest search got no results")

        # Straight away: the library may still be loading, the call waits.
        terms = ["a", "red", "circle"]
        ids = variant_strings(gdbus_call(dest, path, f"{iface}.GetInitialResultSet", as_strv(terms)))
        print(f"GetInitialResultSet {terms}: {len(ids)} ids {ids[:10]}")
        if not ids:
            fail("no results for 'a red circle'")
        if len(set(ids)) != len(ids) or not all(i.isdigit() for i in ids):
            fail(f"result ids are not distinct row ids: {ids}")
        if queued is not None and queued[2][1] != ids:
            fail(f"caller b's search, queued beside caller a's, got {queued[2][1]}, not {ids}")

        # Callers searching at once on the loaded library: none cancels
        # another's search.
        print("three callers at once:")
        both = run_client(dest, path, ["a:a red circle", "b:a blue square", "c:a red circle"])
        if both[0][1] != ids or both[2][1] != ids:
            fail(f"concurrent callers' answers for 'a red circle' differ from {ids}: {both}")
        if not both[1][1]:
            fail("caller b's concurrent search got no results")

        metas_text = gdbus_call(dest, path, f"{iface}.GetResultMetas", as_strv(ids[:5]))
        metas = parse_metas(metas_text)
        if [m.get("id") for m in metas] != ids[:5]:
            fail(f"metas do not answer the ids in order: {metas_text}")
        names = [m.get("name") for m in metas]
        print("top 5:", ", ".join(f"{n} ({captions.get(n, '?')})" for n in names))
        hits = sum(1 for n in names if n in relevant)
        # The toy model is good, not perfect: the reference has 8 of 10.
        if hits < 3:
            fail(f"only {hits} of the top 5 hold a red circle: {names}")
        for m in metas:
            if os.path.realpath(m.get("description", "")) != os.path.realpath(photos):
                fail(f"description is not the photo's folder: {m}")
            if not m.get("gicon", "").startswith(("file://", "/")):
                fail(f"no file icon: {m}")

        # A thumbnail in the app's cache (freedesktop layout) becomes the icon.
        # Thumbnails are keyed by the URI of the path as indexed: ".." taken
        # out, symbolic links kept (the library does not resolve them).
        top_path = os.path.join(os.path.normpath(os.path.abspath(photos)), names[0])
        uri = "file://" + urllib.parse.quote(top_path)
        thumb_dir = os.path.join(work, "cache", "clipsight", "thumbnails", "large")
        os.makedirs(thumb_dir, exist_ok=True)
        thumb = os.path.join(thumb_dir, hashlib.md5(uri.encode()).hexdigest() + ".png")
        shutil.copyfile(os.path.join(photos, "photo-0001.png"), thumb)
        meta = parse_metas(gdbus_call(dest, path, f"{iface}.GetResultMetas", as_strv(ids[:1])))[0]
        if thumb not in urllib.parse.unquote(meta.get("gicon", "")):
            fail(f"the cached thumbnail is not the icon: {meta} (expected {thumb})")

        # One meta per id, even for an id the library does not hold.
        metas = parse_metas(gdbus_call(dest, path, f"{iface}.GetResultMetas", "['999999999', 'x']"))
        if [m.get("id") for m in metas] != ["999999999", "x"]:
            fail(f"unknown ids must still get a meta each: {metas}")

        sub = variant_strings(gdbus_call(dest, path, f"{iface}.GetSubsearchResultSet",
                                         as_strv(ids), as_strv(terms)))
        if sub[:1] != ids[:1]:
            fail(f"the subsearch does not rank like the search: {sub[:5]} vs {ids[:5]}")
        if variant_strings(gdbus_call(dest, path, f"{iface}.GetInitialResultSet", "['  ']")):
            fail("blank terms gave results")

        if not actions:
            # GtkApplication exports each window's actions on the bus.
            window = "/" + app_id.replace(".", "/") + "/window/1"
            def has_window():
                return subprocess.run(["gdbus", "introspect", "--session", "--dest", dest,
                                       "--object-path", window], capture_output=True,
                                      text=True).stdout.count("org.gtk.Actions") > 0
            if has_window():
                fail("the D-Bus service has a window before any activation")
            gdbus_call(dest, path, f"{iface}.ActivateResult", ids[0], as_strv(terms), "0")
            deadline = time.monotonic() + 20
            while not has_window():
                if time.monotonic() > deadline:
                    fail("ActivateResult opened no window")
                time.sleep(0.1)
            gdbus_call(dest, path, f"{iface}.LaunchSearch", as_strv(terms), "0")
            print("ActivateResult opened a window; LaunchSearch answered")
            print("ok")
            return
        gdbus_call(dest, path, f"{iface}.ActivateResult", ids[0], as_strv(terms), "0")
        line = read_line_matching(out_path, "show-photo ")
        shown = urllib.parse.unquote(line.split(" ", 1)[1])
        if shown != "file://" + top_path:
            fail(f"ActivateResult showed {shown}, not {top_path}")
        gdbus_call(dest, path, f"{iface}.LaunchSearch", as_strv(terms), "0")
        line = read_line_matching(out_path, "search ")
        if line != "search a red circle":
            fail(f"LaunchSearch sent {line!r}")
        print("ActivateResult and LaunchSearch reached app.show-photo and app.search")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait()
    if proc.returncode not in (0, -15):
        fail(f"the provider's program exited with {proc.returncode}")
    print("ok")


def main():
    args = sys.argv[1:]
    if len(args) >= 3 and args[0] == "--inner":
        work, flags = args[1], args[2].split(",")
        inner(args[4:], args[3], work, x11="x11" in flags, actions="app-window" not in flags)
        return 0

    flags = []
    while args and args[0] in ("--x11", "--app-window"):
        flags.append(args.pop(0)[2:])
    if len(args) < 2:
        print("usage: test_provider.py [--x11] [--app-window] APP_ID COMMAND...", file=sys.stderr)
        return 2
    app_id, host = args[0], args[1:]
    if "x11" in flags and shutil.which("Xvfb") is None:
        print("SKIP: Xvfb is not installed")
        return SKIP
    shared = os.environ.get("CLIPSIGHT_SHARED", "")
    photos = os.path.join(shared, "testdata", "toy-photos")
    model = os.path.join(shared, "models", "toy-clip")
    if not os.path.isdir(photos) or not os.path.isdir(model):
        print("SKIP: no toy model or photos in CLIPSIGHT_SHARED")
        return SKIP
    for tool in ("dbus-run-session", "gdbus"):
        if shutil.which(tool) is None:
            print(f"SKIP: {tool} is not installed")
            return SKIP

    work = tempfile.mkdtemp(prefix="clipsight-provider-")
    try:
        index = subprocess.run([os.environ["CLIPSIGHT_CLI"], "index", "--json",
                                "--database", os.path.join(work, "library.db"),
                                "--model", model, photos],
                               capture_output=True, text=True, timeout=600)
        if index.returncode != 0:
            fail(f"indexing failed: {index.stderr}")
        print("indexed:", index.stdout.strip().splitlines()[-1])
        result = subprocess.run(["dbus-run-session", "--", sys.executable, os.path.abspath(__file__),
                                 "--inner", work, ",".join(flags) or "-", app_id, *host],
                                timeout=600)
        return result.returncode
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
