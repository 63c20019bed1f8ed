"""A check of the package on one CUDA GPU, in under 5 minutes: one line per check, PASS or FAIL.

1. every registered model trains for 2 rounds on every kind of data (ring, grid, digits, color digits, and
   tensors shaped like MNIST 1x32x32, CIFAR-10 3x32x32 and CelebA 3x64x64), with finite losses; meanwhile a
   dispatch mode records every operation that gets a floating-point CPU tensor (more than one element):
   there must be none (the batch indices are drawn on the CPU by design; they are integers);
2. after training, every parameter, buffer and optimizer state of the models is on the GPU;
3. `seed_everything(0, deterministic=True)` gives identical runs twice, to the bit (DCGAN with batch norm and
   transposed convolutions on 1x32x32; alpha-GAN in fp16 with its loss scalers, stopped, saved and resumed);
4. a checkpoint saved on the GPU loads on the CPU with the same weights and trains there, and the reverse;
5. bf16 and fp16 (a loss scaler per player, saved in the checkpoint) train alpha-GAN with finite losses;
6. compile=True (Triton) trains DCGAN, against eager: rounds per second of each;
7. rounds per second on the GPU against the CPU (all its cores), for GAN on the ring, DCGAN, WGAN-GP and
   alpha-GAN on 1x32x32 and 3x32x32 images, batches of 64.

Exit status: 0 if every check passed, 1 if one failed, 3 if there is no CUDA GPU (nothing is checked then).
`--cpu` runs the same checks on the CPU instead (2 and the landing check of 1 are then vacuous): a test of this
script on a machine without a GPU. It needs the package's dependencies (torch, numpy, pandas, fastcore, tqdm,
scikit-learn, matplotlib); put the repository root on PYTHONPATH.

    PYTHONPATH=. python bench/gpu_check.py [--cpu]
"""
import os
os.environ.setdefault('CUBLAS_WORKSPACE_CONFIG', ':4096:8')   # before CUDA starts, for the deterministic check
import argparse, collections, sys, tempfile, time, traceback, warnings
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # the repository's package, installed or not
import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten
from alphagan_edu.data import Data, ring, grid, digits, color_digits
from alphagan_edu.training import Model, build, seed_everything, model_names

RESULTS, T0 = [], time.time()

def report(ok:bool, name:str, detail:str=''):
    RESULTS.append(ok); print(f"{'PASS' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}  [{time.time() - T0:.0f} s]", flush=True)

def check(name:str):
    "Run a check function; an exception is a failure with its message"
    def wrap(fn):
        try: fn()
        except Exception as e: report(False, name, f"{type(e).__name__}: {str(e).splitlines()[0][:300]}"); traceback.print_exc(limit=3)
        return fn
    return wrap

def synthetic(name, shape, n=512):
    g = torch.Generator().manual_seed(0)
    return Data(name, torch.rand(n, *shape, generator=g) * 2 - 1, torch.rand(64, *shape, generator=g) * 2 - 1)

def datasets()->list:
    return [ring(n=2000, n_test=100), grid(n=2000, n_test=100), digits(), color_digits(),
            synthetic('mnist', (1, 32, 32)), synthetic('cifar10', (3, 32, 32)), synthetic('celeba', (3, 64, 64))]

class CPUFloats(TorchDispatchMode):
    "Count the operations that get a floating-point CPU tensor of more than one element"
    def __init__(self): super().__init__(); self.ops = collections.Counter()
    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        for a in tree_flatten((args, kwargs or {}))[0]:
            if isinstance(a, torch.Tensor) and a.device.type == 'cpu' and a.is_floating_point() and a.numel() > 1:
                self.ops[str(func)] += 1; break
        return func(*args, **(kwargs or {}))

def on_device(model:Model, device)->list:
    "What of the model is not on `device`: parameters, buffers, optimizer states"
    bad = [k for k, t in model.state_dict().items() if t.device.type != device.type]
    for p in model.players:
        bad += [f"{p.name} optimizer" for s in p.opt.state.values() for t in s.values() if torch.is_tensor(t) and t.ndim > 0 and t.device.type != device.type]
    return bad

def weights(model): return {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}

def same(a:dict, b:dict)->bool: return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)

def rounds_per_second(name, data, device, seconds=1.5, **kw)->float:
    "Wall-clock rounds per second through fit, after 2 warm-up rounds, over about `seconds`"
    seed_everything(0); m = build(name, data, device=device); m.fit(data, 2, seed=0, progress=False, **kw)
    sync = torch.cuda.synchronize if device.type == 'cuda' else (lambda: None)
    n, t = 1, 0.
    while t < seconds and n < 4096:
        n *= 2; sync(); t0 = time.perf_counter(); m.fit(data, n, progress=False, **kw); sync(); t = time.perf_counter() - t0
    return n / t

