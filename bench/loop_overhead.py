"""The training loop's overhead: a round through `Model.fit` against the same passes written as a plain loop.

For two GAN-like two-player games, an MLP GAN on the 2-D ring and a DCGAN-style GAN on 16x16 digits,
time one round (a discriminator update, then a generator update, each on a fresh batch) two ways:

- bare: a plain loop over the same networks, losses and Adam optimizers: zero the gradients, loss,
  backward, step; the batches come from the same `alphagan_edu.data.batches` stream that `fit` uses.
- fit:  `Model.fit` with the progress bar off, and with it on (its text goes to stderr).

Each variant runs `--reps` times, alternating, after a warm-up; the table shows the median time per
round, the ratio to the bare loop (target: at most 1.05) and the difference in microseconds per round,
and the cost per round of the loop's exponential moving average of the generator's weights (`ema`).
On a CPU the clock is the process's CPU time (`time.process_time`), which other programs sharing the
machine disturb far less than wall time; on a GPU it is wall time, with the device synchronised.
A third, informative row plays the same game with single linear layers, so that the passes cost
almost nothing and what remains is the loop's fixed cost per round.

    python bench/loop_overhead.py [--threads 1] [--reps 5] [--device cpu]
"""
import argparse, contextlib, io, statistics, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # the repository's package, installed or not
import torch
import torch.nn.functional as F
from alphagan_edu.data import batches, ring, digits
from alphagan_edu.training import Model, Player, seed_everything, default_device
try: from alphagan_edu import nets
except ImportError: nets = None

