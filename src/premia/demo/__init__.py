"""`premia demo`: a book of business simulated through Premia's own services, for the console to show.

README.md in this folder describes the story and its options; :func:`run_demo` runs it.
"""

from premia.demo.script import DemoOptions, DemoResult, run_demo

__all__ = ["DemoOptions", "DemoResult", "run_demo"]
