"""The same VAE and AAE networks trained by this package's loop, by pythae's trainer, and by bare PyTorch loops.

pythae (Chadebec et al., "Pythae: unifying generative autoencoders in Python", NeurIPS 2022 datasets track) is
never a dependency of this package: run this script from a separate environment that has it, e.g.

    python -m venv --system-site-packages /tmp/pythae-venv && /tmp/pythae-venv/bin/pip install pythae
    /tmp/pythae-venv/bin/python bench/pythae_compare.py [--reps 5]

Networks: chapter 05's DCGAN-style encoder and generator (and the AAE's MLP code discriminator), built once per
model for MNIST-shaped images (1, 32, 32) with codes of 32, and handed to pythae inside its wrappers, so that
both train the very same modules. Data: synthetic images (uniform in [-1, 1]); batches of 64; Adam.

A round is one update of every player on fresh batches (ours) or one optimization step on one batch (pythae's).
The two AAEs are not the same game: ours plays three players per round (encoder, generator, code
discriminator, each on its own batch, the generator decoding prior draws beside the codes), pythae's makes
one forward pass and two backward passes per step (autoencoder and discriminator). So the table has, per
model, four rows:

- ours, fit:        `Model.fit`, no progress bar;
- ours, bare:       the same players' losses in a plain loop (zero grads, loss, backward, step): our limit;
- pythae, trainer:  `BaseTrainer` / `AdversarialTrainer.train()` for one epoch of `rounds` batches;
- pythae, bare:     `model(inputs)` and the trainer's own optimizer step, in a plain loop: its limit.

Fixed costs (pythae saves the final model and deep-copies the best one; our `fit` checks and sets up) are
taken out by timing `--short` and `--long` rounds and reporting the cost of the extra rounds. The clock is CPU
time (`time.process_time`) with one torch thread; each figure is the median of `--reps` repetitions.
"""
import argparse, contextlib, io, logging, os, statistics, sys, tempfile, time, warnings
from importlib.metadata import version
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # the repository's package, installed or not
import torch
from torch import nn
try:
    import pythae
    from pythae.models import VAE as PVAE, VAEConfig, Adversarial_AE, Adversarial_AE_Config
    from pythae.models.base.base_utils import ModelOutput
    from pythae.data.datasets import BaseDataset
    from pythae.models.nn import BaseEncoder, BaseDecoder, BaseDiscriminator
    from pythae.trainers import BaseTrainer, BaseTrainerConfig, AdversarialTrainer, AdversarialTrainerConfig
except ImportError:
    sys.exit("pythae is not installed here; make a separate environment for it (see the docstring): it is never a dependency of alphagan-edu")
from alphagan_edu.data import batches
from alphagan_edu.training import seed_everything
from alphagan_edu.vae import VAE
from alphagan_edu.relatives import AAE

SHAPE, BATCH, LATENT = (1, 32, 32), 64, 32

class Enc(BaseEncoder):
    "Our encoder for pythae: a Gaussian one (two heads) for the VAE, or a deterministic one for the AAE"
    def __init__(self, E, gaussian): super().__init__(); self.E, self.gaussian = E, gaussian
    def forward(self, x):
        out = self.E(x)
        if not self.gaussian: return ModelOutput(embedding=out, log_covariance=torch.zeros_like(out))
        mu, log_var = out.chunk(2, dim=1)
        return ModelOutput(embedding=mu, log_covariance=log_var)

class Dec(BaseDecoder):
    def __init__(self, G): super().__init__(); self.G = G
    def forward(self, z): return ModelOutput(reconstruction=self.G(z))

class Disc(BaseDiscriminator):
    "Our code discriminator for pythae, which wants probabilities"
    def __init__(self, C): super().__init__(); self.C = C
    def forward(self, z): return ModelOutput(embedding=torch.sigmoid(self.C(z)).unsqueeze(1))

def images(n): return torch.rand(n, *SHAPE, generator=torch.Generator().manual_seed(0)) * 2 - 1

def ours(kind):
    seed_everything(0); x = images(BATCH)
    return (VAE if kind == 'vae' else AAE).for_data(x, latent_dim=LATENT, device='cpu')

