"""Run README.md as a newcomer would: every shell command and Python block, verbatim, in a fresh clone and a fresh venv.

What it does:

1. Makes an empty work folder and a fresh virtual environment in it (no system packages), puts the venv first on the
   PATH as `activate` would, and installs CPU torch into it first (`pip install torch==2.13.0`; pip's configuration
   decides where the wheel comes from). Nothing else is installed by this script: the README's own commands must do it.
2. Reads the README's fenced blocks in order. ```sh / ```bash / ```shell blocks are run as a terminal session would run
   them: one after the other, the folder and the environment variables that a block leaves (`cd`, `source`) carried to
   the next, each block stopping at its first command line that fails (`a && b` included, which `set -e` lets pass). ```python blocks are run in one Python process of the venv, one after another
   in the same namespace, as pasted into one interpreter. A plain ``` block right after a sh or python block is the
   output the README shows for it, and is compared with what was printed (stdout): line by line, exactly, except that a
   duration (a number followed by ' s') matches any duration.
3. If the README clones the repository (`git clone URL`), the session starts in the empty work folder and git is told
   to fetch that URL from the local repository instead (git's `url.<local>.insteadOf`), so that the command runs as
   written without a network; otherwise the session starts in a fresh clone of the local repository that this script
   makes. Either way the clone is of the committed HEAD, not of uncommitted changes.

    python tools/readme_run.py [--readme README.md] [--repo .] [--skip REGEX] [--keep]

`--skip REGEX` leaves out the lines of sh blocks that match (for instance a long test suite: --skip '^nbdev-test$'),
and says so. Ends with 'readme: N passed, M failed, K skipped' (blocks) and exits 1 if any failed.
"""
import argparse, json, os, re, shlex, shutil, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SH = ('sh', 'bash', 'shell', 'console')
SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'   # no other Python environment lends a command
_fence = re.compile(r'^```(\S*)[^\n]*\n(.*?)^```[ \t]*$', re.M | re.S)

def blocks(md:str)->list:
    "The fenced blocks of `md`, in order: dicts with kind ('sh', 'python' or 'output'), code, and the output shown after it"
    out = []
    for m in _fence.finditer(md):
        lang, code = m.group(1).lower(), m.group(2)
        kind = 'sh' if lang in SH else 'python' if lang in ('python', 'py') else 'output' if lang in ('', 'text') else None
        if kind == 'output' and out and out[-1]['kind'] in ('sh', 'python') and out[-1]['shown'] is None and out[-1]['end'] == _prev_end(md, m.start()):
            out[-1]['shown'] = code
        elif kind in ('sh', 'python'): out.append(dict(kind=kind, code=code, shown=None, end=m.end()))
    return out

def _prev_end(md:str, start:int)->int:
    "Where the text before `start` ends, blank lines aside: an output block must follow its code block directly"
    return len(md[:start].rstrip())

_duration = re.compile(r'\d+(?:\.\d+)?(?= s\b)')

def same_output(printed:str, shown:str)->bool:
    "Does `printed` match the README's `shown` output, line by line, durations aside?"
    norm = lambda s: [_duration.sub('N', l.rstrip()) for l in s.strip('\n').splitlines()]
    return norm(printed) == norm(shown)

