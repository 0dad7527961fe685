from . import stock_lot_link
from . import stock_lot
from . import stock_lot_trace_line
from . import stock_move_line
from . import mrp_production
from . import mrp_unbuild
from . import stock_lot_traceability_flow

