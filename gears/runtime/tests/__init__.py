"""Unit tests of the gears runtime.

They run both as ``python3 -m unittest discover gears/runtime/tests`` and,
as the Makefile does, as package ``tests`` with ``-t gears/runtime``; the
test modules import their helpers as the top-level module ``support``.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
