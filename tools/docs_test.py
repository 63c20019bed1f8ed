"""Open every page of the built site in headless Chromium, as a reader would, and fail on what would look broken.

Each page is served from a local HTTP server (as GitHub Pages serves it) and checked for: maths that MathJax did not
typeset, TeX left in the visible text, bars in the maths of a table, MathJax errors, images that did not load, links
to a missing page, file or anchor, requests that failed or left the site (a CDN), script errors, a missing sidebar,
and the chapter pages' "Open in Colab" and "Download notebook" links. It also searches the site from file://.

Then, on every page, at a phone's width (390x844) and a desktop's (1366x900), what a reader meets: the visible
navigation button opens the chapter list (and collapses it on a desktop); the page is no wider than the screen; no
inline maths is cut off; a display equation too wide for its box says it scrolls; every `interact` cell has a static
figure or a note under it; every API entry of the package has a parameter table (where it has parameters) and a
source link to its line, and no `__main__.` in it; every image has alt text, figures a caption and a click to enlarge;
tables scroll inside their box and their short cells do not wrap; `code-fold` cells are folded, long blocks too; one
search box; no "By Author name not set"; chapter numbers in the titles and the sidebar. It saves screenshots
(index, chapters 02, 06, 09 and 12, at both widths).

DOCS_TEST_ALLOW_BARE_INTERACT=1 reports `interact` cells with nothing under them without failing on them.

Usage: python tools/docs_test.py [SITE] [--screens DIR] [--pages a.html,b.html]   # SITE: _docs/; DIR: build/site-screens/
Chromium: $CHROMIUM, else chromium, google-chrome, chromium-browser or chrome on the PATH (Playwright drives it;
`playwright install` is not needed).
"""
import argparse, functools, html.parser, json, os, re, shutil, sys, tempfile, threading, time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

root = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(root/'tools'))
from docs import colab_url, site_url, sidebar_sections

CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update', '--disable-sync']
BROWSERS = ['chromium', 'google-chrome', 'google-chrome-stable', 'chromium-browser', 'chrome']
NOT_CONTENT = {'genindex.html', 'search.html'}   # pages Sphinx makes: checked, but hold no chapter
WIDTHS = {'phone': (390, 844), 'desktop': (1366, 900)}
# page: what to scroll to for a second screenshot (the first is the top of the page)
SCREENS = {'index.html': 'table', 'latent_variable_models.html': 'mjx-container[display="true"]',
           'alpha_gan.html': 'table', 'experiments.html': 'figure img', 'training.html': 'table.api-params'}
LONG_BLOCK = 40   # lines: a code or output block longer than this must be folded

def find_chromium()->str:
    "The Chromium (or Chrome) executable to drive"
    for c in [os.environ.get('CHROMIUM')] + BROWSERS:
        if c and (p := shutil.which(c)): return p
    sys.exit('no Chromium found: install it (Debian: apt-get install chromium) or set CHROMIUM to its path')

class _Ids(html.parser.HTMLParser):
    "Every id (and old-style anchor name) in an HTML page"
    def __init__(self): super().__init__(); self.ids = set()
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get('id'): self.ids.add(a['id'])
        if tag == 'a' and a.get('name'): self.ids.add(a['name'])

@functools.cache
def page_ids(path:Path)->frozenset:
    p = _Ids(); p.feed(path.read_text(errors='replace')); return frozenset(p.ids)

def serve(site:Path):
    "A local HTTP server for `site` on a free port, in a thread; returns (server, base URL)"
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *a): pass
    srv = ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f'http://127.0.0.1:{srv.server_address[1]}/'

# What the page shows, gathered in the browser once MathJax has finished.
PAGE_JS = r"""async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  const maths = [...document.querySelectorAll('.math')];
  const untypeset = maths.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.trim().slice(0, 80));
  // a bar in the maths of a table cell: markdown ends the cell at `|` and turns `\|` into `|`, so `\|` meant as a
  // norm (or `x|z`) comes out wrong; in tables, write \mid, \vert or \Vert
  const items = window.MathJax && MathJax.startup && MathJax.startup.document ? [...MathJax.startup.document.math] : [];
  const inTable = i => i.typesetRoot && i.typesetRoot.closest('td, th');
  const tablebars = items.filter(i => inTable(i) && /(^|[^\\])\|/.test(i.math)).map(i => i.math.slice(0, 80));
  const merrors = [...document.querySelectorAll('mjx-merror')]
      .map(e => (e.getAttribute('data-mjx-error') || e.textContent).slice(0, 120));
  const skip = 'pre, code, script, style, textarea, mjx-container, .highlight, .math';
  const texts = [];
  const walker = document.createTreeWalker(document.querySelector('main') || document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest(skip) || !el.offsetParent && getComputedStyle(el).position !== 'fixed') continue;
    texts.push(n.textContent);
  }
  const imgs = [...document.images].map(i => ({src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0}));
  const text = a => (a.textContent.trim() || a.rel || '').replace(/\s+/g, ' ').slice(0, 60);
  const links = [...document.querySelectorAll('a[href], link[href]')]
      .map(a => ({href: a.href, raw: a.getAttribute('href'), cls: a.className, text: text(a)}));
  const h1 = document.querySelector('main h1'), nav = document.querySelector('nav.bd-docs-nav');
  return {mathjax: !!window.MathJax, maths: maths.length, typeset: maths.length - untypeset.length, untypeset,
          tablebars, merrors, text: texts.join(' '), imgs, links,
          title: h1 ? h1.textContent.replace(/[\s¶#]+$/, '').trim() : '',
          sidebar: nav ? {captions: [...nav.querySelectorAll('.caption-text')].map(c => c.textContent.trim()),
                          hrefs: [...nav.querySelectorAll('a[href]')].map(a => a.href)} : null};
}"""

