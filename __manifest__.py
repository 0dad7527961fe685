{
    "name": "Lot Traceability & Recall",
    "summary": "Lot genealogy, set-based trace engine, quality holds and recalls "
    "for food, pharma and chemical manufacturers",
    "version": "18.0.1.0.0",
    "category": "Inventory/Inventory",
    "license": "LGPL-3",
    "author": "stock_lot_traceability contributors",
    "website": "https://github.com/stock-lot-traceability/stock_lot_traceability",
    "depends": [
        "stock",
        "mrp",
        "product_expiry",
        "sale_stock",
        "purchase_stock",
        "mail",
        "barcodes_gs1_nomenclature",
    ],
    "external_dependencies": {"python": ["reportlab", "xlsxwriter"]},
    "data": [
        "security/stock_lot_traceability_security.xml",
        "security/ir.model.access.csv",
        "views/stock_lot_link_views.xml",
        "views/stock_lot_trace_line_views.xml",
        "views/stock_lot_views.xml",
        "wizards/stock_lot_link_wizard_views.xml",
        "views/stock_lot_traceability_menus.xml",
    ],
    "demo": [
        
    ],
    "post_init_hook": "post_init_hook",
    "installable": True,
    "application": False,
}
