from . import stock_lot_link_wizard
