"""Rounds per second of alpha-GAN and WGAN-GP on 32x32 images: eager, compiled and bf16, and the fraction of the CPU's peak.

The models are the registry's 'alpha-gan' and 'wgan-gp' with chapter 05's DCGAN-style networks, built for
MNIST-shaped images (1, 32, 32) and trained on synthetic images (uniform in [-1, 1]: speed does not depend
on what the pixels show), batches of 64. A round is one round of each game: alpha-GAN's four players once
each, WGAN-GP's critic five times and its generator once. Variants, each through `Model.fit`:

- eager:     fp32, the networks as they are;
- compiled:  `fit(compile=True)`: torch.compile (inductor, C++ for the CPU);
- bf16:      `fit(precision='bf16')`: autocast in bfloat16;
- compiled+bf16.

Each variant plays `--warm` rounds first (compilation happens there and is not timed), then `--rounds` timed
rounds, `--reps` times; the clock is the process's CPU time (`time.process_time`) with one torch thread, and
the table shows the median. FLOPs per round are counted once, in eager fp32, by
the formulas of `torch.utils.flop_counter` (matrix products and convolutions, forward and backward, 2 per
multiply-add; `FlopCounterMode` itself where it runs, and a dispatch mode with its formulas for WGAN-GP, whose
gradient penalty its module hooks refuse: the two agree on alpha-GAN); the achieved FLOP/s are those FLOPs times the rounds per second, against the peak of one core:

    peak = FMA pipes x vector lanes x 2 FLOPs x clock

with the lanes from /proc/cpuinfo's flags (16 fp32 lanes with avx512f, 8 with avx2), 2 FMA pipes (as on AMD
Zen 4 and 5 and Intel server cores; Zen 4 runs a 512-bit FMA as two 256-bit halves, so its 512-bit rate
is that of 256 bits) and the clock that /proc/cpuinfo reports (a virtual machine shows its nominal clock,
not the boost). With avx512_bf16, a bf16 dot product (vdpbf16ps) does two multiply-adds per fp32 lane:
the bf16 peak is twice the fp32 one.

    python bench/compile_precision.py [--reps 5] [--rounds 8] [--warm 3] [--models alpha-gan,wgan-gp]
"""
import argparse, os, re, statistics, sys, time, warnings
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # the repository's package, installed or not
import torch
from torch.utils.flop_counter import FlopCounterMode, flop_registry
from torch.utils._python_dispatch import TorchDispatchMode
from alphagan_edu.training import build, seed_everything
import alphagan_edu.alpha_gan, alphagan_edu.gan   # registers the models

VARIANTS = {'eager': {}, 'compiled': dict(compile=True), 'bf16': dict(precision='bf16'),
            'compiled+bf16': dict(compile=True, precision='bf16')}

def cpu_peak()->dict:
    "The assumed peak FLOP/s of one core in fp32 and bf16, and how it was derived"
    info = Path('/proc/cpuinfo').read_text()
    flags = set(re.search(r'^flags\s*:(.*)$', info, re.M).group(1).split())
    mhz = float(re.search(r'^cpu MHz\s*:\s*([\d.]+)', info, re.M).group(1))
    family = int(re.search(r'^cpu family\s*:\s*(\d+)', info, re.M).group(1))
    vendor = re.search(r'^vendor_id\s*:\s*(\S+)', info, re.M).group(1)
    wide = 'avx512f' in flags and not (vendor == 'AuthenticAMD' and family == 25)   # Zen 4 (family 25) halves 512-bit FMAs
    lanes = 16 if wide else 8 if 'avx2' in flags and 'fma' in flags else 4
    fp32 = 2 * lanes * 2 * mhz * 1e6
    bf16 = 2 * fp32 if 'avx512_bf16' in flags else fp32
    how = (f"{vendor} family {family}, {mhz:.0f} MHz (/proc/cpuinfo); 2 FMA pipes x {lanes} fp32 lanes x 2 FLOPs = "
           f"{4 * lanes} FLOP/cycle: {fp32 / 1e9:.0f} GFLOP/s fp32, {bf16 / 1e9:.0f} GFLOP/s bf16"
           + (" (avx512_bf16: 2 products per lane)" if bf16 > fp32 else ""))
    return dict(fp32=fp32, bf16=bf16, how=how)

def images(n=2048): return torch.rand(n, 1, 32, 32, generator=torch.Generator().manual_seed(0)) * 2 - 1

def make(name:str, x): seed_everything(0); return build(name, x, device='cpu')

class Flops(TorchDispatchMode):
    "FlopCounterMode's formulas without its module tracker, whose hooks refuse autograd.grad on a leaf (a gradient penalty)"
    total = 0
    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if func._overloadpacket in flop_registry: self.total += flop_registry[func._overloadpacket](*args, **(kwargs or {}), out_val=out)
        return out

def flops_per_round(name:str, x)->float:
    "FLOPs of one round, counted in eager fp32 (FlopCounterMode itself where it runs, as a check of the count)"
    model = make(name, x)
    model.fit(x, 1, seed=0, progress=False)   # the players and their optimizers exist before counting
    with Flops() as f: model.fit(x, 1, progress=False)
    try:
        with FlopCounterMode(display=False) as fc: model.fit(x, 1, progress=False)
        assert fc.get_total_flops() == f.total, (fc.get_total_flops(), f.total)
    except RuntimeError: pass   # the gradient penalty: see Flops
    return f.total

def seconds_per_round(model, x, warm:int, rounds:int, **kw)->float:
    "CPU seconds per round over `rounds` rounds after `warm` untimed ones, in one fit"
    marks = []
    def mark(m, step, history): marks.append(time.process_time())
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        model.fit(x, warm + rounds, progress=False, callbacks=[mark], **kw)
    return (marks[-1] - marks[warm - 1]) / rounds

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--models', default='alpha-gan,wgan-gp'); p.add_argument('--variants', default=','.join(VARIANTS))
    p.add_argument('--reps', type=int, default=5); p.add_argument('--rounds', type=int, default=8); p.add_argument('--warm', type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(1)
    peak, x = cpu_peak(), images()
    print(f"torch {torch.__version__}, 1 thread, CPU time; batches of 64 images 1x32x32; median of {a.reps} x {a.rounds} rounds after {a.warm} untimed")
    print(f"peak assumed: {peak['how']}\n")
    print(f"| model | variant | rounds/s | ms/round | vs eager | GFLOP/round | GFLOP/s | fraction of peak |")
    print(f"|---|---|---|---|---|---|---|---|")
    for name in a.models.split(','):
        flops, eager = flops_per_round(name, x), None
        for v in a.variants.split(','):
            model = make(name, x); model.fit(x, 1, seed=0, progress=False)
            t = statistics.median(seconds_per_round(model, x, a.warm, a.rounds, **VARIANTS[v]) for _ in range(a.reps))
            eager = eager or t
            top = peak['bf16'] if 'bf16' in v else peak['fp32']
            print(f"| {name} | {v} | {1 / t:.2f} | {1e3 * t:.0f} | {eager / t:.2f}x | {flops / 1e9:.2f} | {flops / t / 1e9:.1f} | {flops / t / top:.1%} |", flush=True)

if __name__ == '__main__': main()
