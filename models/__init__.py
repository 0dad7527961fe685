from . import (
    mrp_production,
    mrp_unbuild,
    stock_lot,
    stock_lot_link,
    stock_lot_trace_line,
    stock_lot_traceability_flow,
    stock_move_line,
)