def _small_nets(shape, latent_dim):
    "Stand-ins for alphagan_edu.nets: an MLP pair for points, a DCGAN-style pair for 16x16 images"
    nn = torch.nn
    if len(shape) == 1:
        mlp = lambda i, o: nn.Sequential(nn.Linear(i, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, o))
        return mlp(latent_dim, shape[0]), nn.Sequential(mlp(shape[0], 1), nn.Flatten(0))
    c = shape[0]
    G = nn.Sequential(nn.Linear(latent_dim, 64 * 16), nn.Unflatten(1, (64, 4, 4)), nn.BatchNorm2d(64), nn.ReLU(),
                      nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.BatchNorm2d(32), nn.ReLU(), nn.ConvTranspose2d(32, c, 4, 2, 1), nn.Tanh())
    D = nn.Sequential(nn.Conv2d(c, 32, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(32, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.LeakyReLU(0.2),
                      nn.Flatten(), nn.Linear(64 * 16, 1), nn.Flatten(0))
    return G, D

class BenchGAN(Model):
    "A non-saturating GAN: the game the benchmark plays"
    averaged_nets = ('G',)
    def __init__(self, shape, latent_dim=2, ema=0.):
        super().__init__()
        self.config = dict(shape=tuple(shape), latent_dim=latent_dim, ema=ema)
        if nets is not None: self.G, self.D = nets.generator(latent_dim, shape), nets.discriminator(shape)
        else: self.G, self.D = _small_nets(tuple(shape), latent_dim)
    def prior(self, n): return torch.randn(n, self.config['latent_dim'], device=self.device)
    def disc_loss(self, x):
        with torch.no_grad(): fake = self.G(self.prior(len(x)))
        return {'real': F.softplus(-self.D(x)).mean(), 'fake': F.softplus(self.D(fake)).mean()}
    def gen_loss(self, x): return {'fool': F.softplus(-self.D(self.G(self.prior(len(x))))).mean()}
    def make_players(self): return [Player('disc', self.D, self.disc_loss), Player('gen', self.G, self.gen_loss)]

def bare_loop(model, x, rounds, batch_size, seed):
    "Seconds per round of the same game as a plain loop"
    optD = torch.optim.Adam(model.D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optG = torch.optim.Adam(model.G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    stream, dev = batches(x, batch_size, torch.Generator().manual_seed(seed)), model.device
    model.train(); _sync(dev)
    t0 = _clock(dev)
    for _ in range(rounds):
        optD.zero_grad(set_to_none=True)
        terms = model.disc_loss(next(stream).to(dev)); (terms['real'] + terms['fake']).backward(); optD.step()
        optG.zero_grad(set_to_none=True)
        model.gen_loss(next(stream).to(dev))['fool'].backward(); optG.step()
    _sync(dev)
    return (_clock(dev) - t0) / rounds

def fit_loop(model, x, rounds, batch_size, seed, progress):
    "Seconds per round through Model.fit"
    err = io.StringIO() if progress else contextlib.nullcontext()
    _sync(model.device)
    t0 = _clock(model.device)
    with contextlib.redirect_stderr(err) if progress else err:
        model.fit(x, rounds, batch_size=batch_size, seed=seed, progress=progress)
    _sync(model.device)
    return (_clock(model.device) - t0) / rounds

def _sync(dev):
    if dev.type == 'cuda': torch.cuda.synchronize(dev)

def _clock(dev): return time.perf_counter() if dev.type == 'cuda' else time.process_time()

class TinyGAN(BenchGAN):
    "The same game with one linear layer per player: the passes cost little, the loop's fixed cost shows"
    def __init__(self, shape, latent_dim=2, ema=0.):
        Model.__init__(self)
        self.config = dict(shape=tuple(shape), latent_dim=latent_dim, ema=ema)
        self.G, self.D = torch.nn.Linear(latent_dim, shape[0]), torch.nn.Sequential(torch.nn.Linear(shape[0], 1), torch.nn.Flatten(0))

def bench(cls, data, rounds, reps, device, batch_size=64):
    "Median seconds per round of each variant"
    seed_everything(0); m_bare = cls.for_data(data, device=device)
    seed_everything(0); m_fit = cls.for_data(data, device=device)
    seed_everything(0); m_ema = cls.for_data(data, device=device, ema=0.999)
    x = data.x.to(device)
    bare_loop(m_bare, x, 10, batch_size, 0); fit_loop(m_fit, x, 10, batch_size, 0, False); fit_loop(m_ema, x, 10, batch_size, 0, False)   # warm up
    times = {'bare': [], 'fit': [], 'fit+bar': [], 'fit+ema': []}
    for r in range(reps):
        times['bare'].append(bare_loop(m_bare, x, rounds, batch_size, r))
        times['fit'].append(fit_loop(m_fit, x, rounds, batch_size, r, False))
        times['fit+bar'].append(fit_loop(m_fit, x, rounds, batch_size, r, True))
        times['fit+ema'].append(fit_loop(m_ema, x, rounds, batch_size, r, False))
    return {k: statistics.median(v) for k, v in times.items()}

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--threads', type=int, default=1, help='torch CPU threads (default 1)')
    ap.add_argument('--reps', type=int, default=7, help='timed repetitions of each variant (default 7)')
    ap.add_argument('--device', default=None, help='device (default: CUDA if available, else CPU)')
    ap.add_argument('--scale', type=float, default=1.0, help='multiply the number of rounds per repetition')
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    device = torch.device(a.device) if a.device else default_device()
    games = [('ring, MLP GAN', BenchGAN, ring(), int(300 * a.scale)), ('digits 16x16, DCGAN', BenchGAN, digits(size=16), int(40 * a.scale)),
             ('ring, linear (info)', TinyGAN, ring(), int(1000 * a.scale))]
    print(f"torch {torch.__version__}, device {device}, {torch.get_num_threads()} thread(s), nets from "
          f"{'alphagan_edu.nets' if nets is not None else 'local stand-ins'}, batch 64, "
          f"{'wall' if device.type == 'cuda' else 'CPU'} time, median of {a.reps}")
    head = f"{'game':<22}{'bare ms/round':>15}{'fit ms/round':>14}{'fit+bar':>10}{'fit/bare':>10}{'fit+bar/bare':>14}{'extra us/round':>16}{'ema us/round':>14}"
    print(head); print('-' * len(head))
    worst = 0.
    for name, cls, data, rounds in games:
        t = bench(cls, data, rounds, a.reps, device)
        r1, r2 = t['fit'] / t['bare'], t['fit+bar'] / t['bare']
        if cls is BenchGAN: worst = max(worst, r1, r2)
        print(f"{name:<22}{1e3*t['bare']:>15.3f}{1e3*t['fit']:>14.3f}{1e3*t['fit+bar']:>10.3f}{r1:>10.3f}{r2:>14.3f}{1e6*(t['fit']-t['bare']):>16.0f}{1e6*(t['fit+ema']-t['fit']):>14.0f}")
    print(f"worst ratio {worst:.3f} (target <= 1.05): {'OK' if worst <= 1.05 else 'OVER'}")
    return 0 if worst <= 1.05 else 1

if __name__ == '__main__': sys.exit(main())
