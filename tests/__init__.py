from . import test_genealogy
from . import test_trace_engine
from . import test_security
