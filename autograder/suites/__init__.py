"""autograder.suites.<module>: the suites of each discovered assignment, kept in course/<id>/suites/.

Suite files import their shared helpers as `autograder.suites.<module>.common`; each assignment's
package is registered here with its course folder as the only place to look (the standard
submodule_search_locations of a package spec), so no suite needs to know where it lives.
"""
import importlib.util
import sys
from importlib.machinery import ModuleSpec

from ..course import ASSIGNMENTS

for _assignment in ASSIGNMENTS.values():
    _name = f"{__name__}.{_assignment.module}"
    if _name not in sys.modules:
        _spec = ModuleSpec(_name, None, is_package=True)
        _spec.submodule_search_locations = [str(_assignment.suites_dir())]
        sys.modules[_name] = importlib.util.module_from_spec(_spec)
    globals()[_assignment.module] = sys.modules[_name]
