"""Build the documentation site into _docs/, offline, from nbdev's processed notebooks.

nbdev's doc processors (`proc_nbs`, the first half of `nbdev-docs`) run show_doc, drop `#| hide` cells and write
the front matter; this script then does what Quarto does with the result, with Sphinx, MyST-NB and
sphinx-book-theme: one page per notebook at the URL nbdev names (`output-file`), the sidebar of `nbs/sidebar.yml`,
Quarto's cell options (`echo`, `output`, `include`, `code-fold`) and callouts, heading ids as Quarto makes them, and
maths typeset by the MathJax 3 bundled with the site. Each chapter page links to Colab and to its notebook.

For readers: show_doc's entries are rendered from the package as nbdev's show_doc does (signature with short type
names, docstring, a Type / Default / Details table from docments, a link to the source line), and entered in the
Python domain, so that `objects.inv` and the general index list them; cells that ask to be folded (`code-fold`,
exported ones too), cells of checks, long code and long outputs are folded; figures get alt text and a caption (from
Quarto's `fig-alt`/`fig-cap`, else the titles the code gives them, else the prose before them); chapter titles carry
the number of their file name; `arXiv:NNNN.NNNNN` becomes a link. tools/docs_conf/static/ holds the site's own styles
and script (navigation buttons, maths and tables that fit or say they scroll, figures that open full size).

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
        if 'text/html' in o.get('data', {}): o = o | {'data': o['data'] | {'text/html': link_arxiv_html(_text(o['data']['text/html']))}}
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

LONG_CODE, LONG_OUTPUT = 15, 25   # lines: longer code is folded, longer printed output is folded
_test_line = re.compile(r'^(test_\w*|assert)\b')

def is_test_cell(code:str)->bool:
    "A cell of checks only (`test_eq(...)`, `assert ...`), several lines long: plumbing a reader opens on demand"
    lines = [l for l in code.splitlines() if l.strip() and not l.lstrip().startswith('#')]
    tops = [l for l in lines if not l[0].isspace()]
    return len(lines) >= 4 and all(_test_line.match(l) for l in tops)

def fold_of(opts:dict, code:str)->dict:
    "How a code cell is folded: Quarto's `code-fold` (`true`, `show`) and `code-summary`; long code and checks fold too"
    fold = opts.get('code-fold', 'false').strip('"\'')
    summary = opts.get('code-summary', '').strip('"\'')
    n = len(code.splitlines())
    lines = f'{n} line' + ('s' if n != 1 else '')
    if fold == 'false' and is_test_cell(code): fold, summary = 'true', summary or f'Checks ({lines})'
    elif fold == 'false' and n > LONG_CODE: fold = 'true'
    if fold not in ('true', 'show'): return {}
    return {'tags': ['hide-input'] + (['fold-open'] if fold == 'show' else []),
            'prompt': f'{summary} ({lines})' if summary and not summary.endswith(')') else summary or f'Show code ({lines})'}

def _tags(opts:dict)->list:
    tags = ['remove-output'] if opts.get('output') == 'false' else []
    return tags + (['hide-input'] if opts.get('code-fold') in ('true', 'show') else [])

def output_lines(outputs:list)->int:
    "Lines of text the outputs print (streams, plain-text results, tracebacks)"
    n = 0
    for o in outputs:
        if o['output_type'] == 'stream': n += _text(o['text']).count('\n')
        elif o['output_type'] == 'error': n += len(o.get('traceback', []))
        elif 'image/png' not in o.get('data', {}) and 'text/html' not in o.get('data', {}):
            n += _text(o.get('data', {}).get('text/plain', '')).count('\n') + 1
    return n

# --- figures: alt text and a caption from the code that drew them ---

def _strings(node)->str:
    "The literal text of a string or f-string node (placeholders as '...')"
    import ast
    if isinstance(node, ast.Constant) and isinstance(node.value, str): return node.value
    if isinstance(node, ast.JoinedStr): return ''.join(_strings(v) if isinstance(v, ast.Constant) else '…' for v in node.values)
    return ''

def figure_titles(code:str)->list:
    "The titles a plotting cell gives its figure: `suptitle`, `set_title`, `title=` (in order, without repeats)"
    import ast
    try: tree = ast.parse(code)
    except SyntaxError: return []
    found = []
    for n in ast.walk(tree):
        if not isinstance(n, ast.Call): continue
        name = getattr(n.func, 'attr', getattr(n.func, 'id', ''))
        if name in ('suptitle', 'set_title', 'title') and n.args: found.append(_strings(n.args[0]))
        found += [_strings(k.value) for k in n.keywords if k.arg in ('title', 'suptitle')]
    clean = [' '.join(re.sub(r'\$([^$]*)\$', r'\1', t).replace('\\', '').split()) for t in found]
    return list(dict.fromkeys(t for t in clean if t.strip('…, ')))

def _plain(md:str)->str:
    "Markdown as plain text for alt text: no links' targets, no code ticks, no emphasis; maths kept as written"
    md = '\n'.join(l for l in md.splitlines() if not re.match(r'\s*(:::|```|\{|<|#)', l))   # no fences, headings
    md = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', md)
    parts = re.split(r'(\$[^$]+\$)', md)   # maths kept whole: its `*` and `_` are not emphasis
    return ' '.join(''.join(p if p.startswith('$') else re.sub(r'[`*_#>]', '', p) for p in parts).split())

def figure_text(opts:dict, code:str, before:str, chapter:str)->tuple:
    "(alt text, caption) for the figure a cell draws: Quarto's `fig-alt`/`fig-cap`, else its titles, else the prose"
    unq = lambda v: v.strip().strip('"\'')
    titles = figure_titles(code)
    first = re.split(r'(?<=[.:!?])\s', _plain(before), maxsplit=1)[0].rstrip(':;,') if before else ''
    call = re.findall(r'^(\w+)\(', code.strip().splitlines()[-1]) if code.strip() else []
    if any('…' in t for t in titles) and first: titles = []   # titles made at run time: the prose says more
    described = '; '.join(titles) or first or (call[0].replace('_', ' ') if call else '') or f'a figure of {chapter}'
    alt = unq(opts.get('fig-alt', '')) or unq(opts.get('fig-cap', '')) or f'Figure: {described}'
    cap = unq(opts.get('fig-cap', '')) or ('; '.join(titles) if titles else '')
    return alt[:300], cap

def convert_code(cell:dict, before:str='', chapter:str='this chapter')->list:
    "A processed code cell as MyST-NB cells, with Quarto's options applied and markdown outputs spliced in as markdown"
    opts, code = split_directives(_text(cell['source']))
    if opts.get('include') == 'false': return []
    outputs = [] if opts.get('output') == 'false' else cell.get('outputs', [])
    cells, pending = [], []
    show_code = opts.get('echo') != 'false' and bool(code.strip())
    fold = fold_of(opts, code) if show_code else {}
    def flush():
        nonlocal show_code
        tags = _tags(opts) + ([] if show_code else ['remove-input']) + (fold.get('tags', []) if show_code else [])
        if show_code or pending:
            c = _code_cell(code, list(pending), tags)
            meta = {}
            if show_code and fold: meta |= {'code_prompt_show': fold['prompt'], 'code_prompt_hide': 'Hide code'}
            if (n := output_lines(pending)) > LONG_OUTPUT:
                c['metadata']['tags'] = sorted(set(c['metadata']['tags']) | {'hide-output'})
                meta.setdefault('code_prompt_show', f'Show output ({n} lines)'); meta.setdefault('code_prompt_hide', 'Hide output')
            if any('image/png' in o.get('data', {}) for o in pending):
                alt, cap = figure_text(opts, code, before, chapter)
                meta['image'] = {'alt': alt, 'classes': 'zoomable'}
                meta['figure'] = {'caption': cap or alt.removeprefix('Figure: ')}
            if meta: c['metadata']['mystnb'] = meta
            cells.append(c)
        pending.clear(); show_code = False
    for o in outputs:
        md = markdown_of(o, opts.get('output') == 'asis')
        if md is None: pending.extend(static_outputs(o))
        else: flush(); cells.append(_md_cell(link_arxiv(md)))
    flush()
    return cells

def chapter_number(nb_name:str)->str:
    "The chapter's number, from the notebook's file name (`06_training.ipynb` is chapter 06), or ''"
    m = re.match(r'(\d+)_', nb_name)
    return m.group(1) if m else ''

def page_title(fm:dict, nb_name:str)->str:
    "The page's title as the site shows it (in the page and the sidebar): the chapter's number, then its title"
    title, num = fm.get('title', Path(nb_name).stem), chapter_number(nb_name)
    return f'{num} · {title}' if num else title

def header_cells(fm:dict, nb_name:str)->list:
    "The page's title and summary, as Quarto shows them, and its links to Colab and to the notebook"
    md = f"# {page_title(fm, nb_name)}\n"
    if fm.get('description'): md += '\n{.description}\n' + fm['description'].strip() + '\n'
    links = (f'<p class="nb-links"><a class="colab-link" href="{colab_url(nb_name)}">Open in Colab</a>'
             f' <a class="download-link" href="nbs/{nb_name}" download>Download notebook</a></p>')
    return [_md_cell(md), _md_cell(links)]

_arxiv = re.compile(r'\barXiv:\s?(\d{4}\.\d{4,5})(v\d+)?')
_no_touch = re.compile(r'`[^`]*`|\$\$.*?\$\$|\$[^$\n]*\$|\[[^\]]*\]\([^)]*\)|<[^>]*>|https?://\S+', re.S)

def link_arxiv(md:str)->str:
    "Plain `arXiv:NNNN.NNNNN` references as links to arxiv.org (not inside code, maths, links or addresses)"
    def sub(text): return _arxiv.sub(lambda m: f'[{m.group(0)}](https://arxiv.org/abs/{m.group(1)}{m.group(2) or ""})', text)
    out, pos = [], 0
    for m in _no_touch.finditer(md):
        out += [sub(md[pos:m.start()]), m.group(0)]; pos = m.end()
    return ''.join(out + [sub(md[pos:])])

def link_arxiv_html(html:str)->str:
    "The same in an HTML output (a data frame's cells): in text, outside links"
    out, in_link = [], False
    for part in re.split(r'(<[^>]+>)', html):
        if part.startswith('<'): in_link = part.startswith('<a ') or (in_link and not part.startswith('</a'))
        elif not in_link: part = _arxiv.sub(lambda m: f'<a href="https://arxiv.org/abs/{m.group(1)}{m.group(2) or ""}">{m.group(0)}</a>', part)
        out.append(part)
    return ''.join(out)

def convert_markdown(cell:dict, site:str)->list:
    "A markdown cell, with Quarto's callouts as MyST's and links to the published site made relative"
    md = _text(cell['source']).strip()
    if not md or re.fullmatch(r'<!--.*?-->', md, re.S): return []   # nbdev's "autogenerated" comment
    return [_md_cell(link_arxiv(localise_links(convert_callouts(md), site)))]

# --- the API reference: show_doc's entries, rendered from the package as nbdev 2's show_doc did ---

def short_type(anno)->str:
    "An annotation as a reader wants it: `Tensor`, `Module`, `Generator | None` (no module paths, no `NoneType`)"
    import inspect
    s = anno if isinstance(anno, str) else inspect.formatannotation(anno)
    s = re.sub(r"\b(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)", r'\1', s)
    return re.sub(r'\bNoneType\b', 'None', s).strip("'")

def short_default(v)->str:
    if hasattr(v, '__name__') and not isinstance(v, (str, int, float)): return v.__name__
    r = repr(v)
    return r if len(r) <= 40 else r[:37] + '...'

def _cell(s:str)->str: return s.replace('|', '\\|').replace('\n', ' ')

def md_escape(text:str)->str:
    "A docstring as markdown text: characters markdown would read as emphasis or markup escaped, code spans kept"
    parts = re.split(r'(`[^`]*`)', text)
    esc = lambda t: re.sub(r'([\\*_\[\]<>|#])', r'\\\1', t)
    return ''.join(p if p.startswith('`') else esc(p) for p in parts)

def api_params(obj)->list:
    "(name as shown, type, default, details) for each parameter of `obj`, from its signature and docments"
    import inspect
    from fastcore.docments import docments
    try: sig = inspect.signature(obj)
    except (TypeError, ValueError): return []
    try: dm = docments(obj, full=True)
    except Exception: dm = {}
    rows = []
    for p in sig.parameters.values():
        if p.name in ('self', 'cls'): continue
        star = '*' if p.kind == p.VAR_POSITIONAL else '**' if p.kind == p.VAR_KEYWORD else ''
        doc = (dm.get(p.name) or {}).get('docment') or ''
        rows.append((star + p.name, '' if p.annotation is p.empty else short_type(p.annotation),
                     '' if p.default is p.empty else short_default(p.default), doc))
    ret = sig.return_annotation
    rdoc = (dm.get('return') or {}).get('docment') or ''
    if ret is not sig.empty or rdoc: rows.append(('return', '' if ret is sig.empty else short_type(ret), '', rdoc))
    return rows

def api_signature(name:str, rows:list)->str:
    "`name(p:Type=default, ...) -> Ret`, one parameter a line when it is long"
    params = [f'{n}' + (f':{t}' if t else '') + (f'={d}' if d else '') for n, t, d, _ in rows if n != 'return']
    ret = next((f' -> {t}' for n, t, d, _ in rows if n == 'return' and t), '')
    one = f'{name}({", ".join(params)}){ret}'
    return one if len(one) <= 72 else f'{name}(\n' + ''.join(f'    {p},\n' for p in params) + f'){ret}'

def api_table(rows:list)->str:
    "The Type / Default / Details table of nbdev's show_doc (columns with nothing in them left out)"
    params = [r for r in rows if r[0] != 'return']
    if not params: return ''
    cols = [i for i in (1, 2, 3) if any(r[i] for r in rows)] or [3]
    head = '| | ' + ' | '.join(('**Type**', '**Default**', '**Details**')[i - 1] for i in cols) + ' |'
    def row(r):
        cells = [f'`{_cell(r[i])}`' if r[i] and i < 3 else _cell(r[i]) for i in cols]
        name = '**Returns**' if r[0] == 'return' else f'`{r[0]}`'
        return f'| {name} | ' + ' | '.join(cells) + ' |'
    return '\n'.join([head, '|' + '---|' * (len(cols) + 1)] + [row(r) for r in rows])

def source_link(obj)->str:
    "The address of `obj`'s source in the repository: the file and its first line"
    import inspect
    try:
        mod = inspect.getmodule(obj)
        line = inspect.getsourcelines(obj)[1]
        return f'{repo_url()}/blob/main/{mod.__name__.replace(".", "/")}.py#L{line}'
    except (TypeError, OSError, ValueError, AttributeError): return ''

_show_doc = re.compile(r'^show_doc\((.*)\)\s*$', re.S)

def api_markdown(call:str, module)->str:
    "The markdown of one API entry for `show_doc(...)` in `module`'s notebook, or None if it cannot be rendered"
    import ast, inspect
    from fastcore.docments import docstring
    try: node = ast.parse(call.strip(), mode='eval').body
    except SyntaxError: return None
    if not isinstance(node, ast.Call) or not node.args: return None
    kw = {k.arg: ast.literal_eval(k.value) for k in node.keywords if isinstance(k.value, ast.Constant)}
    expr = ast.unparse(node.args[0])
    try: obj = eval(expr, vars(module))
    except Exception: return None
    obj = getattr(obj, 'fget', None) or obj
    name = kw.get('name') or expr
    qual = getattr(obj, '__qualname__', expr)
    full = f'{getattr(obj, "__module__", module.__name__)}.{qual}'
    kind = 'class' if inspect.isclass(obj) else 'method' if '.' in qual else 'function'
    rows = api_params(obj)
    md = ['#' * int(kw.get('title_level', 3)) + ' ' + name, '',
          '```{api-object} ' + full, f':kind: {kind}', f':source: {source_link(obj)}', '```', '',
          '{.api-signature}', '```python', ('class ' if kind == 'class' else '') + api_signature(name, rows), '```', '']
    if doc := docstring(obj): md += ['{.api-doc}', md_escape(doc.strip()), '']
    if table := api_table(rows): md += ['{.api-params}', table]
    return '\n'.join(md).strip()

def api_cells(cell:dict, module)->list:
    "A show_doc cell as its API entry, rendered from the package; None where it is not a show_doc of the package"
    if module is None or cell['cell_type'] != 'code': return None
    opts, code = split_directives(_text(cell['source']))
    if not _show_doc.match(code.strip()) or '\n' in code.strip(): return None
    md = api_markdown(code.strip(), module)
    return [_md_cell(md)] if md else None

def notebook_module(nb_name:str):
    "The package module a notebook exports to (its `#| default_exp`), imported from this repository, or None"
    import importlib
    text = (nbs/nb_name).read_text() if (nbs/nb_name).exists() else ''
    m = re.search(r'#\|\s*default_exp\s+([\w.]+)', text)
    if not m: return None
    lib = tomllib.loads((root/'pyproject.toml').read_text()).get('tool', {}).get('nbdev', {}).get('lib_path', 'alphagan_edu')
    if str(root) not in sys.path: sys.path.insert(0, str(root))
    try: return importlib.import_module(f'{lib}.{m.group(1)}')
    except Exception as e:
        print(f'warning: cannot import {lib}.{m.group(1)} for the API entries of {nb_name}: {e}'); return None

def clean_show_doc_output(cells:list)->list:
    "An entry show_doc rendered in the notebook (not from the package): without `__main__.` in its signature"
    for c in cells:
        if c['cell_type'] == 'markdown': c['source'] = re.sub(r'\b__main__\.', '', c['source'])
    return cells

def convert_nb(nb:dict, nb_name:str, site:str)->tuple:
    "(page name, MyST-NB notebook) for one processed notebook"
    cells, fm = list(nb['cells']), {}
    if cells and (fm := front_matter(cells[0])): cells.pop(0)
    page = Path(fm.get('output-file', Path(nb_name).stem + '.html')).stem
    module, body, before = notebook_module(nb_name), [], ''
    chapter = f'chapter {chapter_number(nb_name)}' if chapter_number(nb_name) else 'this page'
    for c in cells:
        if c['cell_type'] == 'markdown':
            body += convert_markdown(c, site); before = _text(c['source']).strip()
        elif c['cell_type'] == 'code':
            body += api_cells(c, module) or clean_show_doc_output(convert_code(c, before, chapter))
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
    import nbdev.processors as procs
    _build_modidx()
    rm_export = procs.rm_export
    def keep_folded(cell):   # nbdev drops exported cells from the docs, even those that ask to be folded: keep those
        fold = (cell.directives_ or {}).get('code-fold')
        if cell.cell_type == 'code' and fold is not None and 'false' not in fold: return
        rm_export(cell)
    keep_folded.__name__ = 'rm_export'
    procs.rm_export = keep_folded   # FilterDefaults looks the processor up when it runs (in this process: n_workers=0)
    try: return proc_nbs(str(nbs), n_workers=0, force=True)
    finally: procs.rm_export = rm_export

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
    sys.path.insert(0, str(root))   # the package of this repository, whatever else is installed
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
    folded = convert_code(_code('#| code-fold: true\n#| code-summary: "Plumbing: checks"\nx'))[0]['metadata']
    check(folded['mystnb']['code_prompt_show'] == 'Plumbing: checks (1 line)', f'code-summary {folded}')
    check(convert_code(_code('#| code-fold: show\nx'))[0]['metadata']['tags'] == ['fold-open', 'hide-input'], 'code-fold: show')
    check('hide-input' in convert_code(_code('\n'.join(f'x{i} = {i}' for i in range(LONG_CODE + 1))))[0]['metadata']['tags'],
          'long code folded')
    check(is_test_cell('test_eq(a, 1)\ntest_eq(b, 2)\ntest_close(c, 3)\nassert d') and not is_test_cell('x = 1\ntest_eq(x, 1)'),
          'a cell of checks')
    long_out = {'output_type': 'stream', 'name': 'stdout', 'text': 'a\n' * (LONG_OUTPUT + 1)}
    check('hide-output' in convert_code(_code('print(a)', long_out))[0]['metadata']['tags'], 'long output folded')
    png = {'output_type': 'display_data', 'data': {'image/png': 'iVBOR', 'text/plain': '<Figure>'}}
    fig = convert_code(_code("fig.suptitle('the ring'); ax.set_title(f'step {i}')", png))[0]['metadata']['mystnb']
    check(fig['image']['alt'] == 'Figure: the ring; step …' and fig['figure']['caption'] == 'the ring; step …', f'figure {fig}')
    check(_plain('the classifier $D^*$ and *its* logit $\\ell_{*}$') == 'the classifier $D^*$ and its logit $\\ell_{*}$', 'maths in alt text kept whole')
    fig = convert_code(_code("ax.set_title(f'step {i}')", png), 'Steps of the ring. More.')[0]['metadata']['mystnb']
    check(fig['image']['alt'] == 'Figure: Steps of the ring.', f'run-time titles give way to the prose {fig}')
    fig = convert_code(_code('#| fig-cap: "A ring"\nplot_ring()', png), 'The ring. More.')[0]['metadata']['mystnb']
    check(fig['figure']['caption'] == 'A ring' and fig['image']['alt'] == 'A ring', f'fig-cap {fig}')
    fig = convert_code(_code('plot_ring()', png), 'The ring of modes. More.')[0]['metadata']['mystnb']
    check(fig['image']['alt'] == 'Figure: The ring of modes.', f'alt from the prose {fig}')
    check(link_arxiv('see arXiv:1706.04987 and [arXiv:1511.05644](https://arxiv.org/abs/1511.05644), `arXiv:1`') ==
          'see [arXiv:1706.04987](https://arxiv.org/abs/1706.04987) and [arXiv:1511.05644](https://arxiv.org/abs/1511.05644),'
          ' `arXiv:1`', 'arXiv references as links, once')
    check(link_arxiv_html('<th>GDPP, arXiv:1812.00068</th><a href="x">arXiv:1812.00068</a>') == '<th>GDPP, <a href="https:'
          '//arxiv.org/abs/1812.00068">arXiv:1812.00068</a></th><a href="x">arXiv:1812.00068</a>', 'arXiv links in HTML')
    check(page_title({'title': 'Training'}, '06_training.ipynb') == '06 · Training' and
          page_title({'title': 'Home'}, 'index.ipynb') == 'Home', 'chapter numbers from the file name')
    import typing
    check(short_type(typing.Optional[int]) == 'Optional[int]' and short_type('torch.nn.modules.module.Module') == 'Module'
          and short_type(type(None)) == 'None', 'short type names')
    def f(x:int, # the x
          *shape:int, k:float=0.5)->float: "Doc with *shape"
    rows = api_params(f)
    check(rows == [('x', 'int', '', 'the x'), ('*shape', 'int', '', ''), ('k', 'float', '0.5', ''), ('return', 'float', '', '')],
          f'parameters {rows}')
    check(api_table(rows).splitlines()[0] == '| | **Type** | **Default** | **Details** |', 'parameter table')
    check(md_escape('draws *shape and `a*b`') == 'draws \\*shape and `a*b`', 'docstring escaped, code kept')
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
