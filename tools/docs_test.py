"""Open every page of the built site in headless Chromium, as a reader would, and fail on what would look broken.

Each page is served from a local HTTP server (as GitHub Pages serves it) and checked for: maths that MathJax did not
typeset, TeX left in the visible text, bars in the maths of a table, MathJax errors, images that did not load, links
to a missing page, file or anchor, requests that failed or left the site (a CDN), script errors, a missing sidebar,
and the chapter pages' "Open in Colab" and "Download notebook" links. It also searches the site from file://, and
saves screenshots of three pages.

Usage: python tools/docs_test.py [SITE] [--screens DIR]   # SITE: _docs/ by default; DIR: build/site-screens/
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
SCREENS = {'index.html': None, 'divergences.html': 'div.math', 'experiments.html': 'img'}   # page: what to show

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
  const big = e => e.getBoundingClientRect().width > 400 && e.getBoundingClientRect().height > 250;
  const el = [...document.querySelectorAll(sel)].find(big) || document.querySelector(sel);
  if (el) window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 250);
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
    if title != [info['title']]: errs.append(f'the page {info["title"]!r} links to nbs/{name}, whose title is {title}')
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
    if name in SCREENS:
        if SCREENS[name]: page.evaluate(SCROLL_JS, SCREENS[name])
        page.screenshot(path=str(screens/name.replace('.html', '.png')))
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

def run(site:Path, screens:Path)->int:
    from playwright.sync_api import sync_playwright
    pages = sorted(p.name for p in site.glob('*.html'))
    if 'index.html' not in pages: sys.exit(f'{site} holds no built site (no index.html): run python tools/docs.py')
    content = set(pages) - NOT_CONTENT
    screens.mkdir(parents=True, exist_ok=True)
    srv, base = serve(site)
    t0, failures, totals, outside = time.time(), {}, {'maths': 0, 'images': 0, 'links': 0}, []
    def refuse(route):   # nothing may come from outside the site: no CDN, no fonts from the internet
        outside.append(route.request.url[:120]); route.abort()
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        ctx = pw.chromium.launch_persistent_context(profile, executable_path=find_chromium(), args=CHROMIUM_ARGS,
                                                    viewport={'width': 1280, 'height': 900})
        ctx.route(re.compile(r'^(?!' + re.escape(base) + '|file:).*'), refuse)
        for name in pages:
            errs, counts = check_page(ctx, name, base, site, content, screens)
            for k in totals: totals[k] += counts[k]
            print(f'{"FAIL" if errs else "ok  "} {name}: ' + ', '.join(f'{v} {k}' for k, v in counts.items()))
            for e in errs: print(f'       {e}')
            if errs: failures[name] = errs
        if errs := check_search(ctx, site): failures['search'] = errs; print(f'FAIL search: {errs[0]}')
        else: print('ok   search, from file://, finds kl_gaussian in divergences.html')
        ctx.close()
    srv.shutdown()
    for url in outside: print(f'FAIL request outside the site: {url}')
    if outside: failures['requests outside the site'] = outside
    print(f'\nsite test: {len(pages)} pages, {totals["maths"]} maths typeset, {totals["images"]} images loaded, '
          f'{totals["links"]} links checked, in {time.time()-t0:.0f} s; screenshots in {screens}')
    if failures: print(f'site test FAILED: {", ".join(failures)}')
    return 1 if failures else 0

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('site', nargs='?', default=str(root/'_docs'))
    ap.add_argument('--screens', default=str(root/'build'/'site-screens'))
    a = ap.parse_args()
    sys.exit(run(Path(a.site).resolve(), Path(a.screens).resolve()))
