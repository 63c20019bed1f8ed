"""The catalogue of bad inputs and rough conditions, run against the installed `alphagan-edu` command.

Each case runs the command in a temporary folder and checks: the exit status; for a refusal, exactly one line on
stderr, containing the expected message; no traceback anywhere; and, where nothing should change, every file of the
folders involved unchanged (the SHA-1 of each file, hidden ones included, before and after). Some cases need more than
one command: a run to damage first, a signal sent in the middle of a run, a lock held by a running process, a disk
that fills up. The disk-full cases mount a small tmpfs (`mount -t tmpfs -o size=200k`), which needs root; where that
is not allowed they are skipped, and the skip says why.

Speed: each command runs as a new process, forked from this one after it has loaded the installed command's entry point
(`alphagan-edu` among the console_scripts of the installed distribution, the function the console script calls). The
2-3 s of CPU that starting Python and importing torch cost are then paid once instead of once per case, and the whole
catalogue fits in a minute on a 2-core machine. A forked process is a real process: its exit status, stdout and stderr,
the signals it gets and the locks it holds are the command's. A few cases run the console script itself, as a separate
program, to check that it is the same command.

    python tools/cli_catalogue.py [-k WORD] [--list]

It ends with the line 'catalogue: N passed, M failed, K skipped' (N and M count commands, K groups skipped) and exits 1 if a case failed. With --list it prints the
catalogue as a table (case, command, exit status, message) after running it.
"""
import argparse, hashlib, json, os, pickle, re, shutil, signal, socket, subprocess, sys, tempfile, time, traceback, zipfile
from importlib.metadata import entry_points
from pathlib import Path
import numpy as np

os.environ.setdefault('MPLBACKEND', 'Agg')
PROG = 'alphagan-edu'

# ---------------------------------------------------------------- running the command

def load_command():
    "The function the installed console script calls"
    eps = entry_points(group='console_scripts', name=PROG)
    if not eps: sys.exit(f'{PROG} is not installed: no console script of that name')
    return next(iter(eps)).load()

