from . import test_genealogy, test_recall_scale, test_security, test_trace_engine
