#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The Clipsight authors
"""`meson install` into a temporary DESTDIR gives a tree the validators accept.

Installs the build, checks that every file of the desktop integration is
there under the profile's app id (binaries, desktop entry, metainfo,
GSettings schema, icons, translations, search provider, D-Bus service),
runs desktop-file-validate, appstreamcli (validate and validate-tree, no
network), glib-compile-schemas --strict and msgfmt on the installed files,
and checks that they name each other consistently.  With the app built,
starts the installed app under Xvfb on a private D-Bus session bus, in
German, and waits for its window; then searches as GNOME Shell does: reads
the installed search provider file and calls GetInitialResultSet on the
bus name and object path it names, on a bus whose only service folder
holds the installed D-Bus service file, so the bus starts the app itself
(D-Bus activation, --gapplication-service) over the toy photos.

  test_install.py MESON BUILDDIR PREFIX BINDIR DATADIR LOCALEDIR APP_ID SOURCE_ROOT APP_BUILT
"""

import configparser
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from xvfb import start_xvfb  # noqa: E402

problems = []


def problem(message):
    problems.append(message)
    print(f"FAIL: {message}", file=sys.stderr)


def run(cmd, **kwargs):
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        problem(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result


def run_session(cmd, env, timeout):
    """Runs cmd (a dbus-run-session) in a process group of its own, its
    output in a file, not a pipe: a process the session started and left
    behind (an activated service) cannot hold the test open, and whatever is
    still in the group afterwards is killed.  On a time-out, the processes
    then running are part of the report.  Returns (returncode, output);
    returncode is None after a time-out; output is stdout, then stderr."""
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as out, \
         tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as err:
        proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=err, start_new_session=True)
        try:
            returncode = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            returncode = None
            listing = subprocess.run(["ps", "-eo", "pid,ppid,pgid,etime,stat,args"],
                                     capture_output=True, text=True).stdout
            err.write(f"\n[timed out after {timeout} s; processes then:]\n")
            err.write("\n".join(line for line in listing.splitlines()
                                 if str(proc.pid) in line.split()[:3] or "PID" in line))
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
        out.seek(0)
        err.seek(0)
        return returncode, out.read(), err.read()


def read_ini(path, section):
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(path, encoding="utf-8")
    return parser[section] if parser.has_section(section) else {}


def start_app(root, bindir, datadir, localedir, app_id, work):
    """The installed app starts in German and shows a window under Xvfb."""
    for tool in ("Xvfb", "dbus-run-session", "gdbus"):
        if shutil.which(tool) is None:
            print(f"note: {tool} is not installed: the start-up check is skipped")
            return
    schemas = os.path.join(work, "schemas")
    os.makedirs(schemas, exist_ok=True)
    run(["glib-compile-schemas", "--targetdir", schemas, root + os.path.join(datadir, "glib-2.0", "schemas")])
    home = os.path.join(work, "home")
    env = dict(os.environ,
               HOME=home,
               XDG_DATA_HOME=os.path.join(home, "data"),
               XDG_CONFIG_HOME=os.path.join(home, "config"),
               XDG_CACHE_HOME=os.path.join(home, "cache"),
               XDG_DATA_DIRS=root + datadir + ":/usr/local/share:/usr/share",
               GSETTINGS_SCHEMA_DIR=schemas,
               GSETTINGS_BACKEND="memory",
               LANGUAGE="de",
               LC_ALL="C.UTF-8",
               CLIPSIGHT_LOCALEDIR=root + localedir,
               CLIPSIGHT_NO_UPOWER="1",
               GDK_BACKEND="x11",
               GSK_RENDERER="cairo",
               NO_AT_BRIDGE="1")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    app = root + os.path.join(bindir, "clipsight")
    # A window is there when X lists it (xwininfo, where installed) or
    # when GtkApplication exports its first window's actions on the bus.
    window_path = "/" + app_id.replace(".", "/") + "/window/1"
    script = r'''
"$1" & pid=$!
i=0
while [ $i -lt 150 ]; do
  if command -v xwininfo >/dev/null; then
    xwininfo -root -tree 2>/dev/null | grep -q '"Clipsight"' && shown="an X window"
  elif gdbus introspect --session --dest "$2" --object-path "$3" >/dev/null 2>&1; then
    shown="a GtkApplicationWindow"
  fi
  if [ -n "$shown" ]; then
    echo "$shown shown"; kill $pid
    # SIGTERM must end the app at once; wait at most 10 s for it
    j=0
    while kill -0 $pid 2>/dev/null && [ $j -lt 50 ]; do sleep 0.2; j=$((j + 1)); done
    if kill -0 $pid 2>/dev/null; then echo "the app did not end within 10 s of SIGTERM"; exit 5; fi
    exit 0
  fi
  kill -0 $pid 2>/dev/null || { wait $pid; echo "exited early with $?"; exit 3; }
  sleep 0.2; i=$((i + 1))
done
kill $pid; echo "no window after 30 s"; exit 4
'''
    xvfb, env["DISPLAY"] = start_xvfb()
    try:
        returncode, output, errors = run_session(["dbus-run-session", "--", "sh", "-c", script, "sh", app,
                                          app_id, window_path], env, 90)
    finally:
        xvfb.terminate()
        xvfb.wait()
    print(f"installed app under Xvfb (LANGUAGE=de): {output.strip()[-300:]}")
    if returncode != 0:
        problem(f"the installed app did not start (exit {returncode}): {output}{errors[-3000:]}")