class Proc:
    "A command running in a forked process, its output going to files"
    def __init__(self, main, args, cwd:Path, out:Path):
        self.args, self.out_path, self.err_path = [str(a) for a in args], out / 'stdout', out / 'stderr'
        sys.stdout.flush(); sys.stderr.flush()
        self.pid = os.fork()
        if self.pid == 0: self._child(main, cwd)
        self.status = None
    def _child(self, main, cwd):
        try:
            os.chdir(cwd)
            for fd, path, flags in ((0, os.devnull, os.O_RDONLY), (1, self.out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                                    (2, self.err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)):
                os.dup2(os.open(path, flags, 0o644), fd)
            sys.argv = [PROG, *self.args]
            code = main(self.args)
        except SystemExit as e: code = e.code if isinstance(e.code, int) else int(e.code is not None)
        except BaseException: traceback.print_exc(); code = 1   # as the interpreter does with an uncaught exception
        try: sys.stdout.flush(); sys.stderr.flush()
        finally: os._exit(code if isinstance(code, int) else 1)
    def wait(self, timeout:float=120)->int:
        "Wait for the process to end; its exit status (negative: killed by that signal)"
        t0 = time.time()
        while self.status is None:
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid: self.status = os.waitstatus_to_exitcode(st)
            elif time.time() - t0 > timeout: os.kill(self.pid, signal.SIGKILL); os.waitpid(self.pid, 0); raise TimeoutError(' '.join(self.args))
            else: time.sleep(0.02)
        return self.status
    @property
    def stdout(self)->str: return self.out_path.read_text()
    @property
    def stderr(self)->str: return self.err_path.read_text()

def snapshot(*paths)->dict:
    "Every file of `paths` (files, or folders and all they hold, hidden files included) with the SHA-1 of its bytes"
    files = [p for f in map(Path, paths) for p in ([f] if f.is_file() else sorted(f.rglob('*')) if f.is_dir() else []) if p.is_file()]
    return {str(p): hashlib.sha1(p.read_bytes()).hexdigest() for p in files}

def wait_training(proc:Proc, ckpt:Path, timeout:float=120):
    "Wait until the run of `proc` has replaced its step-0 checkpoint: it is inside `fit`, its signal handlers set"
    t0 = time.time()
    def alive():
        if proc.status is None and os.waitpid(proc.pid, os.WNOHANG)[0] == 0 and time.time() - t0 < timeout: return True
        raise RuntimeError(f"the run ended or hung before training: {proc.stderr}")
    while not ckpt.exists() and alive(): time.sleep(0.02)
    ino = ckpt.stat().st_ino
    while ckpt.stat().st_ino == ino and alive(): time.sleep(0.02)

# ---------------------------------------------------------------- cases and their checks

class CaseFailed(AssertionError): pass
class Skip(Exception): pass

def check(cond, why):
    if not cond: raise CaseFailed(why)

class Catalogue:
    "Runs the cases; records what each command did, for the checks and the listing"
    def __init__(self, main, root:Path, shared:Path):
        self.shared = shared   # where the run that the cases copy lives
        self.main, self.root, self.rows, self.n, self.passed, self.failures, self.later = main, root, [], 0, 0, [], []
        self.procs = []   # every command started, so that none outlives the catalogue
    def proc(self, *args, cwd=None)->Proc:
        self.n += 1
        out = self.root / '_out' / str(self.n); out.mkdir(parents=True)
        self.procs.append(p := Proc(self.main, args, cwd or self.root, out))
        return p
    def call(self, fn, *args)->int:
        "Run fn(*args) in a forked process, so that this one computes nothing with torch before it forks; the exit status"
        pid = os.fork()
        if pid == 0:
            try: fn(*args); os._exit(0)
            except BaseException: traceback.print_exc(); os._exit(1)
        return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    def short(self, s:str)->str: return s.replace(str(self.root) + '/', '').replace(str(self.root), '.')
    def record(self, case:str, args, status:int, line:str):
        self.rows.append(dict(case=case, command=self.short(' '.join(map(str, [PROG, *args]))), status=status, message=self.short(line)))
    def finished(self, case:str, p:Proc, status:int, record=True)->Proc:
        "Check how a command ended: its status and no traceback"
        p.wait()
        if record: self.record(case, p.args, p.status, (p.stderr.splitlines() or p.stdout.splitlines() or [''])[-1])
        for name, text in (('stdout', p.stdout), ('stderr', p.stderr)): check('Traceback' not in text, f"a traceback on {name}: {text[-2000:]}")
        check(p.status == status, f"exit status {p.status}, expected {status}; stderr: {p.stderr[-1000:]}")
        return p
    def _case(self, case:str, run):
        "Run one case; a failed check is recorded as this case's failure and the group goes on"
        try: return run()
        except CaseFailed as e:
            self.failures.append(f'{case}: {e}')
            print(f'  FAILED {case}: {e}', flush=True)
    def refused(self, case:str, *args, says:str, status:int=2, unchanged=(), absent=(), not_says=('weights_only',))->str:
        "Run a command that must be refused: `status`, one line on stderr containing `says`, nothing on stdout, `unchanged` as they were"
        def run():
            before = snapshot(*unchanged)
            p = self.finished(case, self.proc(*args), status)
            lines = p.stderr.splitlines()
            check(len(lines) == 1, f"expected one line on stderr, got {len(lines)}: {p.stderr!r}")
            check(lines[0].startswith(f'{PROG}: '), f"the line does not start with '{PROG}: ': {lines[0]!r}")
            check(says in lines[0], f"{says!r} not in {lines[0]!r}")
            for word in not_says: check(word not in lines[0], f"{word!r} in {lines[0]!r}")
            check(p.stdout == '', f"stdout is not empty: {p.stdout!r}")
            check(snapshot(*unchanged) == before, f"files changed in {', '.join(map(str, unchanged))}")
            for f in absent: check(not Path(f).exists(), f"{f} exists")
            self.passed += 1
            return lines[0]
        return self._case(case, run)
    def works(self, case:str, *args, says:str='', record=True)->Proc:
        "Run a command that must succeed, saying `says` on stderr or stdout"
        def run():
            p = self.finished(case, self.proc(*args), 0, record)
            check(says in p.stderr + p.stdout, f"{says!r} not in the output: {p.stderr + p.stdout!r}")
            if record and says: self.rows[-1]['message'] = self.short(next(l for l in (p.stderr + p.stdout).splitlines() if says in l))
            if record: self.passed += 1
            return p
        return self._case(case, run) if record else run()

CASES = []
def case(group:str, lane:int=0):
    "Register a group of cases (a function of the catalogue); the two lanes run side by side, each on its own core"
    def deco(fn): CASES.append((group, fn, lane)); return fn
    return deco

# ---------------------------------------------------------------- the files the cases need

def gan_run(c:Catalogue, folder:Path, *extra, steps=5)->Path:
    "A finished GAN run on the ring in `folder`"
    c.works('setup', 'train', '--model', 'gan', '--data', 'ring', '--steps', steps, '--out', folder, '--eval-n', 200, '-q', *extra, record=False)
    return folder

def base(c:Catalogue)->Path:
    "A copy of the catalogue's finished run, to use or to spoil"
    c.n += 1; dst = c.root / f'run{c.n}'
    shutil.copytree(c.shared / '_base', dst); return dst

def write_idx(path:Path, a:np.ndarray, magic_type:int=8):
    "Write the array `a` as an IDX file (type 8: unsigned bytes; 0x0d: 32-bit floats, big-endian)"
    data = a.astype('>f4').tobytes() if magic_type == 0x0D else a.astype(np.uint8).tobytes()
    path.write_bytes(bytes([0, 0, magic_type, a.ndim]) + b''.join(int(d).to_bytes(4, 'big') for d in a.shape) + data)

def mnist_folder(c:Catalogue, name:str, n_train:int=64, n_test:int=16)->Path:
    "A folder of the four MNIST IDX files, with random images"
    folder, rng = c.root / name, np.random.default_rng(0)
    folder.mkdir()
    for part, n in (('train', n_train), ('t10k', n_test)):
        write_idx(folder / f'{part}-images-idx3-ubyte', rng.integers(0, 256, (n, 28, 28)))
        write_idx(folder / f'{part}-labels-idx1-ubyte', rng.integers(0, 10, n))
    return folder

def cifar_folder(c:Catalogue, name:str, batch)->Path:
    "A cifar-10-batches-py folder whose six batch files are `batch` (a dict, or raw bytes)"
    folder = c.root / name / 'cifar-10-batches-py'; folder.mkdir(parents=True)
    for f in [f'data_batch_{i}' for i in range(1, 6)] + ['test_batch']:
        (folder / f).write_bytes(batch if isinstance(batch, bytes) else pickle.dumps(batch))
    return folder.parent

class _Payload:
    "An object whose unpickling runs a shell command: what a hostile file carries"
    def __init__(self, cmd): self.cmd = cmd
    def __reduce__(self): return (os.system, (self.cmd,))

def vae_checkpoint(path:Path):
    "Save a new VAE for the ring at `path` (run in a forked process)"
    from alphagan_edu.training import build
    from alphagan_edu.data import ring
    build('vae', ring(), device='cpu').save(path)

def torch_save(obj, path:Path):
    import torch
    torch.save(obj, path)

def rewritten(src:Path, dst:Path, **changes)->Path:
    "A copy of checkpoint `src` with some entries changed"
    import torch
    ckpt = torch.load(src, weights_only=True); ckpt.update(changes); torch.save(ckpt, dst); return dst

def as_if_on_gpu(src:Path, dst:Path)->Path:
    "A copy of checkpoint `src` whose tensors say they were saved on cuda:0, as a GPU run's do"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, 'w') as zout:
        for info in zin.infolist():
            b = zin.read(info.filename)
            zout.writestr(info.filename, b.replace(b'X\x03\x00\x00\x00cpu', b'X\x06\x00\x00\x00cuda:0') if info.filename.endswith('/data.pkl') else b)
    return dst

