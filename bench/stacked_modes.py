"""Where stacked MNIST's mode KL comes from: uneven digits per channel, or channels that depend on each other.

For uniform target modes over (d0, d1, d2), KL(p || U_1000) = sum_c KL(p_c || U_10) + TC(p), where p_c is channel c's
digit histogram and TC = KL(p || p_0 p_1 p_2) is the total correlation between the channels (exact, on the
histograms; the classifier runs in evaluation mode, as in the metric). For each comparison cell given, draws 26,000 samples (as the metric does, seed 0), labels each channel
with the metric classifier, and prints the split; for models with an encoder, also how often the reconstruction of a
held-out stack keeps its mode. Needs the cells' checkpoints (model.pt), which the repository does not keep.

    alphagan-edu compare --models gan,wgan-gp,alpha-gan --data stacked-mnist --seeds 0 --out runs/stacked
    python bench/stacked_modes.py runs/stacked/stacked-mnist/{gan,wgan-gp,alpha-gan}/seed0
"""
import json, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import torch
from alphagan_edu.data import load_data
from alphagan_edu.training import AutoEncoding
from alphagan_edu.runs import RunFolder
from alphagan_edu.experiments import budget
from alphagan_edu.metrics import metric_classifier, draw_samples, stacked_modes, stacked_mode_stats

def split(modes):
    "KL of the histogram of modes 100 d0 + 10 d1 + d2 to uniform, and its parts: each channel's KL and the total correlation"
    joint = stacked_mode_stats(modes)                                                   # the metric's own count and KL
    marg = [stacked_mode_stats(d, K=10)['kl_modes'] for d in (modes // 100, modes // 10 % 10, modes % 10)]
    kl = joint['kl_modes']
    return dict(modes=joint['modes_captured'], kl=round(kl, 3), channels=[round(m, 3) for m in marg], tc=round(kl - sum(marg), 3))

def main(folders):
    torch.set_num_threads(1)
    data = load_data('stacked-mnist', **budget('stacked-mnist')['data'])
    clf = metric_classifier(data, device='cpu')
    print(json.dumps(dict(cell=f'held-out data ({len(data.x_test)} stacks)', **split(stacked_modes(clf, data.x_test)))))
    for f in folders:
        run = RunFolder(f); m = run.load_model('cpu')
        x = draw_samples(m, 26_000, 0)
        out = dict(cell=str(f), **split(stacked_modes(clf, x)))
        if isinstance(m, AutoEncoding):
            xt = data.x_test[:2000]
            out['recon_keeps_mode'] = round(float((stacked_modes(clf, m.reconstruct(xt)) == stacked_modes(clf, xt)).double().mean()), 3)
        print(json.dumps(out), flush=True)

if __name__ == '__main__': main(sys.argv[1:])
