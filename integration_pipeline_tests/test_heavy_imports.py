"""The heavy libraries imported ahead, on a thread, in a fresh interpreter (the test process
may have imported them already)."""

import subprocess
import sys

PROBE = """
import sys
from integration_pipeline.heavy_imports import HEAVY_MODULES, import_in_background
assert not any(module in sys.modules for module in HEAVY_MODULES)
thread = import_in_background()
thread.join(timeout=120)
print(all(module in sys.modules for module in HEAVY_MODULES), thread.name, thread.daemon)
"""


def test_the_heavy_libraries_are_imported_on_a_daemon_thread():
    probe = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True)
    assert probe.returncode == 0, probe.stderr[-2000:]
    imported, name, daemon = probe.stdout.split()
    assert (imported, name, daemon) == ("True", "heavy-imports", "True")
