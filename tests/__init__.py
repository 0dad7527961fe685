from . import test_genealogy, test_security, test_trace_engine