def shell_search(root, bindir, datadir, localedir, app_id, work, provider, service_path):
    """GNOME Shell's path: D-Bus activation from the installed files, then a search."""
    shared = os.environ.get("CLIPSIGHT_SHARED", "")
    cli = os.environ.get("CLIPSIGHT_CLI", "")
    photos = os.path.join(shared, "testdata", "toy-photos")
    model = os.path.join(shared, "models", "toy-clip")
    if not (os.path.isdir(photos) and os.path.isdir(model) and cli):
        print("note: no toy model and photos: the Shell search check is skipped")
        return
    database = os.path.join(work, "library.db")
    run([cli, "index", "--json", "--database", database, "--model", model, photos])

    # The installed service file, with its binary moved into DESTDIR.
    services = os.path.join(work, "services")
    os.makedirs(services, exist_ok=True)
    service = read_ini(service_path, "D-BUS Service")
    exec_line = service["Exec"].split()
    exec_line[0] = root + exec_line[0]
    with open(os.path.join(services, f"{app_id}.service"), "w", encoding="utf-8") as f:
        f.write(f"[D-BUS Service]\nName={service['Name']}\nExec={' '.join(exec_line)}\n")
    config = os.path.join(work, "session.conf")
    with open(config, "w", encoding="utf-8") as f:
        f.write(f"""<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir={work}</listen>
  <servicedir>{services}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
""")
    schemas = os.path.join(work, "schemas")
    home = os.path.join(work, "home-shell")
    env = dict(os.environ,
               HOME=home,
               XDG_DATA_HOME=os.path.join(home, "data"),
               XDG_CONFIG_HOME=os.path.join(home, "config"),
               XDG_CACHE_HOME=os.path.join(home, "cache"),
               XDG_DATA_DIRS=root + datadir + ":/usr/local/share:/usr/share",
               GSETTINGS_SCHEMA_DIR=schemas,
               GSETTINGS_BACKEND="memory",
               CLIPSIGHT_DATABASE=database,
               CLIPSIGHT_MODEL=model,
               CLIPSIGHT_NO_UPOWER="1",
               GDK_BACKEND="x11",
               GSK_RENDERER="cairo",
               NO_AT_BRIDGE="1")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    call = ["gdbus", "call", "--session", "--dest", provider["BusName"],
            "--object-path", provider["ObjectPath"], "--timeout", "60",
            "--method", "org.gnome.Shell.SearchProvider2.GetInitialResultSet",
            "['a', 'red', 'circle']"]
    xvfb, env["DISPLAY"] = start_xvfb()
    try:
        returncode, output, errors = run_session(["dbus-run-session", f"--config-file={config}", "--",
                                          *call], env, 150)
    finally:
        xvfb.terminate()
        xvfb.wait()
    ids = re.findall(r"'(\d+)'", output)
    print(f"GNOME Shell's call on the D-Bus activated app: {len(ids)} results for 'a red circle'")
    if returncode != 0 or not ids:
        problem(f"the search provider did not answer through D-Bus activation (exit {returncode}):\n"
                f"{output}{errors[-3000:]}")


