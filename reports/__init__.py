from . import stock_adjustment_xlsx, stock_recall_pdf, stock_recall_xlsx
