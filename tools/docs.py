"""Build the documentation site into _docs/, offline, from nbdev's processed notebooks.

nbdev's doc processors (`proc_nbs`, the first half of `nbdev-docs`) run show_doc, drop `#| hide` cells and write
the front matter; this script then does what Quarto does with the result, with Sphinx, MyST-NB and
sphinx-book-theme: one page per notebook at the URL nbdev names (`output-file`), the sidebar of `nbs/sidebar.yml`,
Quarto's cell options (`echo`, `output`, `include`, `code-fold`) and callouts, heading ids as Quarto makes them, and
maths typeset by the MathJax 3 bundled with the site. Each chapter page links to Colab and to its notebook.

Usage: python tools/docs.py              # writes _docs/ (and the Sphinx sources under build/site-src/)
       python tools/docs.py --selfcheck  # check the conversion rules on small examples, build nothing
"""
import hashlib, json, re, shutil, sys, tomllib
from pathlib import Path
from urllib.parse import urlparse
import yaml

root = Path(__file__).resolve().parents[1]
nbs, out = root/'nbs', root/'_docs'
src, doctrees = root/'build'/'site-src', root/'build'/'site-doctrees'
html = root/'build'/'site'/'html'   # Sphinx writes here (MyST-NB puts files beside it); then it moves to _docs/

# MathJax 3.2.2, as the `sphinx-mathjax-offline` wheel carries it: its `static/mathjax` is, file for file, the `es5`
# folder of the npm package mathjax@3.2.2. The digest pins the entry point the pages load.
MATHJAX_ENTRY, MATHJAX_SHA256 = 'tex-chtml.js', '0a6ded5abbce13331658dd239f34382abd06492c74b71b61e8caa8112ec55fa5'
MATHJAX_SKIP = re.compile(r'^(tex|mml)-.*\.js$|^node-main\.js$|^latest\.js$')   # other entry points, never loaded

def repo_url() -> str:
    "The repository's URL, from pyproject.toml's [project.urls] Repository"
    return tomllib.loads((root/'pyproject.toml').read_text())['project']['urls']['Repository'].rstrip('/')

def site_url() -> str:
    "Where the site is published, from nbs/nbdev.yml"
    return yaml.safe_load((nbs/'nbdev.yml').read_text())['website']['site-url'].rstrip('/')

def colab_url(nb_name:str, # notebook file name in nbs/, e.g. 00_divergences.ipynb
              repo:str=None, # repository URL; pyproject's by default
              branch:str='main')->str:
    "The address at which Colab opens `nbs/nb_name` from GitHub"
    u = urlparse(repo or repo_url())
    owner_repo = u.path.strip('/')
    if u.netloc != 'github.com' or owner_repo.count('/') != 1:
        raise ValueError(f'Colab opens notebooks from github.com/OWNER/REPO, not from {u.geturl()!r}')
    return f'https://colab.research.google.com/github/{owner_repo}/blob/{branch}/nbs/{nb_name}'

# --- Quarto's cell options and markdown, as MyST-NB cells ---

_directive = re.compile(r'^\s*#\|\s?(.*)$')

def split_directives(code:str)->tuple:
    "The leading `#|` options of a code cell as a dict, and the code without them"
    opts, lines = {}, code.splitlines()
    while lines and (m := _directive.match(lines[0])):
        key, _, val = m.group(1).partition(':')
        opts[key.strip()] = val.strip() or 'true'
        lines.pop(0)
    return opts, '\n'.join(lines)

def front_matter(cell:dict)->dict:
    "The YAML front matter nbdev's processors write into the first raw cell, or {}"
    text = ''.join(cell['source'])
    if cell['cell_type'] != 'raw' or not text.lstrip().startswith('---'): return {}
    return yaml.safe_load(text.strip().strip('-')) or {}

_callout = re.compile(r'^:::+\s*\{\.callout-(note|tip|warning|important|caution)([^}]*)\}\s*$')
_title_attr = re.compile(r'title\s*=\s*"([^"]*)"')

def convert_callouts(md:str)->str:
    "Quarto callouts (`::: {.callout-note title=\"...\"}` ... `:::`) as MyST admonitions"
    out = []
    for line in md.splitlines():
        m = _callout.match(line)
        if m:
            kind, t = m.group(1), _title_attr.search(m.group(2))
            out += [':::{admonition} ' + t.group(1), f':class: {kind}'] if t else [':::{' + kind + '}']
        else: out.append(line)
    return '\n'.join(out)

