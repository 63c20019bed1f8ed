"""Rewrite the comparison's committed summaries and figures from its run folders.

Usage: python tools/headline.py

Reads every finished cell under nbs/experiments/comparison/ (as chapter 12 does) and writes:
- each comparison folder's results.csv (one row per cell and metric, every finished cell) and headline.png;
- nbs/experiments/headline.md and headline.png (the README's table and figure);
- nbs/experiments/mnist5k_samples.png (seed 0's first 36 samples of every model, side by side),
  mnist5k_reconstructions.png (the same held-out digits and every encoder's reconstructions) and
  mnist5k_alpha_gan.png (alpha-GAN's samples, reconstructions and paths in code space).
Nothing is trained; cells still running are left out (they have no finished metrics.json yet).
"""
from pathlib import Path
import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
import pandas as pd
from alphagan_edu.experiments import (HEADLINE, collect, summarize, headline_table, plot_metrics, show_samples, show_reconstructions,
                                      show_showcase, load_samples, load_showcase, cell_folder, _present, _headline_figure)

root = Path(__file__).resolve().parents[1]
exp = root / 'nbs' / 'experiments'
cmp = exp / 'comparison'
FOLDERS = {'points': None, 'grid-target': None, 'mnist5k': 'mnist5k', 'stacked': 'stacked-mnist', 'mnist5k-6000': 'mnist5k'}

def save(fig, name):
    fig.savefig(exp / name, dpi=100, bbox_inches='tight'); plt.close(fig); print('wrote', exp / name)

def main():
    frames = {}
    for folder in FOLDERS:
        df = collect(cmp / folder)
        if len(df):
            df.to_csv(cmp / folder / 'results.csv', index=False); frames[folder] = df
            _headline_figure(df, list(dict.fromkeys(df.dataset)), cmp / folder / 'headline.png')
        print(f"{folder}: {df.drop_duplicates(['model', 'dataset', 'seed']).shape[0] if len(df) else 0} finished cells")
    new = pd.concat([frames[f] for f in ('points', 'mnist5k', 'stacked') if f in frames], ignore_index=True)
    summary = summarize(new)
    headline_table(summary, models=_present(summary.model), path=exp / 'headline.md'); print('wrote', exp / 'headline.md')
    panels = [(d, m) for d, m, _ in HEADLINE if ((new.dataset == d) & (new.metric == m)).any()]
    save(plot_metrics(new, panels, ncols=4, models=_present(new.model)), 'headline.png')
    models = _present(new.model)
    cells = {m: cell_folder(cmp / 'mnist5k', m, 'mnist5k', 0) for m in models}
    samples = {m: load_samples(run / 'samples.npy') for m, run in cells.items() if (run / 'samples.npy').is_file()}
    first = {m: x[:36] for m, x in samples.items()}   # 6 x 6 per model, large enough to read
    if samples:
        fig = show_samples(first, ncols=6, size=2.6)
        fig.suptitle('mnist5k (16 × 16): the first 36 samples of each model after 2,000 rounds, seed 0', y=1.02); save(fig, 'mnist5k_samples.png')
    shows = {m: load_showcase(run / 'showcase.npz') for m, run in cells.items() if (run / 'showcase.npz').is_file()}
    if shows:
        fig = show_reconstructions(shows, n=12)
        fig.suptitle('mnist5k: held-out digits (top) and their reconstructions, seed 0', y=1.01); save(fig, 'mnist5k_reconstructions.png')
    if 'alpha-gan' in shows and 'alpha-gan' in samples:
        save(show_showcase(samples['alpha-gan'], shows['alpha-gan'], 'alpha-GAN on mnist5k, seed 0'), 'mnist5k_alpha_gan.png')

if __name__ == '__main__': main()