TRAIN = ('train', '--model', 'gan', '--data', 'ring', '--steps', 5)

# ---------------------------------------------------------------- the cases: numbers, names, options

@case('numbers and names')
def bad_numbers(c:Catalogue):
    x = c.root / 'x'
    for args, says in [(('--steps', 0), 'argument --steps: 0 is not positive; expected an integer >= 1'),
                       (('--steps', -3), 'argument --steps: -3 is not positive'),
                       (('--steps', 'many'), "argument --steps: 'many' is not an integer; expected a positive integer"),
                       (('--steps', '1e3'), "argument --steps: '1e3' is not an integer"),
                       (('--steps', 5, '--seed', -1), "argument --seed: '-1': expected an integer >= 0"),
                       (('--steps', 5, '--eval-n', 0), 'argument --eval-n: 0 is not positive'),
                       (('--steps', 5, '--latent-dim', 0), 'argument --latent-dim: 0 is not positive'),
                       (('--steps', 5, '--checkpoint-every', 'x'), "argument --checkpoint-every: 'x' is not an integer"),
                       (('--steps', 5, '--threads', 0), 'argument --threads: 0 is not positive'),
                       (('--steps', 5, '--batch-size', 10_000_000), '--batch-size 10000000 is larger than the 10000 training samples of ring')]:
        c.refused(f'train {args[-2]} {args[-1]}', 'train', '--model', 'gan', '--data', 'ring', *args, '--out', x, says=says, absent=[x])

@case('numbers and names')
def bad_names(c:Catalogue):
    x = c.root / 'x'
    c.refused('unknown model', 'train', '--model', 'stylegan', '--data', 'ring', '--steps', 5, '--out', x, says="argument --model: invalid choice: 'stylegan'", absent=[x])
    c.refused('unknown dataset', 'train', '--model', 'gan', '--data', 'imagenet', '--steps', 5, '--out', x, says="argument --data: invalid choice: 'imagenet'", absent=[x])
    c.refused('not a device', *TRAIN, '--out', x, '--device', 'abacus', says="--device 'abacus' is not a device name; expected cpu, cuda or cuda:N", absent=[x])
    c.refused('a GPU the machine lacks', *TRAIN, '--out', x, '--device', 'cuda:99', says='--device cuda:99: ', absent=[x])
    c.refused('a model that does not fit the data', 'train', '--model', 'dcgan', '--data', 'ring', '--steps', 5, '--out', x, says='DCGAN: data shape (2,) is not an image shape', absent=[x])
    c.refused('unknown command', 'fly', says="argument COMMAND: invalid choice: 'fly'")
    c.refused('no command', says='no command given; expected train, sample, evaluate or compare')
    c.refused('an abbreviated option', 'train', '--mod', 'gan', '--data', 'ring', '--steps', 5, '--out', x, says='unrecognized arguments: --mod', absent=[x])
    c.refused('compare: unknown model', 'compare', '--models', 'gan,stylegan', '--data', 'ring', '--out', x, says="--models: unknown 'stylegan'", absent=[x])
    c.refused('compare: bad seed', 'compare', '--models', 'gan', '--data', 'ring', '--seeds', '0,-1', '--out', x, says="--seeds: '-1': expected an integer >= 0", absent=[x])

