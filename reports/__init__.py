from . import stock_recall_pdf, stock_recall_xlsx
