"""Sphinx configuration of the documentation site; `python tools/docs.py` writes the sources and runs Sphinx with it."""
import re, sys, unicodedata
from pathlib import Path
from docutils import nodes
from sphinx.transforms import SphinxTransform

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from docs import repo_url, site_url, src   # tools/docs.py

project = 'alphagan-edu'
html_title = 'alphagan-edu'
copyright = 'alphagan-edu contributors, Apache-2.0'
extensions = ['myst_nb']
exclude_patterns = ['_static/**', '**.md']   # pages come from notebooks only; other files are data

# MyST-NB: the notebooks keep their saved outputs; nothing is executed, nothing is fetched
nb_execution_mode = 'off'
nb_render_markdown_format = 'myst'     # markdown outputs as the page's own markdown (maths, tables)
nb_ipywidgets_js = {}                  # no widget scripts from a CDN: a static page cannot run a widget
nb_merge_streams = True
myst_enable_extensions = ['dollarmath', 'amsmath', 'colon_fence', 'attrs_block', 'attrs_inline']
myst_dmath_double_inline = True        # `$$...$$` inside a paragraph is display maths, as in Quarto
myst_all_links_external = True         # links stay as written (`divergences.html#kl_mc`); the browser test checks them
suppress_warnings = ['myst.header']    # API entries (`###`) may follow the page title directly, as in Quarto

# maths: MathJax 3, bundled with the site (tools/docs.py copies it into _static/mathjax)
mathjax_path = 'mathjax/tex-chtml.js'

html_theme = 'sphinx_book_theme'
html_static_path = [str(src/'_static')]
html_css_files = ['styles.css']
html_copy_source = False
html_show_sourcelink = False
html_baseurl = site_url() + '/'
html_theme_options = {
    'repository_url': repo_url(), 'use_repository_button': True, 'repository_branch': 'main',
    'use_download_button': False, 'use_fullscreen_button': False,
    'home_page_in_toc': True, 'show_toc_level': 2, 'navigation_with_keys': False,
}
html_context = {'default_mode': 'light'}

def pandoc_id(title:str)->str:
    "The id pandoc (so Quarto) gives a heading: alphanumerics and `_-.`, spaces as hyphens, lower case, from a letter"
    kept = ''.join(c for c in unicodedata.normalize('NFC', title) if c.isalnum() or c in '_-. \t\n')
    s = '-'.join(kept.lower().split())
    first_letter = next((i for i, c in enumerate(s) if c.isalpha()), len(s))
    return s[first_letter:] or 'section'

class QuartoHeadingIds(SphinxTransform):
    "Give each section, first, the id Quarto would, so that links written for the Quarto site resolve here"
    default_priority = 900
    def apply(self, **kwargs):
        seen = {}
        for sec in self.document.findall(nodes.section):
            base = pandoc_id(sec[0].astext())
            n = seen.get(base, 0); seen[base] = n + 1
            pid = base if n == 0 else f'{base}-{n}'
            if pid in sec['ids']: sec['ids'].remove(pid)
            elif pid in self.document.ids: continue
            sec['ids'].insert(0, pid); self.document.ids[pid] = sec

def setup(app):
    app.add_transform(QuartoHeadingIds)
