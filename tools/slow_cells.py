"""Check that no long-run cell imports anything.

nbdev's doc processors execute every cell that contains an import statement (to make `show_doc`
work), whatever its directives say. A cell marked `#| slow` with an import in it would therefore train
its model while the docs are built. Imports belong in the notebook's ordinary cells.

Usage: python tools/slow_cells.py [NOTEBOOK ...]   (default: every notebook in nbs/)
"""
import json, re, sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]
_slow = re.compile(r'^\s*#\|\s*slow\s*$', re.M)
_import = re.compile(r'^\s*(?:import\s+\w|from\s+[\w.]+\s+import\s).*$', re.M)

def offenders(path:Path)->list:
    "(cell number, first import line) of each slow cell of `path` that imports"
    cells = json.loads(path.read_text())['cells']
    out = []
    for i, c in enumerate(cells):
        src = ''.join(c['source']) if isinstance(c['source'], list) else c['source']
        if c['cell_type'] == 'code' and _slow.search(src) and (m := _import.search(src)): out.append((i, m.group(0).strip()))
    return out

if __name__ == '__main__':
    paths = [Path(p) for p in sys.argv[1:]] or sorted((root / 'nbs').glob('*.ipynb'))
    bad = [(p, i, line) for p in paths for i, line in offenders(p)]
    for p, i, line in bad: print(f"{p.name}: cell {i} is marked slow and imports ({line!r}); move the import to an ordinary cell")
    if bad: sys.exit(1)
    print(f"no slow cell imports anything ({len(paths)} notebooks)")
