"""Wall time of every model on every dataset of the experiment grid (chapter 12), and alpha-GAN's targets.

By default this reads the times the search's finals recorded, run by run, in their run folders under
nbs/experiments/search/ (chapter 12's `collect`; each run is timed as it trains), with alpha-GAN's
12,000-round grid runs in nbs/experiments/search/grid-12000/, and prints for each model and dataset
the mean over seeds of:

- train_s      the training's wall-clock time,
- train_cpu_s  the training's CPU time (`time.process_time`; each run uses one thread, so this is close to
               the wall time the run would take alone on one core, whatever else the machine was doing),
- eval_s       the wall time of chapter 11's metrics,

then the totals and alpha-GAN's targets seed by seed (chapter 12's `TARGETS`: ring: 8/8 modes,
>= 97% high-quality samples, <= 60 s; grid, 12,000 rounds: 25/25 modes, >= 95% high-quality, <= 180 s).

With --retime, alpha-GAN is trained and evaluated again on the ring and the grid, with its selected
configuration (`selected`), the rounds of its targets (`TARGETS`: 4,000 on the ring, the budget;
12,000 on the grid, three times the budget), the budget's batch size, here and now, one run at a time
with one thread, each in a temporary run folder.
Run it on a quiet machine to measure the time without other load. Its rows are written to
nbs/experiments/targets.csv (or --out).

    python bench/experiments_timing.py [--search nbs/experiments/search] [--retime [--datasets ring grid] [--seeds 0 1 2] [--out FILE]]
"""
import argparse, sys, tempfile
from pathlib import Path
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))   # the repository's package, installed or not
import pandas as pd
import torch
from alphagan_edu.data import load_data
from alphagan_edu.experiments import TARGETS, KEY, budget, collect, run_cell, selected, targets, timings
from alphagan_edu.runs import RunFolder

def recorded(search:Path)->pd.DataFrame:
    "Per model and dataset, the mean times over seeds of the search's finals, with the number of runs"
    df = pd.concat([f for f in (collect(search), collect(search / 'grid-12000')) if len(f)], ignore_index=True)
    t = timings(df)
    runs = df.drop_duplicates(KEY).groupby(['model', 'dataset'], sort=False).size()
    return t.merge(runs.rename('runs').reset_index(), on=['model', 'dataset']), df

def retime(seeds:list, datasets:list)->pd.DataFrame:
    "Train and evaluate alpha-GAN on `datasets` (keys of `TARGETS`) now, with the rounds of `TARGETS`; the tidy rows of each run"
    torch.set_num_threads(1)
    rows = []
    for ds in datasets:
        t = TARGETS[ds]
        b = budget(ds, steps=t['steps'])
        data = load_data(ds, **b['data'])
        for seed in seeds:
            with tempfile.TemporaryDirectory() as d:
                new = run_cell('alpha-gan', data, seed, b, RunFolder(d), quick=b['quick'], device='cpu', trial=selected('alpha-gan', ds))
            rows += new
            print(f"alpha-gan | {ds} | seed {seed} | train {new[0]['train_s']:.1f} s wall, {new[0]['train_cpu_s']:.1f} s CPU", flush=True)
    return pd.DataFrame(rows)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--search', default=str(ROOT / 'nbs' / 'experiments' / 'search'), help="the search's folder")
    ap.add_argument('--retime', action='store_true', help='train alpha-GAN on ring and grid again, now, and time it')
    ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2], help='seeds for --retime')
    ap.add_argument('--datasets', nargs='+', default=list(TARGETS), choices=list(TARGETS), help='datasets for --retime')
    ap.add_argument('--out', default=str(ROOT / 'nbs' / 'experiments' / 'targets.csv'),
                    help="where --retime writes its runs; the file's rows for other datasets are kept")
    a = ap.parse_args()
    pd.set_option('display.width', 200); pd.set_option('display.max_rows', 200)
    if a.retime:
        df = retime(a.seeds, a.datasets)
        out = Path(a.out)
        if out.exists():   # keep the rows of the datasets not retimed now
            old = pd.read_csv(out)
            df = pd.concat([old[~old.dataset.isin(a.datasets)], df], ignore_index=True)
        order = {d: i for i, d in enumerate(TARGETS)}
        df = df.sort_values(['dataset', 'seed'], key=lambda c: c.map(order) if c.name == 'dataset' else c, kind='stable')
        df.to_csv(out, index=False); print(f'wrote {out}')
        print('\nalpha-GAN, timed now:'); print(targets(df).round(2).to_string(index=False))
        sys.exit(0)
    t, df = recorded(Path(a.search))
    print(f"Recorded times of the finals ({a.search}), mean over seeds, seconds:")
    print(t.round(1).to_string(index=False))
    runs = df.drop_duplicates(KEY)
    print(f"\n{len(runs)} runs; training {runs.train_s.sum() / 60:.1f} min wall, {runs.train_cpu_s.sum() / 60:.1f} min CPU; "
          f"evaluation {runs.eval_s.sum() / 60:.1f} min wall")
    print('\nper dataset (minutes, all models and seeds):')
    print((runs.groupby('dataset', sort=False)[['train_s', 'train_cpu_s', 'eval_s']].sum() / 60).round(1).to_string())
    print("\nalpha-GAN's targets, seed by seed:")
    print(targets(df).round(2).to_string(index=False))
