"""Check data-parallel training under torchrun with 2 CPU processes (gloo), against 1-process runs.

A GAN on the ring (MLPs, no batch norm) plays 12 rounds with batches of 64, seed 0:
1. 2 processes (32 samples each) end with the weights of 1 process on the whole batches, to float tolerance;
   a 1-process run on batches of 32 (one share's size) does not, so the check can fail;
2. only rank 0 writes: rank 1 never calls Model.save, and TensorBoard's event files come from one process;
3. a 2-process run stopped at round 7 (its checkpoint holds round 5) and resumed by a new torchrun equals,
   to the bit, the uninterrupted 2-process run;
4. the same checkpoint resumed by 1 process equals the uninterrupted run to float tolerance (another world size);
6. the command line from the first step: `torchrun --nproc_per_node 2 --no-python alphagan-edu train ...` makes a new run
   (rank 0 creates the folder, the other waits) whose weights equal those of `alphagan-edu train` in 1 process;
5. (why the loop averages gradients itself) torch's DistributedDataParallel, wrapped around the two networks of
   a GAN, does average the gradients of a player's `backward(inputs=...)` for both players.

Usage: python tools/torchrun_check.py            (prints one line per check; exit status 1 if any fails)
       (it runs itself as `python -m torch.distributed.run --nproc_per_node 2 tools/torchrun_check.py worker MODE DIR`)
"""
import os, subprocess, sys, tempfile, time
from pathlib import Path

os.environ.setdefault('OMP_NUM_THREADS', '1')
import torch
torch.set_num_threads(1)
from alphagan_edu.data import ring
from alphagan_edu.gan import GAN
from alphagan_edu.training import Model, seed_everything, world
from alphagan_edu.callbacks import TensorBoard

ROUNDS, BATCH, CUT, EVERY, STOP = 12, 64, 5, 5, 7
TOL = 1e-5   # runs that add the same float32 numbers in another order: a few units in the last place of weights of order 0.1 to 1
            # (measured 6e-8), times 100; a run on the wrong batches is 3.9e-3 away

def data(): return ring(n=2000, n_test=10)

def fresh(): seed_everything(0); return GAN.for_data(data(), device='cpu')

def weights(model)->dict: return {k: v.clone() for k, v in model.state_dict().items()}

def terms(model)->list: return [{k: v for k, v in r.items() if k not in ('time', 'cpu')} for r in model.history.rows]

def stop_at(n):
    def cb(model, step, history):
        if step == n: raise KeyboardInterrupt(f'stopped at round {n}')
    return cb

def counting_saves(out:Path):
    "Count this process's calls of Model.save in out/saves_rank<r>.txt"
    real, calls = Model.save, []
    def save(self, path): calls.append(str(path)); return real(self, path)
    Model.save = save
    return lambda: (out / f'saves_rank{world()[0]}.txt').write_text(str(len(calls)))

def ddp_reducer(out:Path):
    "Do DDP-wrapped networks average the gradients of `backward(inputs=...)`, for each player of a GAN?"
    import torch.nn.functional as F
    from torch import nn
    from torch.nn.parallel import DistributedDataParallel as DDP
    torch.distributed.init_process_group('gloo'); rank = world()[0]
    torch.manual_seed(0); G, D = nn.Linear(2, 2), nn.Linear(2, 1)
    g, d = DDP(G), DDP(D)
    def averaged(t): t = t.clone(); torch.distributed.all_reduce(t); return t / world()[1]
    torch.manual_seed(1 + rank); ok = True   # each process its own data
    for _ in range(3):
        x, z = torch.randn(8, 2), torch.randn(8, 2)
        for net, loss_of, params in ((D, lambda dd, gg: F.softplus(-dd(x)).mean() + F.softplus(dd(gg(z).detach())).mean(), list(D.parameters())),
                                     (G, lambda dd, gg: F.softplus(-dd(gg(z))).mean(), list(G.parameters()))):
            local = torch.autograd.grad(loss_of(D, G), params)               # this process's own gradients
            for q in params: q.grad = None
            loss_of(d, g).backward(inputs=params)                            # through the DDP wrappers
            ok &= all(torch.allclose(q.grad, averaged(l)) for q, l in zip(params, local))
    if rank == 0: (out / 'ddp.result').write_text(str(ok))
    torch.distributed.destroy_process_group()

def worker(mode:str, out:Path):
    "One process of a torchrun: 'whole' (12 rounds), 'cut' (stopped at round 7), 'resume' (from the cut's checkpoint) or 'ddp'"
    if mode == 'ddp': return ddp_reducer(out)
    done = counting_saves(out)
    if mode == 'whole':
        m = fresh()
        m.fit(data(), ROUNDS, batch_size=BATCH, seed=0, progress=False, checkpoint=out / 'whole.pt', checkpoint_every=EVERY,
              callbacks=TensorBoard(out / 'tb', every=6, n=16))
    elif mode == 'cut':
        m = fresh()
        try: m.fit(data(), ROUNDS, batch_size=BATCH, seed=0, progress=False, checkpoint=out / 'cut.pt', checkpoint_every=EVERY, callbacks=stop_at(STOP))
        except KeyboardInterrupt: pass
    else:
        m = Model.load(out / 'cut.pt', device='cpu')
        m.fit(data(), ROUNDS - m.step, batch_size=BATCH, progress=False, checkpoint=out / 'resumed.pt', checkpoint_every=EVERY)
    if world()[0] == 0: torch.save(dict(weights=weights(m), terms=terms(m), step=m.step), out / f'{mode}.result')
    done()
    torch.distributed.destroy_process_group()