class Session:
    "A terminal: a folder and an environment that each block may change"
    def __init__(self, cwd:Path, env:dict, work:Path):
        self.cwd, self.env, self.work, self.py = cwd, env, work, None
    def sh(self, code:str, skip:str|None)->tuple:
        "Run a sh block, stopping at the first command line that fails; returns (status, stdout, stderr, skipped lines)"
        lines, skipped = code.splitlines(), []
        if skip: skipped = [l for l in lines if re.search(skip, l.split('#')[0].strip())]; lines = [l for l in lines if l not in skipped]
        state = self.work / 'state'
        # each command line is checked on its own: `set -e` would let `a && b` fail silently when `a` fails
        commands = [c for c in '\n'.join(lines).replace('\\\n', ' ').splitlines() if c.split('#')[0].strip()]
        script = ''.join(f'{c}\n__status=$?; [ $__status -eq 0 ] || exit $__status\n' for c in commands)
        script += f'{{ pwd; env -0; }} > {shlex.quote(str(state))}\n'
        r = subprocess.run(['bash', '-c', script], cwd=self.cwd, env=self.env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if r.returncode == 0:
            pwd, _, env = state.read_text().partition('\n')
            self.cwd, self.env = Path(pwd), dict(kv.split('=', 1) for kv in env.split('\0') if '=' in kv)
        return r.returncode, r.stdout, r.stderr, skipped
    def python(self, code:str)->tuple:
        "Run a python block in the session's one interpreter; returns (status, stdout, stderr)"
        if self.py is None:
            driver = self.work / 'driver.py'
            driver.write_text(DRIVER)
            self.py = subprocess.Popen(['python', '-u', str(driver)], cwd=self.cwd, env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.py.stdin.write(json.dumps(code) + '\n'); self.py.stdin.flush()
        reply = self.py.stdout.readline()
        if not reply: return 1, '', 'the interpreter died'
        r = json.loads(reply)
        return (0 if r['error'] is None else 1), r['stdout'], r['error'] or ''

DRIVER = r'''
import io, json, sys, traceback
from contextlib import redirect_stdout
ns = {'__name__': '__main__'}
for line in sys.stdin:
    code, out, error = json.loads(line), io.StringIO(), None
    try:
        with redirect_stdout(out): exec(compile(code, '<README block>', 'exec'), ns)
    except BaseException: error = traceback.format_exc(limit=-3)
    sys.stdout.write(json.dumps(dict(stdout=out.getvalue(), error=error)) + '\n'); sys.stdout.flush()
'''

def fresh_env(work:Path)->dict:
    "A venv of its own, first on the PATH, with CPU torch installed: the environment of the session"
    venv = work / 'venv'
    subprocess.run([sys.executable, '-m', 'venv', str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'PYTHONHOME', 'VIRTUAL_ENV', 'PYENV_VERSION')}
    env.update(VIRTUAL_ENV=str(venv), PATH=f"{venv / 'bin'}:{SYSTEM_PATH}", MPLBACKEND='Agg', PIP_DISABLE_PIP_VERSION_CHECK='1')
    print('venv: pip install torch==2.13.0', flush=True)
    subprocess.run([str(venv / 'bin' / 'pip'), 'install', '-q', 'torch==2.13.0'], check=True, env=env, stdin=subprocess.DEVNULL)
    return env

def clone_urls(bs:list)->list:
    "The URLs that the README's sh blocks `git clone`"
    return [next(u for u in tok[i + 1:] if '://' in u or u.endswith('.git'))   # the repository, after any options (--depth 1)
            for b in bs if b['kind'] == 'sh' for line in b['code'].splitlines()
            for tok in [shlex.split(line.split('#')[0]) if line.strip() else []]
            for i, t in enumerate(tok[:-1]) if t == 'clone' and 'git' in tok[:i]]

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    ap.add_argument('--readme', default=str(ROOT / 'README.md'), help='the README to follow (default: the repository\'s)')
    ap.add_argument('--repo', default=str(ROOT), help='the repository the README installs from (its committed HEAD is cloned)')
    ap.add_argument('--skip', metavar='REGEX', help='leave out the lines of sh blocks that match (they are named in the report)')
    ap.add_argument('--keep', action='store_true', help='keep the work folder')
    a = ap.parse_args()
    bs = blocks(Path(a.readme).read_text())
    work = Path(tempfile.mkdtemp(prefix='readme_run_')).resolve()
    env, urls = fresh_env(work), clone_urls(bs)
    home = work / 'home'; home.mkdir()
    if urls:   # the README clones: let git fetch those URLs from the local repository, and start in an empty folder
        env.update(GIT_CONFIG_COUNT=str(len(urls)), **{f'GIT_CONFIG_{k}_{i}': v for i, u in enumerate(urls)
                                                       for k, v in (('KEY', f'url.{Path(a.repo).resolve()}.insteadOf'), ('VALUE', u))})
        start = home
    else:
        start = home / 'alphagan-edu'
        subprocess.run(['git', 'clone', '-q', str(Path(a.repo).resolve()), str(start)], check=True)
    s, passed, failed, skipped_blocks = Session(start, env, work), 0, 0, 0
    for i, b in enumerate(bs, 1):
        t0 = time.time()
        status, out, err, skipped = s.sh(b['code'], a.skip) if b['kind'] == 'sh' else (*s.python(b['code']), [])
        problem = (f'exit status {status}' if status else None) or (None if b['shown'] is None or same_output(out, b['shown']) else 'printed output differs')
        head = b['code'].strip().splitlines()[0][:90]
        if skipped and not [l for l in b['code'].splitlines() if l.strip() and l not in skipped]:
            skipped_blocks += 1; print(f"skip block {i} ({b['kind']}): {head}", flush=True); continue
        print(f"{'ok  ' if not problem else 'FAIL'} block {i} ({b['kind']}, {time.time() - t0:.0f} s): {head}" + (f"  [skipped: {'; '.join(skipped)}]" if skipped else ''), flush=True)
        if problem:
            failed += 1
            print(f'     {problem}')
            if b['shown'] is not None and status == 0: print('     README shows:\n' + b['shown'] + '     printed:\n' + out)
            print('     ' + '\n     '.join((err.strip() or out.strip()).splitlines()[-8:]))
        else: passed += 1
    if s.py: s.py.stdin.close(); s.py.wait()
    if a.keep: print(f'work folder: {work}')
    else: shutil.rmtree(work, ignore_errors=True)
    print(f'readme: {passed} passed, {failed} failed, {skipped_blocks} skipped')
    sys.exit(1 if failed else 0)

if __name__ == '__main__': main()
