from . import test_evidence, test_genealogy, test_security, test_trace_engine