def torchrun(mode:str, out:Path, n:int=2):
    "Run `n` worker processes under torchrun; their output is shown if they fail"
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--standalone', f'--nproc_per_node={n}', __file__, 'worker', mode, str(out)]
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[1]), os.environ.get('PYTHONPATH')]))}
    try: r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    except subprocess.TimeoutExpired as e:
        sys.exit(f"FAIL torchrun {mode} did not finish in 300 s:\n{(e.stdout or b'')[-3000:]}\n{(e.stderr or b'')[-3000:]}")
    if r.returncode: sys.exit(f"FAIL torchrun {mode} failed (status {r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")

def gap(a:dict, b:dict)->float: return max((a[k].float() - b[k].float()).abs().max().item() for k in a)

def main():
    out, results, t0 = Path(tempfile.mkdtemp(prefix='torchrun_check_')), [], time.time()
    def check(ok, what): results.append(ok); print(f"{'ok  ' if ok else 'FAIL'} {what}", flush=True)
    one = fresh(); one.fit(data(), ROUNDS, batch_size=BATCH, seed=0, progress=False)
    half = fresh(); half.fit(data(), ROUNDS, batch_size=BATCH // 2, seed=0, progress=False)
    for mode in ('whole', 'cut', 'resume', 'ddp'): torchrun(mode, out)
    whole, resumed = torch.load(out / 'whole.result'), torch.load(out / 'resume.result')
    g, g_half = gap(whole['weights'], weights(one)), gap(weights(half), weights(one))
    check(g < TOL and g_half > 100 * TOL, f"2 processes = 1 process on the whole batches after {ROUNDS} rounds: largest weight difference "
          f"{g:.1e} (< {TOL:g}); 1 process on one share's batches differs by {g_half:.1e}")
    th = max(abs(a[k] - b[k]) for a, b in zip(whole['terms'], terms(one)) for k in a)
    check(len(whole['terms']) == ROUNDS and th < TOL, f"the 2-process history (terms averaged over the processes) = the 1-process one: largest difference {th:.1e}")
    saves = [int((out / f'saves_rank{r}.txt').read_text()) for r in (0, 1)]
    tb = [f.name for f in (out / 'tb').iterdir()]
    check(saves[0] > 0 and saves[1] == 0 and len(tb) == 1, f"only rank 0 writes: Model.save calls per rank {saves}, TensorBoard event files {len(tb)}")
    same = resumed['step'] == ROUNDS and resumed['terms'] == whole['terms'] and all(torch.equal(resumed['weights'][k], whole['weights'][k]) for k in whole['weights'])
    check(same, f"stopped at round {STOP} (checkpoint at {CUT}) and resumed by a new torchrun: the uninterrupted 2-process run, to the bit")
    alone = Model.load(out / 'cut.pt', device='cpu'); alone.fit(data(), ROUNDS - CUT, batch_size=BATCH, progress=False)
    g1 = gap(weights(alone), whole['weights'])
    check(g1 < TOL, f"the 2-process checkpoint resumed by 1 process: the uninterrupted run to {g1:.1e} (another world size)")
    check((out / 'ddp.result').read_text() == 'True', "torch's DDP around a GAN's networks averages each player's backward(inputs=...) gradients")
    cli = [sys.executable, '-m', 'alphagan_edu', 'train', '--model', 'gan', '--data', 'ring', '--steps', '30', '--batch-size', '64',
           '--eval-n', '200', '--quick-metrics', '-q', '--device', 'cpu', '--out']
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    r1 = subprocess.run(cli + [str(out / 'cli1')], capture_output=True, text=True, env=env, timeout=300)
    r2 = subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=2', '--no-python', *cli[:1], '-m',
                         *cli[2:], str(out / 'cli2')], capture_output=True, text=True, env=env, timeout=300)
    ok = r1.returncode == 0 and r2.returncode == 0
    g2 = gap(Model.load(out / 'cli2' / 'model.pt', device='cpu').state_dict(), Model.load(out / 'cli1' / 'model.pt', device='cpu').state_dict()) if ok else float('nan')
    check(ok and g2 < TOL and (out / 'cli2' / 'metrics.json').is_file(), f"a new run under torchrun from the first step (alphagan-edu train, 2 processes) "
          f"= the 1-process run: largest weight difference {g2:.1e}" + ('' if ok else f"; status {r1.returncode}/{r2.returncode}: {r2.stderr[-1500:]}"))
    print(f"{sum(results)} of {len(results)} torchrun checks passed in {time.time() - t0:.0f} s")
    sys.exit(0 if all(results) else 1)

if __name__ == '__main__':
    if sys.argv[1:2] == ['worker']: worker(sys.argv[2], Path(sys.argv[3]))
    else: main()
