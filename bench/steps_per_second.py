"""Training speed of each model on the CPU: rounds (steps) per second on the ring and on the digits.

A step is one round of the model's game: every player makes its updates once (a GAN: one discriminator
update and one generator update; WGAN-GP: five critic updates and one generator update). For each model
and dataset in `MODELS` the script times rounds two ways, alternating, after a warm-up:

- fit:  `Model.fit` with the progress bar off: the shared loop, as a user runs it;
- bare: the same model's players, their losses and their optimizers, called in a plain loop
        (zero the gradients, loss, sum, backward, step) on batches from the same `batches` stream.

It reports the median over `--reps` repetitions of steps per second through `fit`, the milliseconds per
round both ways, and their ratio (the loop's overhead; target at most 1.2). The clock is the process's
CPU time (`time.process_time`), which other programs sharing the machine disturb far less than wall
time; with one torch thread (the default) CPU time and wall time agree on an idle machine.

    python bench/steps_per_second.py [--threads 1] [--reps 5] [--seconds 1.0] [--models GAN,WGAN-GP] [--data ring]

To add a model: write a builder `name(data) -> Model` below and add an entry to `MODELS`.
"""
import argparse, statistics, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # the repository's package, installed or not
import torch
from alphagan_edu.data import batches, ring, digits
from alphagan_edu.training import seed_everything

CPU = torch.device('cpu')

# Builders: data -> a fresh model on the CPU. Imports are local, so that one missing module does not stop the others.
def gan(data):
    from alphagan_edu.gan import GAN
    return GAN.for_data(data, device=CPU)

def dcgan(data):
    from alphagan_edu.gan import DCGAN
    return DCGAN.for_data(data, device=CPU)

def wgan_gp(data):
    from alphagan_edu.gan import WGANGP
    return WGANGP.for_data(data, device=CPU)

def vae(data):
    from alphagan_edu.vae import VAE
    return VAE.for_data(data, latent_dim=2 if len(data.shape) == 1 else 8, device=CPU)

# name -> (builder, the datasets it runs on)
MODELS = {
    'GAN':     (gan,     ('ring',)),
    'DCGAN':   (dcgan,   ('digits',)),
    'WGAN-GP': (wgan_gp, ('ring', 'digits')),
    'VAE':     (vae,     ('ring', 'digits')),
}

DATA = {'ring': ring, 'digits': lambda: digits(size=16)}

def _stream(x, batch_size, seed): return batches(x, batch_size, torch.Generator().manual_seed(seed))

def fit_time(model, x, rounds, batch_size, seed)->float:
    "CPU seconds per round through `Model.fit`"
    t0 = time.process_time()
    model.fit(x, rounds, batch_size=batch_size, seed=seed, progress=False)
    return (time.process_time() - t0) / rounds

def bare_time(model, x, rounds, batch_size, seed)->float:
    "CPU seconds per round of the same players' losses and optimizers in a plain loop"
    players, stream = model.players, _stream(x, batch_size, seed)
    model.train()
    t0 = time.process_time()
    for _ in range(rounds):
        for p in players:
            for _ in range(p.steps):
                p.opt.zero_grad(set_to_none=True)
                sum(p.loss(next(stream)).values()).backward()
                p.opt.step()
    return (time.process_time() - t0) / rounds

def bench(build, data, reps:int, seconds:float, batch_size:int=64)->dict:
    "Median CPU seconds per round, through fit and bare, with rounds per repetition sized to about `seconds`"
    seed_everything(0); m_fit = build(data)
    seed_everything(0); m_bare = build(data)
    t = fit_time(m_fit, data.x, 5, batch_size, 0); bare_time(m_bare, data.x, 5, batch_size, 0)   # warm up, and size the runs
    rounds = max(5, round(seconds / t))
    times = {'fit': [], 'bare': []}
    for r in range(reps):
        times['fit'].append(fit_time(m_fit, data.x, rounds, batch_size, r + 1))
        times['bare'].append(bare_time(m_bare, data.x, rounds, batch_size, r + 1))
    out = {k: statistics.median(v) for k, v in times.items()}
    out.update(rounds=rounds, updates=sum(p.steps for p in m_fit.players))
    return out

def main(argv=None)->int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--threads', type=int, default=1, help='torch CPU threads (default 1)')
    ap.add_argument('--reps', type=int, default=5, help='timed repetitions of each variant (default 5)')
    ap.add_argument('--seconds', type=float, default=1.0, help='about this many CPU seconds per repetition (default 1)')
    ap.add_argument('--batch-size', type=int, default=64, help='samples per batch (default 64)')
    ap.add_argument('--models', default=','.join(MODELS), help=f"comma-separated, from {', '.join(MODELS)}")
    ap.add_argument('--data', default=','.join(DATA), help=f"comma-separated, from {', '.join(DATA)}")
    a = ap.parse_args(argv)
    models, datas = a.models.split(','), a.data.split(',')
    for m in models:
        if m not in MODELS: ap.error(f"unknown model {m!r}; expected some of {', '.join(MODELS)}")
    for d in datas:
        if d not in DATA: ap.error(f"unknown data {d!r}; expected some of {', '.join(DATA)}")
    torch.set_num_threads(a.threads)
    loaded = {d: DATA[d]() for d in datas}
    print(f"torch {torch.__version__}, CPU, {torch.get_num_threads()} thread(s), batch {a.batch_size}, CPU time, median of {a.reps}")
    head = f"{'model':<10}{'data':<8}{'updates/step':>13}{'steps/s':>10}{'fit ms/step':>13}{'bare ms/step':>14}{'fit/bare':>10}"
    print(head); print('-' * len(head))
    worst = 0.
    for m in models:
        build, names = MODELS[m]
        for d in names:
            if d not in loaded: continue
            t = bench(build, loaded[d], a.reps, a.seconds, a.batch_size)
            ratio = t['fit'] / t['bare']; worst = max(worst, ratio)
            print(f"{m:<10}{d:<8}{t['updates']:>13}{1 / t['fit']:>10.1f}{1e3 * t['fit']:>13.2f}{1e3 * t['bare']:>14.2f}{ratio:>10.3f}", flush=True)
    print(f"worst fit/bare {worst:.3f} (target <= 1.2): {'OK' if worst <= 1.2 else 'OVER'}")
    return 0 if worst <= 1.2 else 1

if __name__ == '__main__': sys.exit(main())