# Scroll to the first large element matching a selector, a little below the top of the window
SCROLL_JS = r"""sel => {
  const big = e => e.getBoundingClientRect().width > 300 && e.getBoundingClientRect().height > 100;
  const el = [...document.querySelectorAll(sel)].find(big) || document.querySelector(sel);
  if (el) window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 250);
}"""

# What a reader meets at the current width, gathered once MathJax has finished and the page's scripts have run.
READER_JS = r"""async ({entries: api, longBlock}) => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  await new Promise(r => setTimeout(r, 250));   // the site's script fits the maths after MathJax
  // the screen's width: a phone widens its layout to fit a page too wide (innerWidth grows), the screen does not
  const W = Math.min(window.innerWidth, document.documentElement.clientWidth, window.visualViewport ? visualViewport.width : 1e9);
  const main = document.querySelector('main') || document.body;
  const shown = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 &&
                       getComputedStyle(e).visibility !== 'hidden' && !e.closest('details:not([open]) > :not(summary)'); };
  const desc = e => (e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                     (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).slice(0, 2).join('.') : '') +
                     ' "' + (e.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 50) + '"');
  const scrollable = (e, stop) => { for (let a = e; a && a !== stop.parentElement; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX; if ((o === 'auto' || o === 'scroll') && a.scrollWidth > a.clientWidth) return true; }
    return false; };
  // the page's width: the widest elements that stick out of the window
  const width = Math.max(document.documentElement.scrollWidth, window.innerWidth);
  let wide = [];
  if (width > W + 1) {
    const clips = e => { for (let a = e.parentElement; a && a !== document.body; a = a.parentElement)
                           if (getComputedStyle(a).overflowX !== 'visible') return a.getBoundingClientRect().right <= W + 1;
                         return false; };
    for (const e of document.body.querySelectorAll('*')) {   // the outermost elements that stick out, not clipped
      const r = e.getBoundingClientRect();
      if (r.right > W + 1 && r.width > 0 && !clips(e) && !(e.parentElement && e.parentElement.getBoundingClientRect().right > W + 1))
        wide.push(`${desc(e)} reaches ${Math.round(r.right)} px`);
    }
  }
  // inline maths: its box inside its line's box, or in a box that scrolls
  const clipped = [];
  for (const m of main.querySelectorAll('mjx-container:not([display="true"])')) {
    if (!shown(m)) continue;
    const box = m.parentElement.closest('p, li, td, th, dd, dt, figcaption, caption, div');
    const r = m.getBoundingClientRect(), b = box.getBoundingClientRect();
    if ((r.right > b.right + 1 || r.left < b.left - 1) && !scrollable(m, box))
      clipped.push(`${(m.getAttribute('aria-label') || m.textContent).slice(0, 50)} (${Math.round(r.width)} px in ${Math.round(b.width)} px)`);
  }
  // display equations: they fit, or they scroll with the site's visible cue
  const uncued = [];
  for (const m of main.querySelectorAll('mjx-container[display="true"]')) {
    if (!shown(m)) continue;
    const box = m.closest('div.math') || m;
    const over = Math.max(m.scrollWidth - m.clientWidth, box.scrollWidth - box.clientWidth);
    const inner = m.firstElementChild, left = inner ? inner.getBoundingClientRect().left - box.getBoundingClientRect().left : 0;
    if ((over > 1 && !box.classList.contains('math-scroll')) || left < -1)   // wider than its box, or its start out of reach
      uncued.push((left < -1 ? `cut ${Math.round(-left)} px at the left: ` : '') + (m.getAttribute('aria-label') || m.textContent).slice(0, 50));
  }
  // images: alt text a reader can use (not empty, not a file name or a hash); figures with a caption
  const badAlt = [], noCaption = [];
  for (const i of main.querySelectorAll('img')) {
    const alt = (i.getAttribute('alt') || '').trim(), src = (i.getAttribute('src') || '').split('/').pop();
    if (!alt || /\.(png|jpe?g|svg|gif|webp)$/i.test(alt) || /^[0-9a-f]{16,}$/i.test(alt)) badAlt.push(`${src} (alt ${JSON.stringify(alt)})`);
    if (i.closest('.cell_output')) { const f = i.closest('figure'), c = f && f.querySelector('figcaption');
      if (!c || !c.textContent.trim()) noCaption.push(src); }
  }
  // interact cells: a static figure or a note under them (in their output or the next two blocks)
  const bareInteract = [];
  for (const c of main.querySelectorAll('div.cell')) {
    const code = c.querySelector('.cell_input');
    if (!code || !/(^|[^\w.])interact(_manual)?\s*\(|@interact/.test(code.textContent)) continue;
    const near = [c]; for (let n = c.nextElementSibling; n && near.length < 3 && !/^H\d$/.test(n.tagName); n = n.nextElementSibling) near.push(n);
    const ok = near.some(e => e.querySelector('.cell_output img, img, .widget-note') ||
                              /open the notebook/i.test(e.querySelector('.cell_output') ? e.querySelector('.cell_output').textContent : e === c ? '' : e.textContent));
    if (!ok) bareInteract.push(code.textContent.trim().split('\n').find(l => /interact(_manual)?\s*\(|@interact/.test(l)).slice(0, 80));
  }
  // API entries: a parameter table where the object has parameters, a source link, no `__main__.`
  const apiEntries = [];
  const heading = sec => { const h = sec.querySelector(':scope > h1, :scope > h2, :scope > h3, :scope > h4, :scope > h5');
                           return h ? h.textContent.replace(/[#¶\s]+$/, '').trim() : ''; };
  for (const a of api) {
    // the entry: the section headed by the object's name (ids can clash with prose headings: `Data`, `data`)
    const byId = document.getElementById(a.id);
    const named = [...main.querySelectorAll('section')].filter(s => heading(s) === a.name);
    if (byId && !named.length && heading(byId.closest('section') || byId) !== a.name) continue;
    const secs = named.length ? named : byId ? [byId.closest('section') || byId] : [];
    if (!secs.length) continue;
    const judge = sec => {
      const own = sel => [...sec.querySelectorAll(sel)].filter(e => e.closest('section') === sec);
      const table = own('table').some(t => /Type|Details/.test(t.querySelector('thead, tr') ? t.querySelector('thead, tr').textContent : ''));
      const text = [...sec.childNodes].filter(n => n.tagName !== 'SECTION').map(n => n.textContent).join(' ');
      const src = own('a').find(l => /\/blob\/[^/]+\/.+#L\d+$/.test(l.href));
      const why = [];
      if (a.params && !table) why.push('no parameter table');
      if (!src) why.push('no source link');
      if (/__main__\./.test(text)) why.push('`__main__.` in it');
      return {name: a.name, why: why.join(', '), src: src ? src.href : ''};
    };
    const verdicts = secs.map(judge);   // a prose section of the same name may come first: one entry must pass
    apiEntries.push(verdicts.find(v => !v.why) || verdicts[verdicts.length - 1]);
  }
  // tables: inside a box that scrolls when they are wider than it; short cells on one line
  const cutTables = [], wrapped = [];
  for (const t of main.querySelectorAll('table')) {
    if (!shown(t)) continue;
    const p = t.parentElement;
    // wider than its box: it must scroll, and say so (the site's `x-scrolls` mark under it)
    if (t.getBoundingClientRect().width > p.clientWidth + 1 && (!scrollable(t, main) || !t.closest('.x-scrolls')))
      cutTables.push(desc(t.querySelector('tr') || t) + (scrollable(t, main) ? ' (scrolls, with no sign of it)' : ''));
    for (const c of t.querySelectorAll('td, th')) {
      const txt = c.textContent.trim();
      if (!txt || txt.length > 24 || c.querySelector('mjx-container, img')) continue;
      const rg = document.createRange(); rg.selectNodeContents(c);
      const rs = [...rg.getClientRects()].filter(r => r.width > 0).sort((a, b) => a.top - b.top);
      let lines = 0, bottom = -1e9;   // a new line starts below the previous one's box
      for (const r of rs) if (r.top >= bottom - 2) { lines++; bottom = r.bottom; } else bottom = Math.max(bottom, r.bottom);
      if (lines > 1) wrapped.push(txt);
    }
  }
  // long blocks of code or output shown unfolded
  const walls = [];
  for (const pre of main.querySelectorAll('div.cell pre')) {
    if (!shown(pre)) continue;
    const n = pre.textContent.replace(/\n$/, '').split('\n').length;
    if (n > longBlock) walls.push(`${n} lines: ${pre.textContent.trim().split('\n')[0].slice(0, 60)}`);
  }
  const folded = main.querySelectorAll('div.cell details').length;
  // arXiv references a reader can follow: no `arXiv:NNNN.NNNNN` as plain text
  const arxivPlain = [];
  const tw = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  for (let n = tw.nextNode(); n; n = tw.nextNode())
    if (/arXiv:\s?\d{4}\.\d{4,5}/.test(n.textContent) && !n.parentElement.closest('a, code, pre, .math'))
      arxivPlain.push(n.textContent.match(/arXiv:\s?\d{4}\.\d{4,5}/)[0]);
  const searches = [...document.querySelectorAll('.search-button-field, button.search-button, form.bd-search input')].filter(shown).length;
  const nav = document.querySelector('nav.bd-docs-nav');
  const sideTitles = nav ? [...nav.querySelectorAll('a.reference')].map(a => [a.getAttribute('href'), a.textContent.trim()]) : [];
  return {W, width, wide: wide.slice(0, 3), clipped, uncued, badAlt, noCaption, bareInteract, apiEntries, cutTables,
          wrapped: [...new Set(wrapped)], walls, folded, searches, sideTitles, arxivPlain,
          author: /Author name not set/.test(document.body.textContent)};
}"""

