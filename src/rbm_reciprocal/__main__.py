import sys

from rbm_reciprocal.cli import main

sys.exit(main())
