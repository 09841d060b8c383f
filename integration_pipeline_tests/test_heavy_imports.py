"""The heavy libraries imported ahead, on a thread, in a fresh interpreter (the test process
may have imported them already): only once armed, and only once."""

import subprocess
import sys

PROBE = """
import sys
from integration_pipeline import heavy_imports
from integration_pipeline.heavy_imports import HEAVY_MODULES
assert not heavy_imports.armed() and heavy_imports.warm_up() is None  # a multi-process step
heavy_imports.arm()
assert heavy_imports.armed()
thread = heavy_imports.warm_up()
assert heavy_imports.warm_up() is thread
thread.join(timeout=120)
print(all(module in sys.modules for module in HEAVY_MODULES), thread.name, thread.daemon)
"""


def test_the_heavy_libraries_are_imported_on_one_daemon_thread_once_armed():
    probe = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True)
    assert probe.returncode == 0, probe.stderr[-2000:]
    imported, name, daemon = probe.stdout.split()
    assert (imported, name, daemon) == ("True", "heavy-imports", "True")