# Tap the visible button that opens the chapter list; report what a reader then sees
NAV_JS = r"""() => {
  const vis = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
  const b = [...document.querySelectorAll('button.primary-toggle, .primary-toggle, label.sidebar-toggle')].find(vis);
  if (!b) return null;
  const r = b.getBoundingClientRect();
  return {x: r.left + r.width / 2, y: r.top + r.height / 2};
}"""
DRAWER_JS = r"""() => {
  const links = [...document.querySelectorAll('nav.bd-docs-nav a.reference')];
  const vis = links.filter(a => { const r = a.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= window.innerWidth + 1 && r.top >= 0 && r.bottom <= window.innerHeight; });
  const hits = a => { const r = a.getBoundingClientRect(), hit = document.elementFromPoint(r.left + Math.min(r.width / 2, 40), r.top + r.height / 2);
                      return !!hit && (hit === a || a.contains(hit)); };
  const others = vis.filter(a => !a.closest('li.current'));
  if (!vis.length) return {visible: 0, clickable: false};
  const a = others.find(hits) || others[0] || vis[0];   // a chapter's link that a tap reaches (the list may scroll under the search bar)
  return {visible: vis.length, clickable: hits(a), href: a.getAttribute('href')};
}"""

_tex = re.compile(r'\\[A-Za-z]{2,}|\\[()\[\]{}|]|\$[^$\n]{1,80}\$')

