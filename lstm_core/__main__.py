import sys

from lstm_core.cli.main import main

sys.exit(main())
