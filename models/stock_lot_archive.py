import logging

from odoo import api, models
from odoo.tools import SQL, split_every

_logger = logging.getLogger(__name__)

# Lots archived per write: big enough to be set-based, small enough for a busy database.
ARCHIVE_BATCH_SIZE = 1000


class StockLot(models.Model):
    """Archiving of depleted lots: out of the pickers, never out of traces and recalls."""

    _inherit = "stock.lot"

    @api.model
    def _cron_archive_depleted(self):
        """Archive the lots with no stock left whose last movement out of stock (delivery,
        consumption, scrap or loss) is older than their company's ``lot_archive_days``.

        One query finds them all; they are archived in batches. Archived lots stay in
        every trace (the engine reads links, whatever the lot's state), recall and report,
        and are found with the *Archived* filter; unarchiving works as for any record.
        Returns the archived lots.
        """
        lot_ids = self._depleted_lot_ids()
        for batch in split_every(ARCHIVE_BATCH_SIZE, lot_ids):
            lots = self.browse(batch)
            lots.with_context(tracking_disable=True).write({"active": False})
            lots.invalidate_recordset()
        if lot_ids:
            _logger.info("Archived %s depleted lots", len(lot_ids))
        return self.with_context(active_test=False).browse(lot_ids)

    @api.model
    def _depleted_lot_ids(self):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT lot.id
                  FROM stock_lot lot
                  LEFT JOIN res_company company ON company.id = lot.company_id
                  JOIN LATERAL (
                        SELECT MAX(ml.date) AS last_exit
                          FROM stock_move_line ml
                          JOIN stock_location src ON src.id = ml.location_id
                          JOIN stock_location dest ON dest.id = ml.location_dest_id
                         WHERE ml.lot_id = lot.id AND ml.state = 'done'
                           AND src.usage IN ('internal', 'transit')
                           AND dest.usage NOT IN ('internal', 'transit')
                       ) exit ON exit.last_exit IS NOT NULL
                 WHERE lot.active
                   AND exit.last_exit < NOW() AT TIME ZONE 'UTC'
                       - make_interval(days => COALESCE(company.lot_archive_days, %(days)s))
                   AND NOT EXISTS (
                        SELECT 1 FROM stock_quant quant
                          JOIN stock_location loc ON loc.id = quant.location_id
                         WHERE quant.lot_id = lot.id AND quant.quantity > 0
                           AND loc.usage IN ('internal', 'transit'))
                   AND NOT EXISTS (
                        SELECT 1 FROM stock_move_line open_line
                         WHERE open_line.lot_id = lot.id
                           AND open_line.state NOT IN ('done', 'cancel'))
                 ORDER BY lot.id
                """,
                days=self.env.company.lot_archive_days,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]