def tex_left(text:str)->list:
    "Snippets of visible text that look like TeX nobody typeset, one per place"
    out, end = [], -1
    for m in _tex.finditer(text):
        if m.start() < end: continue
        a, end = max(m.start() - 30, 0), m.end() + 30
        out.append(' '.join(text[a:end].split()))
    return out

def check_link(link:dict, base:str, site:Path, published:str)->str:
    "Why `link` is broken, or '' if it resolves; links to other sites are not reachable here and pass"
    href = link['href']
    if href.startswith(published + '/'): href = base + href[len(published)+1:]   # the published site: check it here
    if not href.startswith(base): return ''
    u = urlparse(href)
    target = site/(unquote(u.path[len(urlparse(base).path):]) or 'index.html')
    if target.is_dir(): target = target/'index.html'
    if not target.is_file(): return f'link to a missing file: {link["raw"]!r} ({link["text"]!r})'
    anchor = unquote(u.fragment)
    if anchor and target.suffix == '.html' and anchor not in page_ids(target):
        return f'link to a missing anchor: {link["raw"]!r} ({link["text"]!r}): {target.name} has no id {anchor!r}'
    return ''

def notebook_title(path:Path)->list:
    "The notebook's title (its first `# ` line), as a list of zero or one"
    cells = json.loads(path.read_text())['cells']
    return [l[2:].strip() for c in cells if c['cell_type'] == 'markdown'
            for l in ''.join(c['source']).splitlines() if l.startswith('# ')][:1]

