"""Sphinx configuration of the documentation site; `python tools/docs.py` writes the sources and runs Sphinx with it."""
import re, sys, unicodedata
from pathlib import Path
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.util.docutils import SphinxDirective

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
html_static_path = [str(src/'_static'), str(Path(__file__).parent/'static')]
html_css_files = ['styles.css', 'site.css']
html_js_files = ['site.js']
html_sidebars = {'**': ['navbar-logo.html', 'icon-links.html', 'sbt-sidebar-nav.html']}   # one search: the header's
html_copy_source = False
html_show_sourcelink = False
html_baseurl = site_url() + '/'
html_theme_options = {
    'repository_url': repo_url(), 'use_repository_button': True, 'repository_branch': 'main',
    'use_download_button': False, 'use_fullscreen_button': False,
    'home_page_in_toc': True, 'show_toc_level': 2, 'navigation_with_keys': False,
    'footer_content_items': ['copyright.html', 'last-updated.html'],   # no "By <author>"
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
        for i, sec in enumerate(self.document.findall(nodes.section)):
            if i == 0:   # the page's title: Quarto puts it in a title block, so its id is free for a section
                for x in sec['ids']:
                    if self.document.ids.get(x) is sec: del self.document.ids[x]
                sec['ids'] = ['title-block-header']
                self.document.ids['title-block-header'] = sec
                continue
            base = pandoc_id(sec[0].astext())
            n = seen.get(base, 0); seen[base] = n + 1
            pid = base if n == 0 else f'{base}-{n}'
            if pid in sec['ids']: sec['ids'].remove(pid)
            elif pid in self.document.ids: continue
            sec['ids'].insert(0, pid); self.document.ids[pid] = sec

class ApiObject(SphinxDirective):
    """An API entry's anchor, index entry and source link: `{api-object} package.module.name` with `:kind:` and
    `:source:`. It enters the object in the Python domain, so that `objects.inv` lists it and the index finds it."""
    required_arguments = 1
    option_spec = {'kind': directives.unchanged, 'source': directives.unchanged}
    def run(self):
        full, kind = self.arguments[0], self.options.get('kind', 'function')
        module, _, qual = full.rpartition('.')
        while module.count('.') > 1 and module.rpartition('.')[2][:1].isupper():   # a method: Class in the path
            module, _, head = module.rpartition('.'); qual = f'{head}.{qual}'
        target = nodes.target('', '', ids=[full])
        self.state.document.note_explicit_target(target)
        py = self.env.get_domain('py')
        if full not in py.objects:
            py.note_object(full, kind, full, location=self.get_location())
        entry = f'{qual} ({kind} in {module})' if kind != 'class' else f'{qual} (class in {module})'
        index = addnodes.index(entries=[('single', entry, full, '', None)])
        out = [index, target]
        if src := self.options.get('source'):
            ref = nodes.reference('', 'source', refuri=src, classes=['api-source'])
            out.append(nodes.paragraph('', '', ref, classes=['api-source-line']))
        return out

def setup(app):
    app.add_directive('api-object', ApiObject)
    app.add_transform(QuartoHeadingIds)
