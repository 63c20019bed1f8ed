"""Check the docs without Quarto: run nbdev's doc processors over every notebook (as `nbdev-docs` does
before Quarto renders), then render each processed notebook to HTML with nbconvert. Fails on any error.

Usage: python tools/docs_check.py   # writes _proc/ (processed notebooks) and _html/ (one page each)
"""
import sys, traceback
import nbformat
from pathlib import Path
from nbconvert import HTMLExporter
from nbdev.config import get_config
from nbdev.doclinks import _build_modidx
from nbdev.serve import proc_nbs

_cell_keys = {'cell_type', 'id', 'metadata', 'source', 'outputs', 'execution_count', 'attachments'}

def _load(path):
    "Read a processed notebook, dropping the bookkeeping nbdev's processors add that nbformat's schema does not know"
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        cell.metadata.pop('execution', None)
        for k in set(cell) - _cell_keys: del cell[k]
    nbformat.validate(nb)
    return nb

def main():
    cfg = get_config()
    _build_modidx()
    cache = proc_nbs(cfg.nbs_path, n_workers=0, force=True)
    nbs = sorted(p for p in Path(cache).glob('*.ipynb'))
    want = sorted(p.name for p in cfg.nbs_path.glob('*.ipynb') if not p.name.startswith('_'))
    missing = sorted(set(want) - {p.name for p in nbs})
    if missing: sys.exit(f'the doc processors produced no output for: {", ".join(missing)}')
    out = cfg.config_path/'_html'; out.mkdir(exist_ok=True)
    exporter, failed = HTMLExporter(), []
    for nb in nbs:
        try:
            html, _ = exporter.from_notebook_node(_load(nb))
            (out/nb.with_suffix('.html').name).write_text(html)
            print(f'rendered {nb.name} ({len(html)//1024} KiB)')
        except Exception:
            failed.append(nb.name); traceback.print_exc()
    if failed: sys.exit(f'docs check failed for: {", ".join(failed)}')
    print(f'docs check: {len(nbs)} notebooks processed and rendered to {out}')

if __name__ == '__main__': main()