def check_nb_links(info:dict, site:Path)->list:
    "A chapter page has one Colab link, in Colab's format, and one download link, to its notebook, which the site holds"
    colab = [l['raw'] for l in info['links'] if 'colab-link' in l['cls']]
    down = [l['raw'] for l in info['links'] if 'download-link' in l['cls']]
    if len(colab) != 1 or len(down) != 1:
        return [f'expected one "Open in Colab" and one "Download notebook" link, found {len(colab)} and {len(down)}']
    name, errs = Path(down[0]).name, []
    if down[0] != f'nbs/{name}' or not (site/'nbs'/name).is_file():
        return [f'the download link {down[0]!r} is not a notebook in the site']
    try: title = notebook_title(site/'nbs'/name)
    except Exception as e: return [f'nbs/{name} in the site is not a notebook ({e})']
    num = re.match(r'(\d+)_', name)
    want = [f'{num.group(1)} · {t}' for t in title] if num else title   # the chapter's number, from the file name
    if want != [info['title']]: errs.append(f'the page {info["title"]!r} links to nbs/{name}, whose title is {title}: '
                                            f'expected {want}')
    if colab[0] != colab_url(name): errs.append(f'Colab link {colab[0]!r}, expected {colab_url(name)!r}')
    if not (root/'nbs'/name).is_file(): errs.append(f'the Colab link opens nbs/{name}, which the repository lacks')
    return errs

def check_sidebar(sb:dict, content_pages:set, base:str)->list:
    "The sidebar has the sections of nbs/sidebar.yml, in order, and links to every page"
    if not sb: return ['no sidebar (nav.bd-docs-nav)']
    want = [c for c, _ in sidebar_sections() if c]
    errs = [] if sb['captions'] == want else [f'sidebar sections {sb["captions"]}, expected {want}']
    linked = {urlparse(h).path.rsplit('/', 1)[-1] or 'index.html' for h in sb['hrefs'] if h.startswith(base)}
    if missing := sorted(content_pages - linked): errs.append(f'sidebar lacks {", ".join(missing)}')
    return errs

def check_shown(info:dict, base:str)->list:
    "Maths, TeX and images, as the reader sees them"
    local = lambda url: url[len(base):] if url.startswith(base) else url
    if info['maths'] and not info['mathjax']: errs = [f'MathJax did not load: {info["maths"]} maths left untypeset']
    elif info['untypeset']: errs = [f'{len(info["untypeset"])} maths left untypeset, e.g. {info["untypeset"][0]!r}']
    else: errs = []
    errs += [f'MathJax error: {e!r}' for e in info['merrors'][:5]]
    errs += [f'a bar in the maths of a table (write \\mid, \\vert or \\Vert there): {t!r}' for t in info['tablebars'][:5]]
    errs += [f'TeX in the text: ...{s}...' for s in tex_left(info['text'])[:5]]
    return errs + [f'image did not load: {local(i["src"])}' for i in info['imgs'] if not i['ok']]

# --- what a reader meets, at each width ---

@functools.cache
def api_entries()->dict:
    "Page: [{id, name, params}] for every entry of the package's doc index (`_modidx.py`): where it is, if it has parameters"
    import importlib, inspect
    sys.path.insert(0, str(root))
    from alphagan_edu._modidx import d
    pages = {}
    for mod, syms in d['syms'].items():
        try: m = importlib.import_module(mod)
        except Exception: continue
        for full, (url, _) in syms.items():
            page, _, anchor = url.partition('#')
            obj = m
            try:
                for part in full[len(mod) + 1:].split('.'): obj = getattr(obj, part)
                obj = getattr(obj, 'fget', None) or obj
                params = [q for q in inspect.signature(obj).parameters if q not in ('self', 'cls')]
            except (AttributeError, TypeError, ValueError): params = []
            pages.setdefault(page, []).append({'id': anchor, 'name': full[len(mod) + 1:], 'params': bool(params)})
    return pages

def source_line_ok(href:str, name:str)->str:
    "Why a source link does not point at `name`'s definition in this repository, or ''"
    prefix = site_repo() + '/blob/main/'
    if not href.startswith(prefix): return f'source link {href} is not in {prefix}'
    path, _, line = href[len(prefix):].partition('#L')
    f = root/path
    if not f.is_file(): return f'source link to {path}, which the repository lacks'
    lines, n, last = f.read_text().splitlines(), int(line), name.split('.')[-1]
    near = lines[max(n - 1, 0):n + 4]
    if not any(re.match(rf'\s*(async\s+)?(def|class)\s+{re.escape(last)}\b', l) for l in near):
        return f'source link {path}#L{n} is not where {name} is defined'
    return ''

@functools.cache
def site_repo()->str:
    from docs import repo_url
    return repo_url()

