"""The library's shape, as the style guide measures it: module sizes, median function length, long lines, `raise` density.

python bench/code_stats.py [REV]    # REV: a git revision to measure instead of the working tree (e.g. a commit before a refactor)

Functions are every `def` in the generated modules (methods and nested functions included), measured from the `def` line to
the last line of its body; `_modidx.py` is left out (nbdev writes it)."""
import ast, statistics, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def sources(rev=None)->dict:
    "Module name -> source text, of the working tree or of git revision `rev`"
    if rev is None: return {p.stem: p.read_text() for p in sorted((ROOT / 'alphagan_edu').glob('*.py')) if p.stem != '_modidx'}
    names = subprocess.run(['git', 'ls-tree', '--name-only', rev, 'alphagan_edu/'], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return {Path(n).stem: subprocess.run(['git', 'show', f'{rev}:{n}'], cwd=ROOT, capture_output=True, text=True, check=True).stdout
            for n in names if n.endswith('.py') and not n.endswith('_modidx.py')}

def stats(srcs:dict)->dict:
    lines = [l for s in srcs.values() for l in s.splitlines()]
    fns = [n for s in srcs.values() for n in ast.walk(ast.parse(s)) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    text = {k: s.splitlines() for k, s in srcs.items()}
    sizes = [(n.end_lineno - n.lineno + 1) for n in fns]
    chars = [sum(len(l) for l in s.splitlines()[n.lineno - 1:n.end_lineno]) for s in srcs.values() for n in ast.walk(ast.parse(s)) if isinstance(n, ast.FunctionDef)]
    return dict(modules=len(srcs), lines=len(lines), largest=max(srcs, key=lambda k: len(text[k])), largest_lines=max(len(t) for t in text.values()),
                over_600=sorted(k for k, t in text.items() if len(t) > 600), functions=len(fns), median_lines=statistics.median(sizes),
                median_chars=statistics.median(chars), long_lines=100 * sum(len(l) > 120 for l in lines) / len(lines),
                raises_per_100=100 * sum(l.lstrip().startswith('raise ') or ' raise ' in l for l in lines) / len(lines))

if __name__ == '__main__':
    s = stats(sources(sys.argv[1] if len(sys.argv) > 1 else None))
    print(f"{s['modules']} modules, {s['lines']:,} lines; largest {s['largest']} ({s['largest_lines']} lines); over 600 lines: {', '.join(s['over_600']) or 'none'}")
    print(f"{s['functions']} functions: median {s['median_lines']:.0f} lines, {s['median_chars']:.0f} characters; "
          f"lines over 120 characters {s['long_lines']:.1f}%; raise per 100 lines {s['raises_per_100']:.1f}")
