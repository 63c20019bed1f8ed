"""Write the mode histogram of finished stacked-MNIST runs that kept their checkpoint.

Usage: python tools/stacked_modes.py RUN [RUN ...]

A run's metrics.json keeps only the two numbers counted from its 26,000 samples (modes captured
and the KL to the uniform histogram). For each run folder given (a finished stacked-MNIST run with
its model.pt, e.g. one of `alphagan-edu compare --data stacked-mnist`), this draws the same 26,000
samples (same seed), labels each channel with the digit classifier, checks that the histogram gives
metrics.json's two numbers, and writes modes.npy beside them: the 1,000 counts (int32) of the modes
100 d0 + 10 d1 + d2, small enough to commit, from which chapter 12 splits the KL into its parts.
"""
import json, sys
from pathlib import Path
import numpy as np, torch
from alphagan_edu.data import load_data
from alphagan_edu.experiments import BUDGETS
from alphagan_edu.metrics import metric_classifier, draw_samples, stacked_modes, stacked_mode_stats
from alphagan_edu.runs import RunFolder

N = 26_000   # the samples of evaluate's mode count (`n_modes`)

def main(paths):
    if not paths: raise SystemExit(__doc__)
    torch.set_num_threads(1)
    data = load_data('stacked-mnist', **BUDGETS['stacked-mnist']['data'])
    clf = metric_classifier(data, device='cpu')
    for p in map(Path, paths):
        run = RunFolder(p)
        try: cfg, rec = run.read_config(), run.read_json('metrics.json')
        except (FileNotFoundError, ValueError) as e: raise SystemExit(str(e)) from None
        if cfg.get('data') != 'stacked-mnist': raise SystemExit(f"{p}: a run on {cfg.get('data')!r}; expected one on 'stacked-mnist'")
        if rec is None or rec.get('status') != 'ok': raise SystemExit(f"{p}: no finished metrics.json; expected a finished run")
        try: model = run.load_model(device='cpu')
        except FileNotFoundError as e:   # the search's finals keep no checkpoint: the CLI retrains one exactly
            raise SystemExit(f"{e}\n(a final of the search is retrained exactly by: alphagan-edu compare --models {cfg['model']} --data stacked-mnist "
                             f"--steps {cfg['steps']} --seeds {cfg['seed']} --out NEW_FOLDER)") from None
        modes = stacked_modes(clf, draw_samples(model, N, cfg['seed']))
        stats, want = stacked_mode_stats(modes), rec['metrics']
        for k in ('modes_captured', 'kl_modes'):   # the histogram is the one metrics.json was counted from
            if not np.isclose(stats[k], want[k], rtol=1e-6, atol=1e-9):
                raise SystemExit(f"{p}: {k} {stats[k]} from the checkpoint, {want[k]} in metrics.json; the checkpoint is not the run's")
        np.save(p / 'modes.npy', torch.bincount(modes, minlength=1000).numpy().astype(np.int32))
        print(f"{p}: {stats['modes_captured']} modes, KL {stats['kl_modes']:.4f}; wrote {p / 'modes.npy'}")

if __name__ == '__main__': main(sys.argv[1:])