def folds_asked(nb:Path)->int:
    "Cells of a notebook that ask to be folded (`#| code-fold: true` or `show`) and are not hidden"
    if not nb.is_file(): return 0
    n = 0
    for c in json.loads(nb.read_text())['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'code' and re.search(r'^#\|\s*code-fold:\s*(true|show)', src, re.M) \
           and not re.search(r'^#\|\s*(hide|include:\s*false)\b', src, re.M): n += 1
    return n

def check_reader(info:dict, width:str, name:str, notebook:str)->tuple:
    "(failures, warnings) from READER_JS's findings at one width"
    errs, warns, at = [], [], f'[{width}]'
    if info['width'] > info['W'] + 1:
        errs.append(f'{at} the page is {info["width"]} px wide in a {info["W"]} px window: ' + '; '.join(info['wide']))
    if info['clipped']:
        errs.append(f'{at} {len(info["clipped"])} inline maths cut off (wider than their line, nothing scrolls), '
                    f'e.g. {info["clipped"][0]}')
    if info['uncued']:
        errs.append(f'{at} {len(info["uncued"])} display equations overflow their box with no cue, e.g. {info["uncued"][0]!r}')
    if info['badAlt']: errs.append(f'{at} {len(info["badAlt"])} images without alt text, e.g. {info["badAlt"][0]}')
    if info['noCaption']: errs.append(f'{at} {len(info["noCaption"])} figures without a caption, e.g. {info["noCaption"][0]}')
    if info['bareInteract']:
        msg = (f'{at} {len(info["bareInteract"])} interact cells with no static figure or note under them: '
               + '; '.join(repr(c) for c in info['bareInteract']))
        (warns if os.environ.get('DOCS_TEST_ALLOW_BARE_INTERACT') else errs).append(msg)
    for why, what in (('no parameter table', 'API entries with parameters and no parameter table'),
                      ('no source link', 'API entries with no source link'),
                      ('`__main__.`', 'API entries with `__main__.` in their signature')):
        bad = [a['name'] for a in info['apiEntries'] if why in a['why']]
        if bad: errs.append(f'{at} {len(bad)} {what}: ' + ', '.join(bad[:6]) + (' ...' if len(bad) > 6 else ''))
    if width == 'desktop':
        srcs = [w for a in info['apiEntries'] if a['src'] and (w := source_line_ok(a['src'], a['name']))]
        if srcs: errs.append(f'{len(srcs)} source links miss their definition, e.g. {srcs[0]}')
    if info['cutTables']: errs.append(f'{at} {len(info["cutTables"])} tables wider than their box, cut off or scrolling unannounced: {info["cutTables"][0]}')
    if info['wrapped']: errs.append(f'{at} short table cells wrapped over lines: ' + ', '.join(map(repr, info['wrapped'][:5])))
    if info['walls']: errs.append(f'{at} {len(info["walls"])} blocks over {LONG_BLOCK} lines shown unfolded, e.g. {info["walls"][0]}')
    if notebook and (asked := folds_asked(root/'nbs'/notebook)) > info['folded']:
        errs.append(f'{at} {notebook} asks for {asked} folded cells (code-fold); the page has {info["folded"]} folds')
    if info['searches'] != 1 and name != 'search.html':   # the search page has its own field besides
        errs.append(f'{at} {info["searches"]} search boxes shown, expected one')
    if info['author']: errs.append(f'{at} "By Author name not set" on the page')
    if info['arxivPlain'] and width == 'desktop':
        errs.append(f'{len(info["arxivPlain"])} arXiv references as plain text, not links: {", ".join(info["arxivPlain"][:4])}')
    unnumbered = [t for h, t in info['sideTitles'] if h not in ('#', 'index.html', '') and not re.match(r'\d+ · ', t)]
    if width == 'desktop' and unnumbered: errs.append(f'sidebar entries without a chapter number: {unnumbered[:3]}')
    return errs, warns

def drawer_after(page, want, ms:int=2500)->dict:
    "What DRAWER_JS sees once `want(state)` holds, or after `ms` (the sidebar slides: give it time)"
    page.mouse.move(page.viewport_size['width'] // 2, page.viewport_size['height'] - 5)   # the finger lifts: no tooltip
    for _ in range(ms // 100):
        state = page.evaluate(DRAWER_JS)
        if want(state): return state
        page.wait_for_timeout(100)
    return state

def check_nav(page, width:str)->list:
    "Tap the visible navigation button: on a phone the chapter list opens, clickable; on a desktop the sidebar collapses and returns"
    at, pt = f'[{width}]', page.evaluate(NAV_JS)
    if not pt: return [f'{at} no visible navigation button']
    if width == 'desktop':
        before = drawer_after(page, lambda s: s['clickable'])   # a page still settling (the sidebar scrolls to the current chapter)
        page.mouse.click(pt['x'], pt['y'])
        hidden = drawer_after(page, lambda s: not s['visible'])
        page.wait_for_timeout(300)
        pt = page.evaluate(NAV_JS) or pt   # the button moves with the sidebar
        page.mouse.click(pt['x'], pt['y'])
        after = drawer_after(page, lambda s: s['clickable'])
        errs = [] if before['clickable'] else [f'{at} the chapter list is not visible and clickable']
        if hidden['visible']: errs.append(f'{at} the navigation button did not collapse the sidebar')
        if not after['clickable']: errs.append(f'{at} a second tap did not bring the chapter list back')
        return errs
    page.mouse.click(pt['x'], pt['y'])
    shown = drawer_after(page, lambda s: s['clickable'])
    if not shown['visible']: return [f'{at} tapping the navigation button did not open the chapter list']
    if not shown['clickable']: return [f'{at} the chapter list opened but its links cannot be tapped (covered)']
    page.keyboard.press('Escape'); page.wait_for_timeout(200)
    return []

def check_zoom(page)->list:
    "A click on the first figure shows it full size"
    imgs = page.locator('main .cell_output img')
    if not imgs.count(): return []
    first = imgs.first
    first.scroll_into_view_if_needed(); first.click(); page.wait_for_timeout(300)
    big = page.evaluate("""() => { const d = document.querySelector('dialog[open]'), i = d && d.querySelector('img');
                                   return i ? {w: i.getBoundingClientRect().width, n: i.naturalWidth} : null; }""")
    page.keyboard.press('Escape')
    if not big: return ['a click on a figure does not enlarge it']
    return []

def check_reader_page(ctx, name:str, base:str, width:str, screens:Path)->tuple:
    "(failures, warnings) for one page at one width, and its screenshots"
    errs = []
    page = open_page(ctx, base + name, base, errs)
    info = page.evaluate(READER_JS, {'entries': api_entries().get(name, []), 'longBlock': LONG_BLOCK})
    notebook = next((Path(urlparse(l['href']).path).name for l in page.evaluate(
        "() => [...document.querySelectorAll('a.download-link')].map(a => ({href: a.href}))")), '')
    bad, warns = check_reader(info, width, name, notebook)
    if name in SCREENS:
        stem = f'{name.removesuffix(".html")}-{WIDTHS[width][0]}'
        page.screenshot(path=str(screens/f'{stem}.png'))
        page.evaluate(SCROLL_JS, SCREENS[name]); page.wait_for_timeout(100)
        page.screenshot(path=str(screens/f'{stem}-b.png'))
        page.evaluate('window.scrollTo(0, 0)')
    bad += check_nav(page, width)
    if name in SCREENS and width == 'phone':
        pt = page.evaluate(NAV_JS)
        if pt: page.mouse.click(pt['x'], pt['y']); page.wait_for_timeout(400)
        page.screenshot(path=str(screens/f'{name.removesuffix(".html")}-390-nav.png'))
        page.keyboard.press('Escape')
    if width == 'desktop': bad += check_zoom(page)
    page.close()
    return errs + bad, warns

def open_page(ctx, url:str, base:str, errs:list):
    "A new page at `url`, whose script errors and failed requests go to `errs`"
    page = ctx.new_page()
    page.on('console', lambda m: m.type == 'error' and errs.append(f'console error: {m.text[:200]}'))
    page.on('pageerror', lambda e: errs.append(f'script error: {str(e)[:200]}'))
    page.on('requestfailed', lambda r: r.url.startswith(base) and errs.append(
        f'request failed: {r.url[len(base):]} ({r.failure})'))
    page.on('response', lambda r: r.status >= 400 and errs.append(f'HTTP {r.status} for {r.url[len(base):]}'))
    page.goto(url, wait_until='load')
    return page

def check_page(ctx, name:str, base:str, site:Path, content_pages:set, screens:Path)->tuple:
    "(failures, counts) for one page"
    errs = []
    page = open_page(ctx, base + name, base, errs)
    info = page.evaluate(PAGE_JS)
    errs += check_shown(info, base)
    errs += sorted({e for l in info['links'] if (e := check_link(l, base, site, site_url()))})
    errs += check_sidebar(info['sidebar'], content_pages, base)
    if name in content_pages: errs += check_nb_links(info, site)
    page.close()
    return errs, {'maths': info['typeset'], 'images': sum(i['ok'] for i in info['imgs']), 'links': len(info['links'])}

def check_search(ctx, site:Path)->list:
    "The search page, opened from the disk (file://), finds an exported function and links to its page"
    page = ctx.new_page()
    page.goto((site/'search.html').as_uri() + '?q=kl_gaussian', wait_until='load')
    try: page.wait_for_selector('#search-results li a', timeout=15000)
    except Exception: return ['search for "kl_gaussian" found nothing']
    hrefs = page.eval_on_selector_all('#search-results li a', 'as => as.map(a => a.getAttribute("href"))')
    page.close()
    if any(h.startswith('divergences.html') for h in hrefs): return []
    return [f'search for "kl_gaussian" did not find divergences.html: {hrefs[:5]}']

def report(name:str, errs:list, warns:list, counts, failures:dict, warned:dict):
    tail = ': ' + ', '.join(f'{v} {k}' for k, v in counts.items()) if counts else ''
    print(f'{"FAIL" if errs else "ok  "} {name}{tail}')
    for e in errs: print(f'       {e}')
    for w in warns: print(f'       warning: {w}')
    if errs: failures[name] = errs
    if warns: warned[name] = warns

def check_inventory(site:Path)->list:
    "objects.inv lists the package's objects (for intersphinx), and the general index, if the pages link to it, has entries"
    import posixpath
    from sphinx.util.inventory import InventoryFile
    if not (site/'objects.inv').is_file(): return ['no objects.inv']
    with open(site/'objects.inv', 'rb') as f: inv = InventoryFile.load(f, '', posixpath.join)
    data = getattr(inv, 'data', inv)
    py = {name: item for kind, items in data.items() if kind.startswith('py:') for name, item in items.items()}
    errs = [] if py else ['objects.inv lists no Python objects (an API reference should, for intersphinx)']
    uri = lambda item: item.uri if hasattr(item, 'uri') else item[2]
    broken = [n for n, item in py.items() if (p := uri(item).partition('#'))[2] and
              (not (site/p[0]).is_file() or p[2] not in page_ids(site/p[0]))]
    if broken: errs.append(f'objects.inv points {len(broken)} objects at no anchor, e.g. {broken[:3]}')
    gi = site/'genindex.html'
    if gi.is_file() and any('genindex.html' in p.read_text() for p in site.glob('*.html') if p.name != 'genindex.html'):
        table = re.search(r'<table[^>]*class="indextable.*?</table>', gi.read_text(), re.S)
        if not table or '<a href' not in table.group(0): errs.append('the pages link to genindex.html, which is empty')
    return errs

def run(site:Path, screens:Path, only:list=None)->int:
    from playwright.sync_api import sync_playwright
    pages = sorted(p.name for p in site.glob('*.html'))
    if 'index.html' not in pages: sys.exit(f'{site} holds no built site (no index.html): run python tools/docs.py')
    if only: pages = [p for p in pages if p in only]
    content = {p.name for p in site.glob('*.html')} - NOT_CONTENT
    screens.mkdir(parents=True, exist_ok=True)
    srv, base = serve(site)
    t0, failures, warned, totals, outside = time.time(), {}, {}, {'maths': 0, 'images': 0, 'links': 0}, []
    def refuse(route):   # nothing may come from outside the site: no CDN, no fonts from the internet
        outside.append(route.request.url[:120]); route.abort()
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        w, h = WIDTHS['desktop']
        ctx = pw.chromium.launch_persistent_context(profile, executable_path=find_chromium(), args=CHROMIUM_ARGS,
                                                    viewport={'width': w, 'height': h})
        ctx.route(re.compile(r'^(?!' + re.escape(base) + '|file:).*'), refuse)
        for name in pages:
            errs, counts = check_page(ctx, name, base, site, content, screens)
            more, warns = check_reader_page(ctx, name, base, 'desktop', screens)
            errs += more
            for k in totals: totals[k] += counts[k]
            report(name, errs, warns, counts, failures, warned)
        ctx.close()
        # the phone: a second browser window, 390 px wide
        ctx = pw.chromium.launch_persistent_context(profile, executable_path=find_chromium(), args=CHROMIUM_ARGS,
                                                    viewport=dict(zip(('width', 'height'), WIDTHS['phone'])), device_scale_factor=2,
                                                    is_mobile=True, has_touch=True)
        ctx.route(re.compile(r'^(?!' + re.escape(base) + '|file:).*'), refuse)
        for name in pages:
            errs, warns = check_reader_page(ctx, name, base, 'phone', screens)
            report(name + ' (390 px)', errs, warns, None, failures, warned)
        if errs := check_inventory(site): failures['index'] = errs; print(f'FAIL index: {"; ".join(errs)}')
        else: print('ok   objects.inv lists the API; the general index has entries')
        if errs := check_search(ctx, site): failures['search'] = errs; print(f'FAIL search: {errs[0]}')
        else: print('ok   search, from file://, finds kl_gaussian in divergences.html')
        ctx.close()
    srv.shutdown()
    for url in outside: print(f'FAIL request outside the site: {url}')
    if outside: failures['requests outside the site'] = outside
    print(f'\nsite test: {len(pages)} pages, {totals["maths"]} maths typeset, {totals["images"]} images loaded, '
          f'{totals["links"]} links checked, in {time.time()-t0:.0f} s; screenshots in {screens}')
    if warned: print(f'site test: warnings (not failures) on {", ".join(warned)}')
    if failures: print(f'site test FAILED: {", ".join(failures)}')
    return 1 if failures else 0

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('site', nargs='?', default=str(root/'_docs'))
    ap.add_argument('--screens', default=str(root/'build'/'site-screens'))
    ap.add_argument('--pages', default='', help='only these pages, comma-separated (e.g. index.html,training.html)')
    a = ap.parse_args()
    sys.exit(run(Path(a.site).resolve(), Path(a.screens).resolve(), [p for p in a.pages.split(',') if p]))
