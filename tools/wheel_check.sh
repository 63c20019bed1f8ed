#!/usr/bin/env bash
# Build the wheel, install it into a fresh virtual environment that shares only the system torch,
# and use the package from outside the repository: imports, nbdev's module index, the command line.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python -m build --wheel --outdir "$work/dist" "$root" >"$work/build.log" 2>&1 || { tail -20 "$work/build.log"; exit 1; }
python -m venv --system-site-packages "$work/venv"
"$work/venv/bin/pip" install -q --no-deps "$work"/dist/*.whl
cd "$work"
"$work/venv/bin/python" - <<'PY'
import importlib, pathlib, pkgutil, alphagan_edu
from alphagan_edu._modidx import d
here = pathlib.Path(alphagan_edu.__file__).parent
assert 'site-packages' in str(here), f'imported from {here}, not from the installed wheel'
mods = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith('_'))
for m in mods: importlib.import_module(f'alphagan_edu.{m}')
assert set(d['syms']) >= {f'alphagan_edu.{m}' for m in mods}, 'the module index misses modules'
print(f'wheel OK: alphagan_edu {alphagan_edu.__version__}, modules: {", ".join(mods)}')
PY
if [ -f "$root/alphagan_edu/cli.py" ]; then "$work/venv/bin/alphagan-edu" --help >/dev/null && echo "console script OK"; fi
