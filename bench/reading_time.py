"""Words of prose (markdown cells) per chapter, and reading times at 150 words a minute.

python bench/reading_time.py            # print the table, and the words from chapter 00 to a trained alpha-GAN (00-09)
python bench/reading_time.py --write    # also write each chapter's "**Reading time:** about N minutes (W words)."
python bench/reading_time.py --check    # fail if a chapter's stated reading time is out of date"""
import json, math, re, sys
from pathlib import Path

WPM = 150                                                        # words of technical prose a minute
STAMP = re.compile(r"\*\*Reading time:\*\* about \d+ minutes? \([\d,]+ words\)\.")
NBS = Path(__file__).resolve().parent.parent / 'nbs'

def words(nb:dict)->int:
    "Whitespace-separated words in the markdown cells of a notebook"
    return sum(len(''.join(c['source']).split()) for c in nb['cells'] if c['cell_type'] == 'markdown')

def stamp(n:int)->str:
    m = max(1, math.ceil(n / WPM / 5) * 5)                       # rounded up to 5 minutes
    return f"**Reading time:** about {m} minutes ({n:,} words)."

def restamp(nb:dict)->bool:
    "Write the reading time into the chapter's opening; True if it changed"
    new, changed = stamp(words(nb)), False
    for c in nb['cells']:
        s = ''.join(c['source'])
        if c['cell_type'] == 'markdown' and STAMP.search(s) and STAMP.search(s).group() != new:
            c['source'] = STAMP.sub(new, s).splitlines(keepends=True); changed = True
    return changed

def main(args):
    total, stale = 0, []
    for path in sorted(NBS.glob('[0-9][0-9]_*.ipynb')):
        nb = json.loads(path.read_text())
        n = words(nb); total += n if path.name[:2] <= '09' else 0
        if ('--write' in args or '--check' in args) and restamp(nb):
            stale.append(path.name)
            if '--write' in args: path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
        print(f"{path.name:40s} {n:6,d} words, about {max(1, math.ceil(n / WPM / 5) * 5)} minutes")
    print(f"chapters 00-09 (to a trained alpha-GAN): {total:,} words")
    if '--check' in args and stale: sys.exit(f"out of date: {', '.join(stale)} (run python bench/reading_time.py --write)")

if __name__ == '__main__': main(sys.argv[1:])
