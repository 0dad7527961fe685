from . import api_lots, api_openapi, api_recalls, api_reports, portal
