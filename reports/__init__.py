from . import (
    stock_adjustment_xlsx,
    stock_lot_coa_pdf,
    stock_lot_expiry_xlsx,
    stock_recall_pdf,
    stock_recall_xlsx,
)
