// The site's behaviour beyond the theme's: navigation buttons that work at every width, maths that fits or says it
// scrolls, wide tables that scroll in their box, figures that open full size, folds that honour `code-fold: show`.
(() => {
  const ready = f => document.readyState === 'loading' ? document.addEventListener('DOMContentLoaded', f) : f();

  // The theme wires its handlers to the first `.primary-toggle` / `.secondary-toggle` only, a button hidden at
  // every width; the visible ones (in the article's header) pass their click on to it.
  function navButtons() {
    for (const kind of ['primary', 'secondary']) {
      const [first, ...others] = document.querySelectorAll(`.${kind}-toggle`);
      for (const b of others) b.addEventListener('click', e => {
        e.preventDefault(); e.stopPropagation(); first.click();
        b.blur();   // its tooltip follows focus: it would stay over the sidebar it opened
      });
    }
  }

  // Maths wider than its line: inline formulas scroll in their own box, display equations shrink to fit when a
  // little too wide, and otherwise scroll with a visible cue (a shadow and a "scroll" mark).
  function fitMaths() {
    for (const m of document.querySelectorAll('mjx-container:not([display="true"])')) {
      m.classList.remove('math-wide');
      const box = m.parentElement && m.parentElement.closest('p, li, td, th, dd, dt, div, figcaption, caption');
      if (box && m.getBoundingClientRect().width > box.clientWidth + 1) m.classList.add('math-wide');
    }
    for (const m of document.querySelectorAll('mjx-container[display="true"]')) {
      const box = m.closest('div.math') || m;
      m.style.fontSize = ''; box.classList.remove('math-scroll', 'math-fitted');
      const over = m.scrollWidth / Math.max(box.clientWidth, 1);
      if (over <= 1.01) continue;
      if (over <= 1.3) { m.style.fontSize = `${Math.floor(100 / over) - 1}%`; box.classList.add('math-fitted'); }
      if (m.scrollWidth > box.clientWidth + 1) { m.style.fontSize = ''; box.classList.add('math-scroll'); }
    }
  }

  // Tables: every table scrolls inside a box of its own; short cells (numbers, names) never wrap.
  function tables() {
    for (const t of document.querySelectorAll('main table')) {
      const p = t.parentElement;
      if (!p.classList.contains('table-scroll') && !p.classList.contains('pst-scrollable-table-container')) {
        const w = document.createElement('div'); w.className = 'table-scroll';
        p.insertBefore(w, t); w.appendChild(t);
      }
      for (const c of t.querySelectorAll('td, th')) {
        const n = c.textContent.trim().length;
        if (n <= 24) c.classList.add('short-cell'); else if (n > 100) c.classList.add('long-cell');   // a paragraph: room to read
      }
    }
    markScrolling();
  }

  // a table wider than its box says that it scrolls
  function markScrolling() {
    for (const w of document.querySelectorAll('main .table-scroll, main .pst-scrollable-table-container, main .output.text_html'))
      w.classList.toggle('x-scrolls', w.scrollWidth > w.clientWidth + 1);
  }

  // Figures: a click opens the image at its full size, in a window of its own (scrollable on a phone).
  function zoom() {
    const dlg = document.createElement('dialog'); dlg.className = 'zoom-dialog';
    dlg.innerHTML = '<button class="zoom-close" aria-label="Close">×</button>';
    document.body.appendChild(dlg);
    const big = document.createElement('img');   // added when a figure opens: no image without a source on the page
    dlg.addEventListener('click', e => { if (e.target !== big) dlg.close(); });
    dlg.addEventListener('close', () => big.remove());
    for (const img of document.querySelectorAll('main .cell_output img, main figure img')) {
      img.classList.add('zoomable'); img.title = 'Click to enlarge'; img.tabIndex = 0;
      const open = () => { big.src = img.currentSrc || img.src; big.alt = img.alt; dlg.appendChild(big); dlg.showModal(); };
      img.addEventListener('click', open);
      img.addEventListener('keydown', e => { if (e.key === 'Enter') open(); });
    }
  }

  function folds() {
    for (const d of document.querySelectorAll('.tag_fold-open details.above-input')) d.open = true;
  }

  ready(() => {
    navButtons(); tables(); zoom(); folds();
    const maths = () => { const p = window.MathJax && MathJax.startup && MathJax.startup.promise; const f = () => { fitMaths(); markScrolling(); }; p ? p.then(f) : f(); };
    document.readyState === 'complete' ? maths() : addEventListener('load', maths);   // MathJax loads async
    let t; addEventListener('resize', () => { clearTimeout(t); t = setTimeout(() => { fitMaths(); markScrolling(); }, 150); });
  });
})();
