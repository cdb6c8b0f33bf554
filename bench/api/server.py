"""The API app for the benchmark server, configured from the environment like `premia serve`.

uvicorn imports ``app`` from here in each worker process. ``BENCH_JOBS_DIR`` sets the
folder for uploaded import files (none are uploaded by the benchmark).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from premia.infra.settings import load_settings
from premia.interfaces.api.app import create_app

app = create_app(load_settings(), jobs_dir=Path(os.environ.get("BENCH_JOBS_DIR") or tempfile.mkdtemp(prefix="premia-bench-jobs-")))
