"""The same VAE and AAE networks trained by this package's loop, by pythae's trainer, and by bare PyTorch loops.

pythae (Chadebec et al., "Pythae: unifying generative autoencoders in Python", NeurIPS 2022 datasets track) is
never a dependency of this package: run this script from a separate environment that has it, e.g.

    python -m venv --system-site-packages /tmp/pythae-venv && /tmp/pythae-venv/bin/pip install pythae
    /tmp/pythae-venv/bin/python bench/pythae_compare.py [--reps 5] [--rounds 30]

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

Each loop reads the CPU clock (`time.process_time`, one torch thread) at the end of every round (ours: a
callback of `fit`; pythae: a `TrainingCallback`'s `on_train_step_end`), so fixed costs (pythae saves the final
model and deep-copies the best one; our `fit` checks and sets up) stay out; each figure is the median over all
rounds of `--reps` runs of `--rounds` rounds, which a machine shared with other work disturbs less than a total.
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
    from pythae.trainers.training_callbacks import TrainingCallback
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

def trainer(kind, pmodel, x, out, callbacks=None):
    x = BaseDataset(x, torch.zeros(len(x)))   # the dataset type pythae's loaders collate
    common = dict(output_dir=out, per_device_train_batch_size=BATCH, num_epochs=1, no_cuda=True, seed=0)
    if kind == 'vae': return BaseTrainer(pmodel, x, training_config=BaseTrainerConfig(learning_rate=1e-3, **common), callbacks=callbacks)
    cfg = AdversarialTrainerConfig(autoencoder_learning_rate=2e-4, discriminator_learning_rate=2e-4, **common)
    return AdversarialTrainer(pmodel, x, training_config=cfg, callbacks=callbacks)

def rounds(marks:list)->list:
    "CPU seconds of each round, from the CPU clock read at the end of each (the first two, warm-up, left out)"
    return [b - a for a, b in zip(marks[1:], marks[2:])]

def run_fit(kind, n):
    model, x, marks = ours(kind), images(n * BATCH), []
    model.fit(x, n, batch_size=BATCH, seed=0, progress=False, callbacks=lambda m, s, h: marks.append(time.process_time()))
    return rounds(marks)

def run_bare_ours(kind, n):
    model, x, marks = ours(kind), images(n * BATCH), []
    players, stream = model.players, batches(x, BATCH, torch.Generator().manual_seed(0))
    for _ in range(n):
        for p in players:
            for q in p.params: q.grad = None
            sum(p.loss(next(stream)).values()).backward(inputs=p.params); p.opt.step()
        marks.append(time.process_time())
    return rounds(marks)

class Marks(TrainingCallback):
    "pythae's hook after each training step: read the CPU clock"
    def __init__(self): self.marks = []
    def on_train_step_end(self, training_config, **kwargs): self.marks.append(time.process_time())

def run_trainer(kind, n):
    model, x, cb = ours(kind), images(n * BATCH), Marks()
    with tempfile.TemporaryDirectory() as out, contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        trainer(kind, pythae_model(kind, model), x, out, [cb]).train()
    return rounds(cb.marks)

def run_bare_pythae(kind, n):
    model, x, marks = ours(kind), images(n * BATCH), []
    with tempfile.TemporaryDirectory() as out, contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        t = trainer(kind, pythae_model(kind, model), x, out); t.prepare_training()
    pm = t.model.train()
    for b in x.split(BATCH):
        t._optimizers_step(pm({'data': b})); marks.append(time.process_time())   # one step: forward, backward(s), step(s)
    return rounds(marks)

RUNS = {'ours, fit': run_fit, 'ours, bare': run_bare_ours, 'pythae, trainer': run_trainer, 'pythae, bare': run_bare_pythae}

def per_round(run, kind, n, reps):
    "Median CPU seconds of a round, over all rounds of `reps` runs of `n` rounds"
    return statistics.median(t for _ in range(reps) for t in run(kind, n))

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--reps', type=int, default=5); p.add_argument('--rounds', type=int, default=30)
    p.add_argument('--models', default='vae,aae')
    a = p.parse_args()
    torch.set_num_threads(1); logging.disable(logging.INFO); warnings.simplefilter('ignore')
    print(f"torch {torch.__version__}, pythae {version('pythae')}, 1 thread, CPU time; images {SHAPE}, batches of {BATCH}, "
          f"codes of {LATENT}; median CPU time of a round over {a.reps} runs of {a.rounds} rounds (2 warm-up rounds left out of each)\n")
    print("| model | loop | ms/round | rounds per CPU second | vs its bare loop | vs pythae's trainer |")
    print("|---|---|---|---|---|---|")
    for kind in a.models.split(','):
        t = {name: per_round(run, kind, a.rounds, a.reps) for name, run in RUNS.items()}
        for name, s in t.items():
            bare = t['ours, bare'] if name.startswith('ours') else t['pythae, bare']
            print(f"| {kind.upper()} | {name} | {1e3 * s:.1f} | {1 / s:.1f} | {s / bare:.2f} | {t['pythae, trainer'] / s:.2f} |", flush=True)

if __name__ == '__main__': main()
