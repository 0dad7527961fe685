from . import (
    test_access,
    test_bad_input,
    test_genealogy,
    test_holds,
    test_recall,
    test_security,
    test_trace_engine,
    test_ui,
)
