from . import stock_lot_coa_pdf, stock_recall_pdf, stock_recall_xlsx, xlsx_stream
