"""Rewrite the comparison's committed summaries and figures from the search's finished finals.

Usage: python tools/headline.py

Reads every finished final under nbs/experiments/search/ (as chapter 12 does) and writes:
- nbs/experiments/search/results.csv (one row per final and metric);
- nbs/experiments/headline.md and headline.png (the README's table and figure);
- nbs/experiments/mnist5k_samples.png (seed 0's first 36 samples of every model, side by side),
  mnist5k_reconstructions.png (the same held-out digits and every encoder's reconstructions) and
  mnist5k_alpha_gan.png (alpha-GAN's samples, reconstructions and paths in code space).
Nothing is trained; runs still going are left out (they have no finished metrics.json yet).
"""
from pathlib import Path
import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
from alphagan_edu.experiments import (HEADLINE, collect, summarize, headline_table, plot_metrics, show_samples, show_reconstructions,
                                      show_showcase, load_samples, load_showcase, cell_folder, _present, KEY)

root = Path(__file__).resolve().parents[1]
exp = root / 'nbs' / 'experiments'
search = exp / 'search'

def save(fig, name):
    fig.savefig(exp / name, dpi=100, bbox_inches='tight'); plt.close(fig); print('wrote', exp / name)

def main():
    df = collect(search)
    if not len(df): raise SystemExit(f"no finished final under {search}: nothing to summarise")
    df.to_csv(search / 'results.csv', index=False)
    print(f"{len(df.drop_duplicates(KEY))} finished finals; wrote {search / 'results.csv'}")
    summary = summarize(df)
    headline_table(summary, models=_present(summary.model), path=exp / 'headline.md'); print('wrote', exp / 'headline.md')
    panels = [(d, m) for d, m, _ in HEADLINE if ((df.dataset == d) & (df.metric == m)).any()]
    save(plot_metrics(df, panels, ncols=4, models=_present(df.model)), 'headline.png')
    cells = {m: cell_folder(search, m, 'mnist5k', 0) for m in _present(df.model)}
    samples = {m: load_samples(run / 'samples.npy') for m, run in cells.items() if (run / 'samples.npy').is_file()}
    if samples:
        fig = show_samples({m: x[:36] for m, x in samples.items()}, ncols=6, size=2.6)   # 6 x 6 per model, large enough to read
        fig.suptitle('mnist5k (16 × 16): the first 36 samples of each model after 2,000 rounds, seed 0', y=1.02); save(fig, 'mnist5k_samples.png')
    shows = {m: load_showcase(run / 'showcase.npz') for m, run in cells.items() if (run / 'showcase.npz').is_file()}
    if shows:
        fig = show_reconstructions(shows, n=12)
        fig.suptitle('mnist5k: held-out digits (top) and their reconstructions, seed 0', y=1.01); save(fig, 'mnist5k_reconstructions.png')
    if 'alpha-gan' in shows and 'alpha-gan' in samples:
        save(show_showcase(samples['alpha-gan'], shows['alpha-gan'], 'alpha-GAN on mnist5k, seed 0'), 'mnist5k_alpha_gan.png')

if __name__ == '__main__': main()
