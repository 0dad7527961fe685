from . import (
    test_access,
    test_bad_input,
    test_genealogy,
    test_hold_concurrency,
    test_hold_gate,
    test_hold_leak_property,
    test_holds,
    test_recall,
    test_scope,
    test_security,
    test_trace_engine,
    test_ui,
)
