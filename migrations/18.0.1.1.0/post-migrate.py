"""18.0.1.1.0: the demo's quarantine location gets the XML id the uninstall looks for.

From 18.0.1.1.0 the demo registers its Quarantine location as
``stock_lot_traceability.stock_location_quarantine_demo`` (hooks.py: the uninstall deletes
it if unused, archives it if only the history refers to it). A database installed with the
demo at an earlier version has the location without the XML id: it is the Quarantine
location created in the transaction that loaded the demo, the one of its demo products.
Idempotent: nothing is done once the XML id exists, or without the demo.
"""

import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        INSERT INTO ir_model_data (module, name, model, res_id, noupdate,
                                   create_uid, write_uid, create_date, write_date)
        SELECT 'stock_lot_traceability', 'stock_location_quarantine_demo', 'stock.location',
               location.id, TRUE, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM stock_location location
          JOIN product_product product ON product.create_date = location.create_date
          JOIN ir_model_data demo ON demo.model = 'product.product' AND demo.res_id = product.id
                                 AND demo.module = 'stock_lot_traceability'
                                 AND demo.name = 'product_flour_demo'
         WHERE location.name = 'Quarantine'
           AND location.is_quarantine
           AND location.location_id IN (SELECT view_location_id FROM stock_warehouse)
           AND NOT EXISTS (SELECT 1 FROM ir_model_data
                            WHERE module = 'stock_lot_traceability'
                              AND name = 'stock_location_quarantine_demo')
         ORDER BY location.id
         LIMIT 1
        """
    )
    if cr.rowcount:
        _logger.info("The demo's Quarantine location now has its XML id")
