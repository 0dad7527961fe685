from . import test_genealogy, test_scope, test_security, test_trace_engine
