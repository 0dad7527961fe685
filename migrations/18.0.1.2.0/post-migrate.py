"""18.0.1.2.0: a recall delivery's customer line is computed, no longer stored.

A delivery counts for the recall's line of its customer: from 18.0.1.2.0 that line is
found from the delivery's recall and customer (``stock.recall.delivery.partner_line_id``
is computed), so a scope writes its deliveries in one ``INSERT … SELECT`` before it knows
its customer lines. The column is dropped, with its index and its foreign key. The foreign
keys of the other columns the scope lines no longer check are dropped by the models
themselves (``models/snapshot_fields.py``). Idempotent.
"""

import logging

_logger = logging.getLogger(__name__)

FOREIGN_KEY = "stock_recall_delivery_partner_line_id_fkey"


def migrate(cr, version):
    if not version:
        return
    cr.execute("ALTER TABLE stock_recall_delivery DROP COLUMN IF EXISTS partner_line_id")
    cr.execute("DELETE FROM ir_model_constraint WHERE name = %s AND type = 'f'", [FOREIGN_KEY])
    _logger.info("stock_recall_delivery.partner_line_id dropped: the customer line is computed")
