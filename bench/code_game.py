"""Does alpha-GAN's code game converge? The codes' JS to the prior, by a fresh classifier on held-out codes, during training.

For each code-discriminator recipe (below), trains alpha-GAN on mnist5k (16x16) for --steps rounds and every
--every rounds measures: the mean norm of the codes of held-out digits (prior draws: about sqrt(latent_dim)),
the code discriminator's own accuracy on prior draws and codes, and `metrics.code_js` (a fresh classifier fitted on
training codes, scored on held-out codes, in nats, between 0 and log 2 = 0.693). One JSON line per measurement
is appended to --out; recipes already finished there are skipped.

    python bench/code_game.py --steps 1500 --every 250 --recipes base wide wide_r1 --out bench/code_game.jsonl
"""
import argparse, json, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import torch
from alphagan_edu.data import load_data
from alphagan_edu.training import seed_everything, build, every, evaluating
import alphagan_edu.alpha_gan
from alphagan_edu.metrics import code_js

RECIPES = {   # code-discriminator settings: AlphaGAN arguments over the recipe for images, each stating its code size and C
    'base':      dict(latent_dim=32, hidden=dict(code=(128, 128)), lr=2e-4),      # chapter 05's 2 x 128, one update, the others' learning rate
    'wide':      dict(latent_dim=32, hidden=dict(code=(750, 750, 750)), lr=2e-4), # public ports' 3 x 750
    'wide_x2':   dict(latent_dim=32, hidden=dict(code=(750, 750, 750)), lr=2e-4, updates=dict(code=2)),
    'wide_ttur': dict(latent_dim=32, hidden=dict(code=(750, 750, 750)), lr=dict(enc=2e-4, gen=2e-4, disc=2e-4, code=1e-3)),
    'wide_r1':   dict(latent_dim=32, hidden=dict(code=(750, 750, 750)), lr=2e-4, code_penalty=1.0),
    'ratio':     dict(latent_dim=32, hidden=dict(code=(128, 128)), lr=2e-4, loss='ratio'),
    'z8':        dict(latent_dim=8, hidden=dict(code=(128, 128)), lr=2e-4),       # a code the digits can fill
    'z8_wide_ttur': dict(latent_dim=8, hidden=dict(code=(750, 750, 750)), lr=dict(enc=2e-4, gen=2e-4, disc=2e-4, code=1e-3)),
    'z8_wide_r1': dict(latent_dim=8, hidden=dict(code=(750, 750, 750)), lr=dict(enc=2e-4, gen=2e-4, disc=2e-4, code=1e-3), code_penalty=1.),
    'z16_wide_ttur': dict(latent_dim=16, hidden=dict(code=(750, 750, 750)), lr=dict(enc=2e-4, gen=2e-4, disc=2e-4, code=1e-3)),
}

def measure(model, data, step, C_acc=True):
    with evaluating(model):
        z = model.encode(data.x_test[:1000]); p = model.prior(1000)
        acc = ((model.C(p) > 0).float().mean() + (model.C(z) < 0).float().mean()).item() / 2 if model.C is not None else float('nan')
    js = code_js(model, data, steps=1000)
    return dict(step=step, code_norm=round(z.norm(dim=1).mean().item(), 3), prior_norm=round(p.norm(dim=1).mean().item(), 3),
                c_acc=round(acc, 3), code_js=round(js['code_js'], 4), code_js_se=round(js['code_js_se'], 4))

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--steps', type=int, default=1500); ap.add_argument('--every', type=int, default=250)
    ap.add_argument('--recipes', nargs='+', default=list(RECIPES)); ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--out', default='bench/code_game.jsonl')
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    data = load_data('mnist5k')
    out = Path(a.out); done = {r['recipe'] for r in map(json.loads, out.read_text().splitlines()) if r.get('final')} if out.exists() else set()
    for name in a.recipes:
        if name in done: continue
        seed_everything(a.seed); m = build('alpha-gan', data, device='cpu', **RECIPES[name])
        rows, c0 = [], time.process_time()
        def cb(model, step, h):
            r = dict(recipe=name, seed=a.seed, **measure(model, data, step), cpu_s=round(time.process_time() - c0, 1), final=step == a.steps)
            print(json.dumps(r), flush=True)
            with out.open('a') as f: f.write(json.dumps(r) + '\n')
        with out.open('a') as f: f.write(json.dumps(dict(recipe=name, seed=a.seed, **measure(m, data, 0), cpu_s=0., final=False)) + '\n')
        m.fit(data, a.steps, seed=a.seed, progress=False, callbacks=[every(a.every, cb)])
    return 0

if __name__ == '__main__': sys.exit(main())
