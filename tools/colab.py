"""Give each notebook a first, hidden cell that installs the package where it is missing, so that a chapter opened in
Colab runs: CPU torch where there is neither torch nor a GPU, then the package from a clone of the repository (named in
pyproject.toml's [project.urls] Repository; the package is not on PyPI), working beside that clone's notebooks. Where
`alphagan_edu` imports (a development install, nbdev-test, the doc build) the cell does nothing.

Usage: python tools/colab.py [NOTEBOOK ...]          # insert the cell, or bring it up to date (default: nbs/*.ipynb)
       python tools/colab.py --check [NOTEBOOK ...]  # exit 1 unless each notebook starts with the cell, unchanged
"""
import json, sys, tomllib
from pathlib import Path
from unittest import mock

root = Path(__file__).resolve().parents[1]
CELL_ID = 'install-where-missing'

def repo_url() -> str:
    return tomllib.loads((root/'pyproject.toml').read_text())['project']['urls']['Repository'].rstrip('/')

def cell_source(repo:str=None)->str:
    "The install cell's code"
    repo = repo or repo_url()
    return f"""#| hide
# Where alphagan_edu is missing (in Colab, say): install it, with CPU torch where there is neither torch nor a GPU
import importlib, importlib.util, os, shutil, subprocess, sys
if importlib.util.find_spec('alphagan_edu') is None:
    pip = [sys.executable, '-m', 'pip', 'install', '-q']
    if importlib.util.find_spec('torch') is None and shutil.which('nvidia-smi') is None:
        subprocess.run(pip + ['torch', '--index-url', 'https://download.pytorch.org/whl/cpu'], check=True)
    if not os.path.isdir('../alphagan_edu'):   # not in a clone: make one, and work beside its notebooks
        subprocess.run(['git', 'clone', '-q', '--depth', '1', '{repo}'], check=True)
        os.chdir('{repo.rsplit('/', 1)[-1]}/nbs')
    subprocess.run(pip + ['..'], check=True)
    importlib.invalidate_caches()"""

def install_cell()->dict:
    return {'cell_type': 'code', 'execution_count': None, 'id': CELL_ID, 'metadata': {}, 'outputs': [],
            'source': cell_source().splitlines(keepends=True)}

def _src(cell:dict)->str: return ''.join(cell['source']) if isinstance(cell['source'], list) else cell['source']

def problem(nb:dict)->str:
    "Why `nb` does not start with the install cell, or ''"
    if not nb['cells']: return 'it has no cells'
    first = nb['cells'][0]
    if first.get('id') != CELL_ID and CELL_ID not in (c.get('id') for c in nb['cells']): return 'it has no install cell'
    if first.get('id') != CELL_ID: return 'its install cell is not the first cell'
    if first['cell_type'] != 'code' or _src(first) != cell_source(): return "its install cell differs from colab.py's"
    if first.get('outputs'): return 'its install cell has outputs'
    return ''

def insert(path:Path)->bool:
    "Put the install cell first in the notebook at `path`, replacing an older one; True if the file changed"
    text = path.read_text()
    nb = json.loads(text)
    nb['cells'] = [install_cell()] + [c for c in nb['cells'] if c.get('id') != CELL_ID]
    nb['nbformat_minor'] = max(nb.get('nbformat_minor', 0), 5)   # cell ids need nbformat 4.5
    new = json.dumps(nb, indent=1, ensure_ascii=False) + '\n'
    if new != text: path.write_text(new)
    return new != text

def simulate(has_pkg:bool, has_torch:bool, has_gpu:bool, in_clone:bool)->tuple:
    "(commands run, directories entered) when the install cell runs in the situation described, nothing executed"
    runs, dirs = [], []
    find = lambda name, *a: object() if {'alphagan_edu': has_pkg, 'torch': has_torch}.get(name, True) else None
    which = lambda cmd: '/usr/bin/' + cmd if has_gpu else None
    with mock.patch('importlib.util.find_spec', find), mock.patch('shutil.which', which), \
         mock.patch('subprocess.run', lambda cmd, check: runs.append(cmd)), mock.patch('os.chdir', dirs.append), \
         mock.patch('os.path.isdir', lambda p: in_clone):
        exec(compile(cell_source(), 'install cell', 'exec'), {})
    return [' '.join(c[3:] if c[1:3] == ['-m', 'pip'] else c) for c in runs], dirs

def check_behaviour():
    "The cell does nothing where the package imports, installs CPU torch only where it must, clones only outside a clone"
    repo, name = repo_url(), repo_url().rsplit('/', 1)[-1]
    cases = [((True, False, False, False), [], []),
             ((False, True, True, False), [f'git clone -q --depth 1 {repo}', 'install -q ..'], [f'{name}/nbs']),
             ((False, False, False, False), ['install -q torch --index-url https://download.pytorch.org/whl/cpu',
                                             f'git clone -q --depth 1 {repo}', 'install -q ..'], [f'{name}/nbs']),
             ((False, False, True, True), ['install -q ..'], [])]
    for args, want_runs, want_dirs in cases:
        got = simulate(*args)
        if got != (want_runs, want_dirs):
            sys.exit(f'the install cell, with (package, torch, GPU, clone) = {args}, ran {got}, not {(want_runs, want_dirs)}')

def main(argv):
    check = '--check' in argv
    paths = [Path(p) for p in argv if p != '--check']
    paths = paths or sorted(p for p in (root/'nbs').glob('*.ipynb') if not p.name.startswith('_'))
    if check:
        check_behaviour()
        bad = [(p, why) for p in paths if (why := problem(json.loads(p.read_text())))]
        for p, why in bad: print(f'{p.name}: {why}: run python tools/colab.py {p}')
        if bad: sys.exit(f'{len(bad)} of {len(paths)} notebooks lack the install cell, unchanged')
        print(f'install cell: first in all {len(paths)} notebooks, unchanged; it installs only where needed')
    else:
        for p in paths: print(f'{p.name}: {"install cell written" if insert(p) else "already up to date"}')

if __name__ == '__main__': main(sys.argv[1:])
