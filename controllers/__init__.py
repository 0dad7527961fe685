from . import (
    api_lot_actions,
    api_lot_genealogy,
    api_lots,
    api_openapi,
    api_recalls,
    api_reports,
    portal,
)
