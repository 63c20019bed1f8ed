"`python -m alphagan_edu ...`: the command line, as `alphagan-edu ...` (see `alphagan_edu.cli`)"
import sys
from alphagan_edu.cli import main

if __name__ == '__main__': sys.exit(main())
