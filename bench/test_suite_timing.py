"""The whole test suite's wall time: `nbdev-test --timing` over every notebook, on this machine.

Runs `nbdev-test` from the repository root (the slow cells are skipped, as in CI), times the whole
run with the wall clock, and lists each notebook's time as nbdev reports it (notebooks run in parallel,
so their times add up to more than the total). Target: the whole suite in under 3 minutes on 2 cores.
Run it when the machine is otherwise quiet: other programs' load shows up in every figure.

    python bench/test_suite_timing.py [--n-workers 2] [--target 180] [--out FILE]
"""
import argparse, os, re, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def run_suite(n_workers:int)->tuple:
    "Run nbdev-test with per-notebook timing; returns (wall seconds, return code, {notebook: seconds}, output)"
    cmd = ['nbdev-test', '--timing'] + (['--n-workers', str(n_workers)] if n_workers else [])
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t
    out = p.stdout + p.stderr
    per_nb = {m[1]: int(m[2]) for m in re.finditer(r'^(\S+\.ipynb): (\d+) secs$', out, flags=re.M)}
    return wall, p.returncode, per_nb, out

def report(wall:float, rc:int, per_nb:dict, target:float)->str:
    "The timing as text"
    lines = [f"nbdev-test on {os.cpu_count()} CPUs: {'passed' if rc == 0 else f'FAILED (exit {rc})'}",
             f"whole suite: {wall:.1f} s wall (target < {target:.0f} s: {'met' if wall < target else 'missed'})",
             "per notebook (s, as nbdev-test reports them, slowest first):"]
    lines += [f"  {nb:40s} {s:5d}" for nb, s in sorted(per_nb.items(), key=lambda kv: -kv[1])]
    return '\n'.join(lines)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--n-workers', type=int, default=None, help="nbdev-test's workers (default: its own choice)")
    ap.add_argument('--target', type=float, default=180., help='the target for the whole suite, in seconds')
    ap.add_argument('--out', default=None, help='also write the report to this file')
    a = ap.parse_args()
    wall, rc, per_nb, out = run_suite(a.n_workers)
    text = report(wall, rc, per_nb, a.target)
    if rc != 0: print(out, file=sys.stderr)
    print(text)
    if a.out: Path(a.out).write_text(text + '\n')
    sys.exit(rc)
