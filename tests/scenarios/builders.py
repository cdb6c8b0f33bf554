"""Load the integration tests' conftests, so scenario stories reuse their builders and fixtures."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

INTEGRATION = Path(__file__).resolve().parents[1] / "integration"


def load_conftest(name: str, path: Path) -> ModuleType:
    """Load a conftest under the module name pytest gives it, so both share one module object."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
