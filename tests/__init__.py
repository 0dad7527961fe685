from . import (
    test_genealogy,
    test_holds,
    test_recall,
    test_security,
    test_trace_engine,
    test_ui,
)