def localise_links(md:str, site:str)->str:
    "Links to the published site (nbdev's doc links) made relative, so that they work on any copy of it"
    return re.sub(r'\]\(' + re.escape(site) + r'/', '](', md)

def _text(x) -> str: return ''.join(x) if isinstance(x, list) else x

def _md_cell(text:str)->dict: return {'cell_type': 'markdown', 'metadata': {}, 'source': text}

WIDGET = 'application/vnd.jupyter.widget-view+json'

def static_outputs(o:dict)->list:
    "What a static page shows for one output: a widget, which it cannot run, becomes a note (a control) or nothing"
    if WIDGET not in o.get('data', {}):
        return [o | ({'execution_count': None} if o['output_type'] == 'execute_result' else {})]
    if not _text(o['data'].get('text/plain', '')).startswith('interactive('): return []   # a progress bar
    return [{'output_type': 'display_data', 'metadata': {},
             'data': {'text/markdown': '*An interactive control: open the notebook to use it.*'}}]

def markdown_of(o:dict, asis:bool):
    "The markdown an output stands for on the page (markdown outputs, and printed text under `output: asis`), or None"
    if 'text/markdown' in o.get('data', {}): return _text(o['data']['text/markdown']).strip()
    if asis and o['output_type'] == 'stream': return _text(o['text']).strip()
    return None

def _code_cell(code:str, outputs:list, tags:list)->dict:
    return {'cell_type': 'code', 'execution_count': None, 'metadata': {'tags': sorted(set(tags))},
            'outputs': outputs, 'source': code}

def _tags(opts:dict)->list:
    tags = ['remove-output'] if opts.get('output') == 'false' else []
    return tags + (['hide-input'] if opts.get('code-fold') in ('true', 'show') else [])

def convert_code(cell:dict)->list:
    "A processed code cell as MyST-NB cells, with Quarto's options applied and markdown outputs spliced in as markdown"
    opts, code = split_directives(_text(cell['source']))
    if opts.get('include') == 'false': return []
    outputs = [] if opts.get('output') == 'false' else cell.get('outputs', [])
    cells, pending = [], []
    show_code = opts.get('echo') != 'false' and bool(code.strip())
    def flush():
        nonlocal show_code
        tags = _tags(opts) + ([] if show_code else ['remove-input'])
        if show_code or pending: cells.append(_code_cell(code, list(pending), tags))
        pending.clear(); show_code = False
    for o in outputs:
        md = markdown_of(o, opts.get('output') == 'asis')
        if md is None: pending.extend(static_outputs(o))
        else: flush(); cells.append(_md_cell(md))
    flush()
    return cells

def header_cells(fm:dict, nb_name:str)->list:
    "The page's title and summary, as Quarto shows them, and its links to Colab and to the notebook"
    md = f"# {fm.get('title', Path(nb_name).stem)}\n"
    if fm.get('description'): md += '\n{.description}\n' + fm['description'].strip() + '\n'
    links = (f'<p class="nb-links"><a class="colab-link" href="{colab_url(nb_name)}">Open in Colab</a>'
             f' <a class="download-link" href="nbs/{nb_name}" download>Download notebook</a></p>')
    return [_md_cell(md), _md_cell(links)]

def convert_markdown(cell:dict, site:str)->list:
    "A markdown cell, with Quarto's callouts as MyST's and links to the published site made relative"
    md = _text(cell['source']).strip()
    if not md or re.fullmatch(r'<!--.*?-->', md, re.S): return []   # nbdev's "autogenerated" comment
    return [_md_cell(localise_links(convert_callouts(md), site))]

