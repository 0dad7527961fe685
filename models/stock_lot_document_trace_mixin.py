from odoo import api, fields, models


class StockLotDocumentTraceMixin(models.AbstractModel):
    """A *Traceability* smart button on a document that moves lots (orders, transfers,
    manufacturing orders): one click traces all its lots (``stock.lot.document.trace``).

    Models define :meth:`_traceability_lots` and :meth:`_traceability_direction`.
    """

    _name = "stock.lot.document.trace.mixin"
    _description = "Traceable Document"

    traceability_lot_count = fields.Integer(
        string="Traced Lots",
        compute="_compute_traceability_lot_count",
        groups="stock_lot_traceability.group_traceability_user",
        help="Lots moved by this document: the Traceability button traces them.",
    )

    def _traceability_move_lines(self):
        """The document's move lines (not cancelled); each model says where they are."""
        raise NotImplementedError

    def _traceability_lots(self, direction=None):
        """The lots a trace of this document starts from (``direction``: 'up' or 'down';
        None for all the document's lots)."""
        lines = self._traceability_move_lines().filtered(lambda line: line.state != "cancel")
        return lines.lot_id

    def _traceability_direction(self):
        """'up' (backward), 'down' (forward) or 'both'."""
        return "both"

    @api.depends_context("uid")
    def _compute_traceability_lot_count(self):
        for document in self:
            document.traceability_lot_count = len(document._traceability_lots())

    def action_view_traceability(self):
        self.ensure_one()
        return self.env["stock.lot.document.trace"]._create_for_document(self)._action_open()