def pythae_model(kind, model):
    "pythae's model of `kind` around the networks of our `model`"
    if kind == 'vae':
        cfg = VAEConfig(input_dim=SHAPE, latent_dim=LATENT, reconstruction_loss='mse')
        return PVAE(cfg, encoder=Enc(model.E, True), decoder=Dec(model.G))
    cfg = Adversarial_AE_Config(input_dim=SHAPE, latent_dim=LATENT, reconstruction_loss='mse', deterministic_posterior=True)
    return Adversarial_AE(cfg, encoder=Enc(model.E, False), decoder=Dec(model.G), discriminator=Disc(model.C))

def trainer(kind, pmodel, x, out):
    x = BaseDataset(x, torch.zeros(len(x)))   # the dataset type pythae's loaders collate
    common = dict(output_dir=out, per_device_train_batch_size=BATCH, num_epochs=1, no_cuda=True, seed=0)
    if kind == 'vae': return BaseTrainer(pmodel, x, training_config=BaseTrainerConfig(learning_rate=1e-3, **common))
    cfg = AdversarialTrainerConfig(autoencoder_learning_rate=2e-4, discriminator_learning_rate=2e-4, **common)
    return AdversarialTrainer(pmodel, x, training_config=cfg)

def cpu(fn):
    t = time.process_time(); fn(); return time.process_time() - t

def run_fit(kind, rounds):
    model, x = ours(kind), images(rounds * BATCH)
    return cpu(lambda: model.fit(x, rounds, batch_size=BATCH, seed=0, progress=False))

def run_bare_ours(kind, rounds):
    model, x = ours(kind), images(rounds * BATCH)
    players, stream = model.players, batches(x, BATCH, torch.Generator().manual_seed(0))
    def loop():
        for _ in range(rounds):
            for p in players:
                for q in p.params: q.grad = None
                sum(p.loss(next(stream)).values()).backward(inputs=p.params); p.opt.step()
    return cpu(loop)

def run_trainer(kind, rounds):
    model, x = ours(kind), images(rounds * BATCH)
    with tempfile.TemporaryDirectory() as out, contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        t = trainer(kind, pythae_model(kind, model), x, out)
        return cpu(t.train)

def run_bare_pythae(kind, rounds):
    model, x = ours(kind), images(rounds * BATCH)
    with tempfile.TemporaryDirectory() as out, contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        t = trainer(kind, pythae_model(kind, model), x, out); t.prepare_training()
    pm = t.model.train()
    def loop():
        for b in x.split(BATCH): t._optimizers_step(pm({'data': b}))   # one step: forward, backward(s), optimizer step(s)
    return cpu(loop)

RUNS = {'ours, fit': run_fit, 'ours, bare': run_bare_ours, 'pythae, trainer': run_trainer, 'pythae, bare': run_bare_pythae}

def per_round(run, kind, short, long, reps):
    "Median CPU seconds of the rounds between `short` and `long`"
    run(kind, short)   # warm-up: first calls initialise kernels and caches
    t_short = statistics.median(run(kind, short) for _ in range(reps))
    t_long = statistics.median(run(kind, long) for _ in range(reps))
    return (t_long - t_short) / (long - short)

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--reps', type=int, default=5); p.add_argument('--short', type=int, default=6); p.add_argument('--long', type=int, default=30)
    p.add_argument('--models', default='vae,aae')
    a = p.parse_args()
    torch.set_num_threads(1); logging.disable(logging.INFO); warnings.simplefilter('ignore')
    print(f"torch {torch.__version__}, pythae {version('pythae')}, 1 thread, CPU time; images {SHAPE}, batches of {BATCH}, "
          f"codes of {LATENT}; cost of rounds {a.short + 1}..{a.long}, median of {a.reps}\n")
    print("| model | loop | ms/round | rounds per CPU second | vs its bare loop | vs pythae's trainer |")
    print("|---|---|---|---|---|---|")
    for kind in a.models.split(','):
        t = {name: per_round(run, kind, a.short, a.long, a.reps) for name, run in RUNS.items()}
        for name, s in t.items():
            bare = t['ours, bare'] if name.startswith('ours') else t['pythae, bare']
            print(f"| {kind.upper()} | {name} | {1e3 * s:.1f} | {1 / s:.1f} | {s / bare:.2f} | {t['pythae, trainer'] / s:.2f} |", flush=True)

if __name__ == '__main__': main()