@case('the console script')
def console_script(c:Catalogue):
    "The installed program itself, as a separate program: the same command as the entry point (started now, checked at the end)"
    exe = shutil.which(PROG)
    if exe is None: raise Skip(f'{PROG} is not on the PATH')
    run = base(c); before = snapshot(run)
    args = [str(a) for a in (*TRAIN, '--out', run, '--forc')]
    proc = subprocess.Popen([exe, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    def finish():
        out, err = proc.communicate(timeout=300)
        c.record('--forc is not --force (the console script)', args, proc.returncode, err.strip())
        check(proc.returncode == 2 and err.strip() == f'{PROG}: error: unrecognized arguments: --forc' and out == '', f'{proc.returncode} {err!r}')
        check(snapshot(run) == before, 'the run changed')
        c.passed += 1
    c.later.append(('the console script', finish))

# ---------------------------------------------------------------- folders

@case('folders')
def folders(c:Catalogue):
    run, x = base(c), c.root / 'x'
    c.refused('--out holds a run', *TRAIN, '--out', run, says=f'--out {run} holds a run (gan on ring, 5 steps); continue it with --resume', unchanged=[run])
    (mine := c.root / 'mine').mkdir(); (mine / 'thesis.tex').write_text('mine')
    c.refused('--out holds files of the user, with --force', *TRAIN, '--out', mine, '--force', says='is not empty and holds no alphagan-edu run', unchanged=[mine])
    c.refused('--out is a file', *TRAIN, '--out', mine / 'thesis.tex', says='is a file; expected a new or empty folder', unchanged=[mine])
    (empty := c.root / 'empty').mkdir()
    c.refused('--resume of an empty folder', 'train', '--resume', empty, says='holds no alphagan-edu run (no config.json written by alphagan-edu train)', unchanged=[empty])
    c.refused('--resume of no folder', 'train', '--resume', c.root / 'nowhere', says='holds no alphagan-edu run (no such folder)', absent=[c.root / 'nowhere'])
    (cfg_only := c.root / 'cfg_only').mkdir(); shutil.copy(run / 'config.json', cfg_only)
    c.refused('--resume of a run without a checkpoint', 'train', '--resume', cfg_only, says='has no checkpoint (model.pt): the run stopped before it saved one', unchanged=[cfg_only])
    c.refused('--resume with a setting of its own', 'train', '--resume', run, '--model', 'vae', says="--resume takes the run's settings from", unchanged=[run])
    c.refused('--resume asking for the recipe', 'train', '--resume', run, '--recipe', says="config.json; drop --recipe", unchanged=[run])
    c.refused('--resume of a finished run', 'train', '--resume', run, says='is complete (5 steps); pass --steps with a larger total', unchanged=[run])
    c.refused('--resume to a total already reached', 'train', '--resume', run, '--steps', 5, says='is at step 5; --steps is the total, so ask for more than 5', unchanged=[run])
    c.refused('sample over an existing file', 'sample', run, '-n', 5, '--out', run / 'samples.png', says='exists; pass --force to overwrite it', unchanged=[run])
    c.refused('sample to an unknown file type', 'sample', run, '-n', 5, '--out', x.with_suffix('.jpg'), says="unknown file type '.jpg'; expected .png, .pt or .npy", unchanged=[run])
    c.refused('sample -n 0', 'sample', run, '-n', 0, '--out', x.with_suffix('.npy'), says='argument -n/--n: 0 is not positive', unchanged=[run])
    p = c.works('sample -n 5', 'sample', run, '-n', 5, '--out', c.root / 'five.npy', says='wrote')
    check(np.load(c.root / 'five.npy').shape == (5, 2), 'not 5 samples')

# ---------------------------------------------------------------- config.json edited by hand

@case('config.json edited by hand')
def hand_edited(c:Catalogue):
    def edited(edit):
        run = base(c); cfg = json.loads((run / 'config.json').read_text()); edit(cfg); (run / 'config.json').write_text(json.dumps(cfg)); return run
    run = edited(lambda cfg: cfg.pop('checkpoint_every'))
    c.works("a missing 'checkpoint_every' gets its default", 'train', '--resume', run, '--steps', 7, '--eval-n', 100, says='resuming gan on ring at step 5 of 7')
    cfg = json.loads((run / 'config.json').read_text())
    check(cfg['steps'] == 7 and 'checkpoint_every' not in cfg, f'config.json became {cfg}')
    run = edited(lambda cfg: cfg.pop('model'))
    c.refused("a missing 'model'", 'train', '--resume', run, '--steps', 7, says="config.json lacks 'model' (the model's name); put it back", unchanged=[run])
    run = edited(lambda cfg: cfg.pop('seed'))
    c.refused("a missing 'seed'", 'train', '--resume', run, '--steps', 7, says="config.json lacks 'seed' (the run's seed); put it back", unchanged=[run])
    run = edited(lambda cfg: cfg.update(steps='many'))
    c.refused("'steps' of the wrong kind", 'train', '--resume', run, says="config.json: 'steps' is 'many'; expected an integer >= 1", unchanged=[run])
    run = base(c); (run / 'config.json').write_text((run / 'config.json').read_text()[:-5])
    c.refused('config.json that is not JSON', 'train', '--resume', run, '--steps', 7, says='config.json is not valid JSON (', unchanged=[run])
    c.refused('sample with config.json that is not JSON', 'sample', run, '-n', 5, '--out', c.root / 'y.npy', says='config.json is not valid JSON (', unchanged=[run])

# ---------------------------------------------------------------- data files

@case('data files')
def data_files(c:Catalogue):
    x = c.root / 'x'
    def mnist(case, folder, says): c.refused(case, 'train', '--model', 'gan', '--data', 'mnist', '--data-dir', folder, '--steps', 5, '--out', x, says=says, unchanged=[folder], absent=[x])
    c.refused('mnist without --data-dir', 'train', '--model', 'gan', '--data', 'mnist', '--steps', 5, '--out', x, says='--data mnist is read from files: pass --data-dir', absent=[x])
    mnist('mnist from no folder', c.root / 'nowhere', '--data-dir ' + str(c.root / 'nowhere') + ': no such folder')
    (none := c.root / 'no_files').mkdir()
    mnist('mnist: a folder without its files', none, 'train-images-idx3-ubyte not found in')
    mnist('mnist: files of 0 images', mnist_folder(c, 'zero', n_train=0), 'train-images-idx3-ubyte holds no training images; expected at least one')
    cut = mnist_folder(c, 'cut'); f = cut / 'train-images-idx3-ubyte'; f.write_bytes(f.read_bytes()[:5000])
    mnist('mnist: a truncated file', cut, 'train-images-idx3-ubyte: header says (64, 28, 28) = 50176 values but the file holds 4984')
    gz = mnist_folder(c, 'gz'); (gz / 'train-images-idx3-ubyte').unlink(); (gz / 'train-images-idx3-ubyte.gz').write_bytes(b'not gzip')
    mnist('mnist: a .gz that is not gzip', gz, "train-images-idx3-ubyte.gz: could not read (Not a gzipped file (b'no')); expected a gzip file")
    nan = mnist_folder(c, 'nan'); images = np.full((64, 28, 28), np.nan, np.float32); images[:, 0, 0] = np.inf
    write_idx(nan / 'train-images-idx3-ubyte', images, magic_type=0x0D)
    mnist('mnist: NaN and inf in a file of floats', nan, 'not an IDX file of unsigned bytes with 3 dims (expected magic 0x00000803, got 0x00000d03)')
    odd = mnist_folder(c, 'labels'); write_idx(odd / 'train-labels-idx1-ubyte', np.zeros(63))
    mnist('mnist: one label short', odd, '64 images but 63 labels; expected one label per image')
    def cifar(case, folder, says): c.refused(case, 'train', '--model', 'gan', '--data', 'cifar10', '--data-dir', folder, '--steps', 5, '--out', x, says=says, unchanged=[folder], absent=[x])
    mark = c.root / 'payload_ran'
    cifar('cifar10: a hostile pickle', cifar_folder(c, 'hostile', pickle.dumps({b'data': _Payload(f'touch {mark}')})), 'refusing to load ')
    check(not mark.exists(), 'the pickle ran its payload')
    floats = np.full((4, 3072), np.nan); floats[:, 0] = np.inf
    cifar('cifar10: NaN and inf in the images', cifar_folder(c, 'floats', {b'data': floats, b'labels': [0] * 4}), "b'data' is float64 (4, 3072) with 4 labels; expected uint8 (N, 3072)")
    cifar('cifar10: values out of range', cifar_folder(c, 'range', {b'data': np.full((4, 3072), 1000, np.int16), b'labels': [0] * 4}), "b'data' is int16 (4, 3072)")
    def celeba(case, folder, says): c.refused(case, 'train', '--model', 'gan', '--data', 'celeba', '--data-dir', folder, '--steps', 5, '--out', x, says=says, unchanged=[folder], absent=[x])
    (faces := c.root / 'faces').mkdir(); (faces / 'a.jpg').write_text('not a picture')
    celeba('celeba: a .jpg that is not an image', faces, 'a.jpg: could not read the image')
    (no_faces := c.root / 'no_faces').mkdir()
    celeba('celeba: no images', no_faces, 'no images (.jpg, .jpeg, .png) found in')

# ---------------------------------------------------------------- checkpoints

@case('checkpoints', lane=1)
def checkpoints(c:Catalogue):
    y = c.root / 'y.npy'
    def spoiled(case, write, says, *cmd):
        run = base(c); write(run / 'model.pt')
        c.refused(case, *(cmd or ('sample', run, '-n', 5, '--out', y)), says=says, unchanged=[run], absent=[y])
    base(c); good = (c.shared / '_base' / 'model.pt').read_bytes()
    spoiled('a truncated checkpoint', lambda p: p.write_bytes(good[:1000]), 'could not be read as a checkpoint (is it truncated or damaged?)')
    spoiled('a checkpoint of random bytes', lambda p: p.write_bytes(np.random.default_rng(0).bytes(5000)),
            'could not be read: it is not a checkpoint (Model.save writes a zip archive, as torch.save does, and this file is not one)')
    spoiled('an empty checkpoint', lambda p: p.write_bytes(b''), 'could not be read: it is empty, not a checkpoint')
    mark = c.root / 'payload_ran'
    spoiled('a hostile checkpoint', lambda p: torch_save({'format': 'alphagan-edu checkpoint', 'x': _Payload(f'touch {mark}')}, p),
            'it is not a checkpoint, since it holds objects other than tensors and plain values, which Model.save never writes; it was not loaded')
    check(not mark.exists(), 'the checkpoint ran its payload')
    spoiled("another program's torch file", lambda p: torch_save({'weights': [1.0, 2.0]}, p), 'is not an alphagan-edu checkpoint (a file written by Model.save); it holds a dict')
    spoiled('a checkpoint of format 1', lambda p: rewritten(c.shared / '_base' / 'model.pt', p, version=1),
            'is a checkpoint of format 1, written by an earlier alphagan-edu (before the training loop kept the learning-rate plan')
    run = base(c)
    check(c.call(vae_checkpoint, run / 'model.pt') == 0, 'could not write a VAE checkpoint')
    c.refused("a checkpoint of another model", 'train', '--resume', run, '--steps', 7, says='model.pt holds a VAE, but', unchanged=[run])
    gpu = base(c); as_if_on_gpu(c.shared / '_base' / 'model.pt', gpu / 'model.pt')
    c.works('a GPU checkpoint on a machine without one', 'sample', gpu, '-n', 50, '--out', c.root / 'gpu.npy', '--device', 'cpu', says='wrote')
    c.works('setup', 'sample', c.shared / '_base', '-n', 50, '--out', c.root / 'cpu.npy', '--device', 'cpu', record=False)
    check(np.array_equal(np.load(c.root / 'gpu.npy'), np.load(c.root / 'cpu.npy')), 'the GPU checkpoint gave other samples')

@case('checkpoints', lane=1)
def cpu_checkpoint_on_gpu(c:Catalogue):
    import torch
    if not torch.cuda.is_available(): raise Skip('this machine has no CUDA device')
    base(c)
    c.works('a CPU checkpoint on a GPU', 'sample', c.shared / '_base', '-n', 50, '--out', c.root / 'on_gpu.npy', '--device', 'cuda', says='wrote')

# ---------------------------------------------------------------- evaluate

@case('evaluate')
def evaluate(c:Catalogue):
    run = base(c)
    c.works('setup', 'evaluate', run, '-n', 300, record=False)
    full = (run / 'metrics.json').read_bytes()
    c.works('evaluate --quick leaves metrics.json', 'evaluate', run, '--quick', says='"quick": true')
    check((run / 'metrics.json').read_bytes() == full and (run / 'metrics_quick.json').is_file(), 'metrics.json changed, or no metrics_quick.json')
    c.refused('evaluate on fewer samples', 'evaluate', run, '-n', 100, says='holds the metrics of step 5 on 300 samples; -n 100 would replace them with fewer: pass --force', unchanged=[run])

# ---------------------------------------------------------------- signals and locks

def checkpoint_step(path:Path)->int:
    import torch
    return torch.load(path, map_location='cpu', weights_only=True)['step']

def long_run(c:Catalogue, folder:Path)->Proc:
    "Start a GAN run asked for 100,000 steps (it saves every step, so that `wait_training` can see it start)"
    return c.proc('train', '--model', 'gan', '--data', 'ring', '--steps', 100_000, '--out', folder, '--checkpoint-every', 1, '--eval-n', 100, '-q')

def stopped_by(c:Catalogue, case:str, p:Proc, folder:Path, signum, word:str, status:int)->int|None:
    "Send `signum` to a training run; check that it saved at the round it stopped, said so in one line, and left no lock"
    def run():
        os.kill(p.pid, signum)
        c.finished(case, p, status)
        m = re.fullmatch(rf"{PROG}: {word} at step (\d+); {re.escape(str(folder / 'model.pt'))} holds step \1; continue with: {PROG} train --resume {re.escape(str(folder))}", p.stderr.strip())
        check(m and len(p.stderr.splitlines()) == 1, f"unexpected stderr: {p.stderr!r}")
        check(checkpoint_step(folder / 'model.pt') == int(m[1]), 'the checkpoint is not at the step the message says')
        check(not (folder / '.lock').exists(), 'the lock is still there')
        c.passed += 1
        return int(m[1])
    return c._case(case, run)

@case('signals and two processes', lane=1)
def signals_and_locks(c:Catalogue):
    run, ctrl_c, killed = c.root / 'running', c.root / 'ctrl_c', c.root / 'killed'
    a = long_run(c, run); wait_training(a, run / 'model.pt')
    config = snapshot(run / 'config.json')
    c.refused('a second train on a running run', 'train', '--resume', run, '--steps', 200_000, status=1, says=f'{run} is in use by process {a.pid} (alphagan-edu train, since ')
    c.refused('train --force over a running run', *TRAIN, '--out', run, '--force', status=1, says=f'is in use by process {a.pid}')
    c.refused('evaluate of a running run', 'evaluate', run, status=1, says=f'is in use by process {a.pid}')
    check(snapshot(run / 'config.json') == config, "the running run's config.json changed")
    c.works('sample from a running run', 'sample', run, '-n', 5, '--out', c.root / 'while.npy', says='wrote')
    k = stopped_by(c, 'SIGTERM in the middle of a run', a, run, signal.SIGTERM, 'terminated', 143)
    b = long_run(c, ctrl_c); wait_training(b, ctrl_c / 'model.pt')
    stopped_by(c, 'SIGINT (Ctrl-C) in the middle of a run', b, ctrl_c, signal.SIGINT, 'interrupted', 130)
    p = long_run(c, killed); wait_training(p, killed / 'model.pt'); os.kill(p.pid, signal.SIGKILL); p.wait()
    c.works('... and the SIGTERM run resumes', 'train', '--resume', run, '--steps', k + 3, '--eval-n', 100, '--quick-metrics', says=f'resuming gan on ring at step {k} of {k + 3}')
    check(p.status == -signal.SIGKILL and (killed / '.lock').exists(), f'status {p.status}; the lock should be left behind')
    c.record('SIGKILL in the middle of a run', p.args, p.status, '(killed: no message; the lock file stays)'); c.passed += 1
    k = checkpoint_step(killed / 'model.pt')
    c.works('... and the next command takes its stale lock over', 'train', '--resume', killed, '--steps', k + 2, '--eval-n', 100, '--quick-metrics',
            says=f'.lock was left by process {p.pid} (alphagan-edu train, since ')
    check(sorted(f.name for f in killed.iterdir() if f.name.startswith('.')) == [], 'a lock or a temporary file was left')

# ---------------------------------------------------------------- full and read-only disks

def tmpfs(c:Catalogue, name:str, size:str)->Path:
    "A new tmpfs of `size` mounted at ROOT/name, or Skip where mounting is not allowed"
    if not hasattr(os, 'geteuid') or os.geteuid() != 0: raise Skip('mounting a small tmpfs needs root')
    d = c.root / name; d.mkdir()
    r = subprocess.run(['mount', '-t', 'tmpfs', '-o', f'size={size}', 'tmpfs', str(d)], capture_output=True, text=True)
    if r.returncode: raise Skip(f"cannot mount a tmpfs here: {r.stderr.strip() or 'mount failed'}")
    c.mounts.append(d)
    return d

def remount(d:Path, opts:str):
    subprocess.run(['mount', '-o', f'remount,{opts}', str(d)], check=True, capture_output=True)

def fill(d:Path, leave:int=0):
    "Fill the disk of `d` with a file of zeros, then free `leave` bytes of it"
    with open(d / 'filler', 'wb', buffering=0) as f:   # unbuffered: nothing is left to flush, and fail, on closing
        try:
            while True: f.write(b'\0' * 65536)
        except OSError: pass
    size = (d / 'filler').stat().st_size
    os.truncate(d / 'filler', max(0, size - leave))

@case('full and read-only disks', lane=1)
def full_disks(c:Catalogue):
    disk = tmpfs(c, 'disk1', '200k')
    args = ('train', '--model', 'alpha-gan', '--data', 'ring', '--steps', 3, '--out', disk / 'run', '--eval-n', 100)
    c.refused('a full disk at the start of a run (200 KiB)', *args, status=1, says=f"could not write {disk / 'run' / 'model.pt'}: No space left on device (ENOSPC); "
              f"{disk / 'run'} holds no run now: free some space, then run the same command again", unchanged=[disk], absent=[disk / 'run'])
    remount(disk, 'size=16m')
    c.works('... and the same command once there is room', *args, '-q', says='alpha-gan on ring: 3 steps')
    disk = tmpfs(c, 'disk2', '200k')
    run = disk / 'run'
    c.refused('a full disk in the middle of a run (200 KiB)', 'train', '--model', 'gan', '--data', 'ring', '--steps', 5, '--out', run, '--eval-n', 100, '-q',
              status=1, says=f"could not write {run / 'model.pt'}: No space left on device (ENOSPC); {run / 'model.pt'} still holds step 0; "
                             f"free some space, then continue with: {PROG} train --resume {run}")
    check(sorted(f.name for f in run.iterdir()) == ['config.json', 'model.pt'], f'left behind: {sorted(f.name for f in run.iterdir())}')
    remount(disk, 'size=16m')
    c.works('... and it resumes once there is room', 'train', '--resume', run, '--eval-n', 100, '-q', says='gan on ring: 5 steps')
    disk = tmpfs(c, 'disk3', '2m')
    run = disk / 'run'; shutil.copytree(base(c), run); fill(disk, leave=4096)     # room for the lock, none for the metrics
    c.refused('evaluate on a full disk', 'evaluate', run, '-n', 300, status=1,
              says=f"could not write {run / 'metrics.json'}: No space left on device (ENOSPC); {run / 'metrics.json'} is as it was", unchanged=[run])
    fill(disk)
    c.refused('sample to a full disk', 'sample', run, '-n', 5, '--out', disk / 'samples.npy', status=1,
              says=f"could not write {disk / 'samples.npy'}: No space left on device (ENOSPC); nothing was written", unchanged=[run], absent=[disk / 'samples.npy'])
    disk = tmpfs(c, 'disk4', '1m'); remount(disk, 'ro')
    c.refused('--out on a read-only disk', *TRAIN, '--out', disk / 'run', status=1,
              says=f"could not create the folder {disk / 'run'}: Read-only file system (EROFS); nothing was written")

# ---------------------------------------------------------------- running the catalogue

def table(rows:list)->str:
    "The catalogue as a Markdown table"
    esc = lambda s: str(s).replace('|', '\\|')
    return '\n'.join(['| case | command | exit | message |', '|---|---|---|---|'] +
                     [f"| {esc(r['case'])} | `{esc(r['command'])}` | {r['status']} | {esc(r['message'])} |" for r in rows])

def run_lane(c:Catalogue, groups:list)->dict:
    "Run `groups` one after another; what passed, what failed, what was skipped"
    skipped = aborted = 0
    try:
        for group, fn, _ in groups:
            n0, f0, g0 = c.passed, len(c.failures), time.time()
            try: fn(c); result = ''
            except Skip as e: skipped += 1; result = f'; skipped: {e}'
            except Exception as e:   # a step outside the cases' own checks went wrong: the rest of the group did not run
                aborted += 1; result = f'; STOPPED: {type(e).__name__}: {e}'
                if not isinstance(e, CaseFailed): traceback.print_exc()
            print(f"{group} / {fn.__name__}: {c.passed - n0} passed, {len(c.failures) - f0} failed{result} ({time.time() - g0:.0f} s)", flush=True)
        for group, finish in c.later:   # the checks of the cases that ran alongside the others
            try: finish()
            except Exception as e: aborted += 1; print(f"{group}: STOPPED: {type(e).__name__}: {e}", flush=True)
            else: print(f"{group}: checked", flush=True)
    finally:
        for p in c.procs:   # a command still running after its group failed
            try:
                if p.status is None and os.waitpid(p.pid, os.WNOHANG)[0] == 0: os.kill(p.pid, signal.SIGKILL); os.waitpid(p.pid, 0)
            except ChildProcessError: pass
        for d in reversed(c.mounts): subprocess.run(['umount', '-l', str(d)], capture_output=True)
    return dict(rows=c.rows, passed=c.passed, failed=len(c.failures) + aborted, skipped=skipped)

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    ap.add_argument('-k', metavar='WORD', help='run only the groups of cases whose function name contains WORD')
    ap.add_argument('--list', action='store_true', help='print the catalogue as a table at the end')
    a = ap.parse_args()
    command = load_command()
    import torch; torch.set_num_threads(1)
    shared, t0 = Path(tempfile.mkdtemp(prefix='cli_catalogue_')).resolve(), time.time()
    try:
        setup = Catalogue(command, shared, shared)
        gan_run(setup, shared / '_base')                  # the finished run that many cases copy
        lanes = {}
        for lane in (0, 1):                               # each lane a process of its own, forked before any torch computation here
            groups = [g for g in CASES if g[2] == lane and (not a.k or a.k in g[1].__name__)]
            (root := shared / f'lane{lane}').mkdir()
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    c = Catalogue(command, root, shared); c.mounts = []
                    (shared / f'lane{lane}.json').write_text(json.dumps(run_lane(c, groups))); code = 0
                finally: os._exit(code)
            lanes[lane] = pid
        results = []
        for lane, pid in lanes.items():
            os.waitpid(pid, 0)
            f = shared / f'lane{lane}.json'
            results.append(json.loads(f.read_text()) if f.exists() else dict(rows=[], passed=0, failed=1, skipped=0))
    finally: shutil.rmtree(shared, ignore_errors=True)
    rows = [r for res in results for r in res['rows']]
    if a.list: print('\n' + table(rows) + '\n')
    total = {k: sum(res[k] for res in results) for k in ('passed', 'failed', 'skipped')}
    print(f"{len(rows)} commands in {time.time() - t0:.0f} s")
    print(f"catalogue: {total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")
    sys.exit(1 if total['failed'] else 0)

if __name__ == '__main__': main()
