from . import (
    stock_lot_allergen_report,
    stock_lot_allergen_report_line,
    stock_lot_hold_release_wizard,
    stock_lot_hold_wizard,
    stock_lot_link_wizard,
    stock_lot_quarantine_impact,
    stock_recall_account_wizard,
    stock_recall_account_wizard_line,
    stock_recall_cancel_wizard,
    stock_recall_wizard,
    stock_return_picking,
)
