#!/usr/bin/env python3
"""`meson devenv` runs the app from the build tree with everything it needs.

  test_devenv.py MESON BUILDDIR APP_ID SOURCE_ROOT APP_BUILT

Reads the environment `meson devenv --dump` gives and checks each piece
against the files it must reach: the compiled settings schema holds the
app's schema (read back by `gsettings`, not by us), the icon folders hold
the app's icons under the hicolor layout, the catalogues are where gettext
looks (<dir>/<lang>/LC_MESSAGES/clipsight.mo), and, where ../shared is
beside the checkout, the model is the toy CLIP and the database lives in
the build tree (a development run must not write into the user's library).
Then runs the built app through `meson devenv` (--help: no display needed)
and without it, where it must refuse in one line instead of GLib's abort.
"""
import os
import shlex
import subprocess
import sys


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def dump(meson, build):
    out = subprocess.run([meson, "devenv", "-C", build, "--dump"], check=True,
                         capture_output=True, text=True, timeout=120).stdout
    env = {}
    for line in out.splitlines():
        if "=" in line and not line.startswith("export "):
            name, _, value = line.partition("=")
            env[name] = shlex.split(value)[0] if value else ""
    return env


def main():
    meson, build, app_id, source, app_built = sys.argv[1:6]
    env = dump(meson, build)

    schema_dirs = env.get("GSETTINGS_SCHEMA_DIR", "").split(":")
    if not schema_dirs or not os.path.isfile(os.path.join(schema_dirs[0], "gschemas.compiled")):
        fail(f"GSETTINGS_SCHEMA_DIR {schema_dirs} has no gschemas.compiled first")
    keys = subprocess.run(["gsettings", "--schemadir", schema_dirs[0], "list-keys", app_id],
                          capture_output=True, text=True, timeout=60)
    if keys.returncode != 0 or "folders" not in keys.stdout.split():
        fail(f"gsettings does not read {app_id} from {schema_dirs[0]}: {keys.stderr.strip()}")

    data_dirs = [d for d in env.get("XDG_DATA_DIRS", "").split(":") if d and not d.startswith("$")]
    icon_dir = os.path.join(data_dirs[0], "icons", "hicolor")
    for rel in (f"scalable/apps/{app_id}.svg", f"symbolic/apps/{app_id}-symbolic.svg"):
        if not os.path.isfile(os.path.join(icon_dir, rel)):
            fail(f"{os.path.join(icon_dir, rel)} missing: the icons are not in the hicolor layout")
    if "/usr/share" not in data_dirs:
        fail(f"XDG_DATA_DIRS {data_dirs} hides the system's schemas and icon themes")

    localedir = env.get("CLIPSIGHT_LOCALEDIR", "")
    with open(os.path.join(source, "po", "LINGUAS")) as f:
        langs = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    for lang in langs:
        mo = os.path.join(localedir, lang, "LC_MESSAGES", "clipsight.mo")
        if not os.path.isfile(mo):
            fail(f"{mo} missing: gettext would not find the {lang} catalogue")

    shared_model = os.path.join(source, "..", "shared", "models", "toy-clip")
    if os.path.isdir(shared_model):
        model = env.get("CLIPSIGHT_MODEL", "")
        if not os.path.isfile(os.path.join(model, "config.json")):
            fail(f"CLIPSIGHT_MODEL {model!r} is not the demo model")
        db = os.path.realpath(env.get("CLIPSIGHT_DATABASE", ""))
        if not db.startswith(os.path.realpath(build) + os.sep):
            fail(f"CLIPSIGHT_DATABASE {db!r} is outside the build tree")
    else:
        print("# ../shared absent: no demo model to point at (checked the rest)")

    if app_built == "true":
        # --help needs no display; without the schema it would be the one-line refusal
        run = subprocess.run([meson, "devenv", "-C", build, "clipsight", "--help"],
                             capture_output=True, text=True, timeout=120,
                             stdin=subprocess.DEVNULL)
        if run.returncode != 0 or "clipsight" not in run.stdout:
            fail(f"the app under meson devenv: rc {run.returncode}: {run.stderr.strip()}")
        bare = dict(os.environ)
        for name in ("GSETTINGS_SCHEMA_DIR", "XDG_DATA_DIRS"):
            bare.pop(name, None)
        bare["LANGUAGE"] = "C"
        run = subprocess.run([os.path.join(build, "src", "app", "clipsight"), "--help"],
                             capture_output=True, text=True, timeout=120, env=bare,
                             stdin=subprocess.DEVNULL)
        lines = [l for l in run.stderr.splitlines() if l.strip()]
        if run.returncode == 0 or len(lines) != 1 or "meson devenv" not in lines[0]:
            fail(f"the app without its schema: rc {run.returncode}, stderr {run.stderr!r}")
    print("ok: meson devenv finds the schema, icons, catalogues"
          + (" and the demo model" if os.path.isdir(shared_model) else ""))


if __name__ == "__main__":
    main()