def main():
    (meson, builddir, prefix, bindir, datadir, localedir, app_id, source_root,
     app_built) = sys.argv[1:10]
    bindir = os.path.join(prefix, bindir)
    datadir = os.path.join(prefix, datadir)
    localedir = os.path.join(prefix, localedir)
    work = tempfile.mkdtemp(prefix="clipsight-install-")
    destdir = os.path.join(work, "destdir")
    try:
        result = subprocess.run([meson, "install", "-C", builddir, "--no-rebuild", "--quiet",
                                 "--destdir", destdir], capture_output=True, text=True)
        if result.returncode != 0:
            problem(f"meson install failed:\n{result.stdout}{result.stderr}")
            return 1
        root = destdir
        share = root + datadir

        with open(os.path.join(source_root, "po", "LINGUAS"), encoding="utf-8") as f:
            languages = [l.strip() for l in f if l.strip() and not l.startswith("#")]
        expected = {
            "cli": root + os.path.join(bindir, "clipsight-cli"),
            "desktop": os.path.join(share, "applications", f"{app_id}.desktop"),
            "metainfo": os.path.join(share, "metainfo", f"{app_id}.metainfo.xml"),
            "schema": os.path.join(share, "glib-2.0", "schemas", "io.github.clipsight.Clipsight.gschema.xml"),
            "icon": os.path.join(share, "icons", "hicolor", "scalable", "apps", f"{app_id}.svg"),
            "symbolic": os.path.join(share, "icons", "hicolor", "symbolic", "apps", f"{app_id}-symbolic.svg"),
            "provider": os.path.join(share, "gnome-shell", "search-providers", f"{app_id}.search-provider.ini"),
            "service": os.path.join(share, "dbus-1", "services", f"{app_id}.service"),
        }
        if app_built == "true":
            expected["app"] = root + os.path.join(bindir, "clipsight")
        for lang in languages:
            expected[f"mo-{lang}"] = os.path.join(root + localedir, lang, "LC_MESSAGES", "clipsight.mo")
        for what, path in expected.items():
            if not os.path.isfile(path):
                problem(f"{what}: {os.path.relpath(path, root)} was not installed")
        if problems:
            return 1
        print(f"installed under {prefix}: {len(expected)} files checked")

        run(["desktop-file-validate", expected["desktop"]])
        run(["appstreamcli", "validate", "--no-net", "--explain", expected["metainfo"]])
        tree = run(["appstreamcli", "validate-tree", "--no-net", root + prefix])
        print("appstreamcli validate-tree:", tree.stdout.strip().splitlines()[-1:] if tree.stdout else "")
        run(["glib-compile-schemas", "--strict", "--dry-run", os.path.dirname(expected["schema"])])
        for lang in languages:
            run(["msgunfmt", "-o", os.devnull, expected[f"mo-{lang}"]])
        for icon in ("icon", "symbolic"):
            try:
                ET.parse(expected[icon])
            except ET.ParseError as e:
                problem(f"{icon}: not well-formed SVG: {e}")

        # The files name each other: desktop id, icon, bus name, object path, binary.
        desktop = read_ini(expected["desktop"], "Desktop Entry")
        if desktop.get("Icon") != app_id:
            problem(f"the desktop entry's icon is {desktop.get('Icon')}, not {app_id}")
        if desktop.get("DBusActivatable") != "true":
            problem("the desktop entry is not D-Bus activatable")
        for category in ("Graphics", "Photography", "Viewer"):
            if category not in desktop.get("Categories", "").split(";"):
                problem(f"the desktop entry lacks the category {category}")
        metainfo = ET.parse(expected["metainfo"]).getroot()
        if metainfo.findtext("id") != app_id:
            problem(f"metainfo id {metainfo.findtext('id')} is not {app_id}")
        if metainfo.findtext("launchable") != f"{app_id}.desktop":
            problem("metainfo's launchable is not the desktop entry")
        # The screenshots the metainfo shows come from data/screenshots/ (made
        # by the app's tests); checked once that folder exists.
        shots_dir = os.path.join(source_root, "data", "screenshots")
        shots = [img.text.rsplit("/data/screenshots/", 1)[-1]
                 for img in metainfo.iter("image") if "/data/screenshots/" in (img.text or "")]
        if os.path.isdir(shots_dir) and any(f.endswith(".png") for f in os.listdir(shots_dir)):
            for shot in shots:
                if not os.path.isfile(os.path.join(shots_dir, shot)):
                    problem(f"the metainfo shows data/screenshots/{shot}, which does not exist")
        else:
            print(f"note: no data/screenshots/ yet for the metainfo's {', '.join(shots)}")
        provider = read_ini(expected["provider"], "Shell Search Provider")
        object_path = "/" + app_id.replace(".", "/") + "/SearchProvider"
        if (provider.get("DesktopId") != f"{app_id}.desktop" or provider.get("BusName") != app_id
                or provider.get("ObjectPath") != object_path or provider.get("Version") != "2"):
            problem(f"the search provider file does not point at the app: {dict(provider)}")
        service = read_ini(expected["service"], "D-BUS Service")
        if service.get("Name") != app_id:
            problem(f"the D-Bus service is named {service.get('Name')}, not {app_id}")
        if service.get("Exec", "").split()[0] != os.path.join(bindir, "clipsight"):
            problem(f"the D-Bus service runs {service.get('Exec')}, not {bindir}/clipsight")
        if problems:
            return 1
        print("desktop entry, metainfo, search provider and D-Bus service agree on", app_id)

        if app_built == "true":
            start_app(root, bindir, datadir, localedir, app_id, work)
            if not problems and shutil.which("Xvfb") and shutil.which("dbus-run-session"):
                shell_search(root, bindir, datadir, localedir, app_id, work, provider,
                             expected["service"])
        else:
            print("note: the app is not built: the start-up check is skipped")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
