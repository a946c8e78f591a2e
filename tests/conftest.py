import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from hubserver import hub_server  # noqa: E402,F401  (loopback Hub fixture: tests/hubserver.py)
