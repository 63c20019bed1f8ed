"""A model on a 2-D mixture with and without the loop's weight average (and any other setting): modes and high-quality share per seed.

    python bench/ring_average.py --seeds 0 1 2 3 4 --emas 0 0.999 --out bench/ring_average.jsonl
    python bench/ring_average.py --emas 0 --extra '{"batch_per_round": true}' --tag one-batch
"""
import argparse, json, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import torch
from alphagan_edu.data import load_data
from alphagan_edu.training import seed_everything, build
import alphagan_edu.alpha_gan, alphagan_edu.gan, alphagan_edu.vae, alphagan_edu.relatives
from alphagan_edu.metrics import mode_stats

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--data', default='ring'); ap.add_argument('--model', default='alpha-gan'); ap.add_argument('--steps', type=int, default=4000)
    ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3, 4]); ap.add_argument('--emas', type=float, nargs='+', default=[0., 0.999])
    ap.add_argument('--out', default='bench/ring_average.jsonl')
    ap.add_argument('--extra', default='{}', help='JSON of further model arguments'); ap.add_argument('--tag', default='')
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    data, out = load_data(a.data), Path(a.out)
    extra = json.loads(a.extra)
    done = {(r['model'], r['data'], r['ema'], r['seed'], r['steps'], r.get('tag', '')) for r in map(json.loads, out.read_text().splitlines())} if out.exists() else set()
    for seed in a.seeds:
        for ema in a.emas:
            if (a.model, a.data, ema, seed, a.steps, a.tag) in done: continue
            seed_everything(seed); m = build(a.model, data, device='cpu', ema=ema, **extra)
            c = time.process_time(); m.fit(data, a.steps, seed=seed, progress=False); cpu = time.process_time() - c
            torch.manual_seed(seed); s = mode_stats(m.sample(2500), data.centers, data.std)
            row = dict(model=a.model, data=a.data, tag=a.tag, ema=ema, seed=seed, steps=a.steps, modes=s['modes_captured'], hq=round(s['high_quality'], 2), cpu_s=round(cpu, 1))
            print(json.dumps(row), flush=True)
            with out.open('a') as f: f.write(json.dumps(row) + '\n')
    return 0

if __name__ == '__main__': sys.exit(main())