def main():
    a = argparse.ArgumentParser(description=__doc__.split('\n')[0]); a.add_argument('--cpu', action='store_true'); a = a.parse_args()
    if not a.cpu and not torch.cuda.is_available():
        print("NO GPU: torch sees no CUDA device here, so nothing was checked (run with --cpu to test this script on the CPU)"); sys.exit(3)
    dev, cpu = torch.device('cpu' if a.cpu else 'cuda'), torch.device('cpu')
    warnings.simplefilter('ignore')
    name = torch.cuda.get_device_name(dev) if dev.type == 'cuda' else 'the CPU (dry run)'
    print(f"torch {torch.__version__} on {name}; {len(model_names())} models")
    tmp, data = Path(tempfile.mkdtemp()), datasets()

    @check('every model on every kind of data, nothing on the CPU')
    def _():
        for m_name in model_names():
            done, skipped, spy = [], [], CPUFloats()
            for d in data:
                seed_everything(0)
                try: m = build(m_name, d, device=dev)
                except ValueError: skipped.append(d.name); continue   # e.g. DCGAN on points: refused by design
                x = d.x.to(dev)   # the data on the device once, as fit does
                with spy: h = m.fit(x, 2, batch_size=32, seed=0, progress=False)
                bad = on_device(m, dev)
                if bad or not all(v == v and abs(v) != float('inf') for r in h.rows for v in r.values()):
                    raise AssertionError(f"{m_name} on {d.name}: not on {dev.type}: {bad[:5]}, or a non-finite term")
                done.append(d.name)
            cpu_ops = dict(spy.ops) if dev.type == 'cuda' else {}
            report(not cpu_ops, f"{m_name}", f"trained on {', '.join(done)}" + (f"; refused {', '.join(skipped)}" if skipped else '')
                   + (f"; float ops on the CPU: {cpu_ops}" if cpu_ops else '; all on the device'))

    @check('checkpoints between devices')
    def _():
        imgs = data[4]
        seed_everything(0); g = build('alpha-gan', imgs, device=dev); g.fit(imgs, 3, seed=0, progress=False); g.save(tmp / 'dev.pt')
        c = Model.load(tmp / 'dev.pt', device=cpu)
        ok = same(weights(c), weights(g)) and not on_device(c, cpu)
        c.fit(imgs, 2, progress=False)
        report(ok and c.step == 5, 'a checkpoint saved on the device loads on the CPU', 'same weights, and 2 more rounds on the CPU')
        seed_everything(0); c = build('alpha-gan', imgs, device=cpu); c.fit(imgs, 3, seed=0, progress=False); c.save(tmp / 'cpu.pt')
        g = Model.load(tmp / 'cpu.pt', device=dev)
        ok = same(weights(g), weights(c)) and not on_device(g, dev)
        g.fit(imgs, 2, progress=False)
        report(ok and g.step == 5 and not on_device(g, dev), 'a checkpoint saved on the CPU loads on the device', 'same weights, and 2 more rounds there')

    @check('bf16 and fp16')
    def _():
        imgs = data[5]
        for precision in ('bf16', 'fp16'):
            seed_everything(0); m = build('alpha-gan', imgs, device=dev); h = m.fit(imgs, 5, seed=0, progress=False, precision=precision)
            finite = all(v == v for r in h.rows for v in r.values())
            m.save(tmp / f'{precision}.pt'); scalers = torch.load(tmp / f'{precision}.pt', weights_only=True).get('scalers') or {}
            want = 4 if precision == 'fp16' and dev.type == 'cuda' else 0
            report(finite and len(scalers) == want, f"alpha-GAN in {precision}", f"finite terms; {len(scalers)} loss scalers saved"
                   + (f" (scales {sorted(s['scale'] for s in scalers.values())})" if scalers else ''))

    @check('compile')
    def _():
        imgs = data[4]
        if time.time() - T0 > 150: report(True, 'compile=True', 'skipped: too little time left of the 5 minutes'); return
        t0 = time.time(); eager = rounds_per_second('dcgan', imgs, dev); comp = rounds_per_second('dcgan', imgs, dev, compile=True)
        report(comp > 0, 'DCGAN compiled', f"{comp:.0f} rounds/s against {eager:.0f} eager ({time.time() - t0:.0f} s with compilation)")

    @check('speed')
    def _():
        threads = torch.get_num_threads()
        cases = [('gan', data[0]), ('dcgan', data[4]), ('wgan-gp', data[4]), ('alpha-gan', data[4]), ('alpha-gan', data[5])]
        for m_name, d in cases:
            r_dev = rounds_per_second(m_name, d, dev); r_cpu = rounds_per_second(m_name, d, cpu, seconds=1.0)
            report(r_dev > 0, f"speed {m_name} on {d.name} {tuple(d.shape)}", f"{r_dev:.0f} rounds/s on {dev.type}, {r_cpu:.1f} on the CPU ({threads} threads): {r_dev / r_cpu:.1f}x")

    @check('deterministic')
    def _():
        imgs = data[4]
        def dcgan():
            seed_everything(0, deterministic=True); m = build('dcgan', imgs, device=dev); m.fit(imgs, 5, seed=0, progress=False); return weights(m)
        report(same(dcgan(), dcgan()), "seed_everything(0, deterministic=True): DCGAN twice", 'identical weights')
        prec = 'fp16' if dev.type == 'cuda' else 'bf16'
        seed_everything(0, deterministic=True); whole = build('alpha-gan', imgs, device=dev); whole.fit(imgs, 6, seed=0, progress=False, precision=prec)
        def stop(m, step, h):
            if step == 4: raise KeyboardInterrupt   # a run asked for 6 rounds, stopped after 4: its checkpoint holds round 3
        seed_everything(0, deterministic=True); cut = build('alpha-gan', imgs, device=dev)
        try: cut.fit(imgs, 6, seed=0, progress=False, precision=prec, checkpoint=tmp / 'cut.pt', checkpoint_every=3, callbacks=[stop])
        except KeyboardInterrupt: pass
        resumed = Model.load(tmp / 'cut.pt', device=dev); resumed.fit(imgs, 3, progress=False, precision=prec)
        report(same(weights(resumed), weights(whole)), f"alpha-GAN in {prec}, stopped in round 4 of 6 and resumed from round 3", 'identical to the whole run')

    print(f"{sum(RESULTS)} of {len(RESULTS)} checks passed in {time.time() - T0:.0f} s")
    sys.exit(0 if all(RESULTS) else 1)

if __name__ == '__main__': main()
