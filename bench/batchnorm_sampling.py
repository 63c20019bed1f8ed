"""Batch statistics and sampling: how much the one-batch rule and the calibrated sampler change image samples.

Trains alpha-GAN and the AAE on colour digits (16x16, the issue's setting) two ways:
- `joint`: the engine as it is: a network that sees two kinds of input sees them as one batch;
- `separate`: the engine before, emulated by making `joint` call the network once per batch.
Then draws 2,000 samples three ways from the same trained weights:
- `train`: generator in training mode on prior batches of 256 (batch statistics of prior draws);
- `eval_running`: evaluation mode with the running statistics that training left (what sampling did before);
- `eval_calibrated`: the sampler of chapter 06, statistics recomputed on prior draws.
and reports the classifier Frechet distance of each to held-out data (chapter 11's classifier and metric).
One JSON line per (model, training, seed) is appended to --out; finished rows are skipped on a rerun.

    python bench/batchnorm_sampling.py --steps 600 --seeds 0 1 --out bench/batchnorm_sampling.jsonl
"""
import argparse, json, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import torch
import alphagan_edu.training as T
from alphagan_edu.data import load_data
from alphagan_edu.training import seed_everything, build, evaluating
from alphagan_edu.nets import calibrate_batchnorm
import alphagan_edu.alpha_gan, alphagan_edu.relatives
from alphagan_edu.metrics import metric_classifier, classifier_features, frechet_distance

def _separate(net, *xs):
    "The old behaviour: one call per batch"
    return tuple(net(*x) if isinstance(x, tuple) else net(x) for x in xs)

def samples(model, mode, n=2000):
    torch.manual_seed(123)
    G = model.inference_net('G')
    with torch.no_grad():
        if mode == 'train':
            was = G.training; G.train()
            x = torch.cat([G(model.prior(256)) for _ in range((n + 255) // 256)])[:n]
            G.train(was); return x
        if mode == 'eval_running':
            with evaluating(model): return G(model.prior(n))
        return model.sample(n)

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--steps', type=int, default=600); ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1])
    ap.add_argument('--models', nargs='+', default=['alpha-gan', 'aae']); ap.add_argument('--out', default='bench/batchnorm_sampling.jsonl')
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    data = load_data('color-digits')
    clf = metric_classifier(data, device='cpu')
    ref = classifier_features(clf, data.x_test)
    out = Path(a.out); done = {(r['model'], r['training'], r['seed']) for r in map(json.loads, out.read_text().splitlines())} if out.exists() else set()
    for seed in a.seeds:
        for name in a.models:
            for training in ('joint', 'separate'):
                if (name, training, seed) in done: continue
                import alphagan_edu.alpha_gan as ag, alphagan_edu.relatives as rel
                saved = (T.joint, ag.joint, rel.joint)
                if training == 'separate': T.joint = ag.joint = rel.joint = _separate
                try:
                    seed_everything(seed); m = build(name, data, device='cpu')
                    c = time.process_time(); m.fit(data, a.steps, seed=seed, progress=False); cpu = time.process_time() - c
                finally: T.joint, ag.joint, rel.joint = saved
                row = dict(model=name, training=training, seed=seed, steps=a.steps, train_cpu_s=round(cpu, 1))
                for mode in ('train', 'eval_running', 'eval_calibrated'):
                    row[f'fd_{mode}'] = round(frechet_distance(classifier_features(clf, samples(m, mode)), ref), 2)
                with torch.no_grad(): z = m.encode(data.x_test[:1000])
                row['code_norm'], row['prior_norm'] = round(z.norm(dim=1).mean().item(), 3), round(m.prior(1000).norm(dim=1).mean().item(), 3)
                print(json.dumps(row), flush=True)
                with out.open('a') as f: f.write(json.dumps(row) + '\n')
                torch.save({k: v for k, v in dict(x_run=samples(m, 'eval_running', 64), x_cal=samples(m, 'eval_calibrated', 64)).items()},
                           out.with_name(f'{out.stem}_{name}_{training}_{seed}.pt'))
    return 0

if __name__ == '__main__': sys.exit(main())