def convert_nb(nb:dict, nb_name:str, site:str)->tuple:
    "(page name, MyST-NB notebook) for one processed notebook"
    cells, fm = list(nb['cells']), {}
    if cells and (fm := front_matter(cells[0])): cells.pop(0)
    page = Path(fm.get('output-file', Path(nb_name).stem + '.html')).stem
    body = [o for c in cells for o in (convert_code(c) if c['cell_type'] == 'code' else
                                       convert_markdown(c, site) if c['cell_type'] == 'markdown' else [])]
    cells = header_cells(fm, nb_name) + body
    for i, c in enumerate(cells): c['id'] = f'c{i}'
    meta = {k: v for k, v in nb.get('metadata', {}).items() if k in ('kernelspec', 'language_info')}
    meta.setdefault('kernelspec', {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'})
    meta.setdefault('language_info', {'name': 'python'})
    return page, {'cells': cells, 'metadata': meta, 'nbformat': 4, 'nbformat_minor': 5}

# --- the sidebar ---

def sidebar_sections(path:Path=nbs/'sidebar.yml')->list:
    "(caption, [notebook names]) for the top of `sidebar.yml` (caption None) and each of its sections"
    secs = [(None, [])]
    for item in yaml.safe_load(path.read_text())['website']['sidebar']['contents']:
        if isinstance(item, str): secs[0][1].append(item)
        else: secs.append((item['section'], list(item['contents'])))
    return secs

def toctree_md(sections:list, pages:dict)->str:
    "Hidden toctrees, one per sidebar section, in MyST"
    blocks = []
    for caption, names in sections:
        docs = [pages[n] for n in names if n != 'index.ipynb']
        if not docs: continue
        cap = f':caption: {caption}\n' if caption else ''
        blocks.append('```{toctree}\n:hidden:\n' + cap + '\n' + '\n'.join(docs) + '\n```')
    return '\n\n'.join(blocks)

# --- the build ---

def processed_notebooks()->Path:
    "Run nbdev's doc processors over nbs/ (as `nbdev-docs` does) into _proc/"
    from nbdev.doclinks import _build_modidx
    from nbdev.serve import proc_nbs
    _build_modidx()
    return proc_nbs(str(nbs), n_workers=0, force=True)

def mathjax_dir()->Path:
    "MathJax 3.2.2's files, from the pinned sphinx-mathjax-offline wheel, checked against the release's digest"
    import importlib.util
    spec = importlib.util.find_spec('sphinx-mathjax-offline')
    if spec is None: sys.exit('MathJax is missing: pip install -e ".[docs]" (it comes with sphinx-mathjax-offline)')
    d = Path(spec.origin).parent/'static'/'mathjax'
    digest = hashlib.sha256((d/MATHJAX_ENTRY).read_bytes()).hexdigest()
    if digest != MATHJAX_SHA256:
        sys.exit(f'{d/MATHJAX_ENTRY} is not MathJax 3.2.2 (sha256 {digest}, expected {MATHJAX_SHA256})')
    return d

def write_pages(cache:Path, sections:list)->list:
    "Write one MyST-NB notebook per processed notebook, the index with the sidebar's toctrees; the names, in order"
    names, site, pages = [n for _, ns in sections for n in ns], site_url(), {}
    missing = sorted({p.name for p in nbs.glob('*.ipynb') if not p.name.startswith('_')} - set(names))
    if missing: sys.exit(f'nbs/sidebar.yml does not list {", ".join(missing)}: add each notebook to the sidebar')
    for name in names:
        if not (cache/name).exists(): sys.exit(f'the doc processors wrote no {name}: does nbs/{name} exist?')
        pages[name], nb = convert_nb(json.loads((cache/name).read_text()), name, site)
        if name == 'index.ipynb': index = nb
        else: (src/f'{pages[name]}.ipynb').write_text(json.dumps(nb))
    index['cells'].append(_md_cell(toctree_md(sections, pages)) | {'id': 'toctree'})
    (src/'index.ipynb').write_text(json.dumps(index))
    return names

def copy_assets(cache:Path):
    "The files the notebooks use (figures, tables), where the pages expect them; MathJax and the styles into _static/"
    for f in cache.rglob('*'):
        rel = f.relative_to(cache)
        if f.is_file() and f.suffix not in ('.ipynb', '.yml') and not rel.parts[0].startswith('.'):
            (src/rel).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(f, src/rel)
    mj = mathjax_dir()
    skip = lambda d, fs: [f for f in fs if Path(d) == mj and MATHJAX_SKIP.match(f) and f != MATHJAX_ENTRY]
    shutil.copytree(mj, src/'_static'/'mathjax', ignore=skip)
    shutil.copy2(nbs/'styles.css', src/'_static'/'styles.css')

def write_sources(cache:Path)->list:
    "The Sphinx sources, from the processed notebooks in `cache`; returns the notebook names in sidebar order"
    shutil.rmtree(src, ignore_errors=True); src.mkdir(parents=True)
    names = write_pages(cache, sidebar_sections())
    copy_assets(cache)
    return names

def linked_files(html_dir:Path)->set:
    "Local files the pages link to that Sphinx does not copy (tables, data): relative paths"
    found = set()
    for page in html_dir.glob('*.html'):
        for href in re.findall(r'href="([^"#?]+)', page.read_text()):
            local = not urlparse(href).scheme and not href.startswith(('_', '/', 'nbs/'))
            if local and not href.endswith('.html'): found.add(href)
    return found

def sphinx_build():
    "Sphinx, warnings as errors (all of them reported), into `html`"
    from sphinx.application import Sphinx
    shutil.rmtree(html.parent, ignore_errors=True)
    app = Sphinx(str(src), str(root/'tools'/'docs_conf'), str(html), str(doctrees), 'html',
                 warningiserror=True, keep_going=True, freshenv=True, status=None)
    app.build()
    if app.statuscode: sys.exit(f'the site build failed (status {app.statuscode}): see the warnings above')

def finish(names:list):
    "Move the pages to _docs/ with the files they link to and the notebooks to download"
    shutil.rmtree(out, ignore_errors=True); shutil.move(html, out)
    for rel in linked_files(out):
        if (src/rel).is_file(): (out/rel).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(src/rel, out/rel)
    (out/'nbs').mkdir(exist_ok=True)
    for name in names: shutil.copy2(nbs/name, out/'nbs'/name)   # the notebooks as they are in the repository
    (out/'.nojekyll').touch()   # GitHub Pages must serve _static/ and _images/ as they are
    (out/'.buildinfo').unlink(missing_ok=True)

def build():
    import time
    t0 = time.time()
    names = write_sources(processed_notebooks())
    t1 = time.time()
    sphinx_build(); finish(names)
    print(f'site: {len(names)} pages in {out} (doc processors {t1-t0:.0f} s, Sphinx {time.time()-t1:.0f} s)')

def _code(src:str, *outputs)->dict: return {'cell_type': 'code', 'source': src, 'outputs': list(outputs)}

def selfcheck():
    "The conversion rules on small examples"
    def check(ok, what):
        if not ok: sys.exit(f'docs conversion rule broken: {what}')
    opts, code = split_directives('#| echo: false\n#| output: asis\nshow_doc(f)')
    check((opts, code) == ({'echo': 'false', 'output': 'asis'}, 'show_doc(f)'), f'directives {opts}, {code!r}')
    md = {'output_type': 'execute_result', 'data': {'text/markdown': '### f\n\n*doc*', 'text/plain': 'x'}}
    cells = convert_code(_code('#| echo: false\n#| output: asis\nshow_doc(f)', md))
    check([(c['cell_type'], c['source']) for c in cells] == [('markdown', '### f\n\n*doc*')], 'show_doc as markdown')
    printed = {'output_type': 'stream', 'name': 'stdout', 'text': '1\n'}
    cells = convert_code(_code('print(1)\nMarkdown("b")', printed, md))
    check([c['cell_type'] for c in cells] == ['code', 'markdown'] and cells[0]['outputs'][0]['text'] == '1\n',
          'code, its printed output, then its markdown output')
    check(convert_code(_code('#| include: false\nx = 1')) == [], 'include: false drops the cell')
    cells = convert_code(_code('#| output: false\nx', md))
    check(len(cells) == 1 and not cells[0]['outputs'] and 'remove-output' in cells[0]['metadata']['tags'],
          'output: false')
    check(convert_code(_code('#| code-fold: true\nx'))[0]['metadata']['tags'] == ['hide-input'], 'code-fold')
    widget = {'output_type': 'display_data', 'data': {WIDGET: {}, 'text/plain': 'interactive(...)'}}
    note = convert_code(_code('interact(f)', widget))[0]['outputs'][0]['data']['text/markdown']
    check('open the notebook' in note, 'a widget becomes a note')
    check(convert_callouts('::: {.callout-note}\nhi\n:::') == ':::{note}\nhi\n:::', 'callout')
    check(convert_callouts('::: {.callout-tip title="Try"}\nhi\n:::') == ':::{admonition} Try\n:class: tip\nhi\n:::',
          'callout with a title')
    check(localise_links('[b](https://x.github.io/y/data.html#b)', 'https://x.github.io/y') == '[b](data.html#b)',
          'links to the published site made relative')
    raw = "---\ndescription: 'd'\noutput-file: div.html\ntitle: Div\n\n---\n"
    fm = front_matter({'cell_type': 'raw', 'source': raw})
    check(fm == {'description': 'd', 'output-file': 'div.html', 'title': 'Div'}, f'front matter {fm}')
    check(colab_url('00_divergences.ipynb', 'https://github.com/alphagan-edu/alphagan-edu') == 'https://colab.'
          'research.google.com/github/alphagan-edu/alphagan-edu/blob/main/nbs/00_divergences.ipynb', 'Colab URL')
    try: colab_url('a.ipynb', 'https://gitlab.com/a/b'); check(False, 'colab_url accepted a GitLab URL')
    except ValueError: pass
    print('docs conversion rules: all checks passed')

if __name__ == '__main__':
    selfcheck() if '--selfcheck' in sys.argv else build()
