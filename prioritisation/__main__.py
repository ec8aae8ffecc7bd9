import sys

from prioritisation.cli import main

sys.exit(main())
