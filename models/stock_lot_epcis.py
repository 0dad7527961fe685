from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .epcis import EPCIS_CONTEXT, download, epcis_attachment_values
from .epcis_events import EpcisBuilder


class StockLot(models.Model):
    """EPCIS 2.0 export of a lot's chain (JSON-LD), built from the trace engine.

    Identifiers (see the README, "EPCIS 2.0 export"):

    - a lot of a product whose barcode is a valid GTIN (GTIN-8/12/13/14 with its check
      digit) and whose name is a valid GS1 lot number (AI 10: 20 characters of set 82) is
      the LGTIN class ``https://id.gs1.org/01/<GTIN-14>/10/<lot>`` (GS1 Digital Link, which
      EPCIS 2.0 accepts wherever an EPC URI goes). We do not write the equivalent
      ``urn:epc:class:lgtin:`` URN: it splits the GTIN at the end of the GS1 Company Prefix,
      whose length (6 to 12 digits) cannot be derived from the GTIN itself;
    - everything else (products without GTIN, locations, partners without GLN, documents)
      gets a private URN under the company: ``urn:odoo:<database uuid>:<company id>:...``.
      The database UUID makes it unique between Odoo databases, the company id between
      companies of one database; both are stable, so two exports name things alike;
    - parties and ship-to places are GS1 Digital Links ``https://id.gs1.org/417/<GLN>``
      (party) and ``/414/<GLN>`` (place) when the partner's electronic address is a GLN
      (Peppol scheme 0088, the only GLN field of Odoo), else the private URN.
    """

    _inherit = "stock.lot"

    @api.readonly
    def _epcis_document(self, direction="both"):
        """The EPCIS 2.0 JSON-LD document (a dict) of these lots' chain.

        ``direction``: ``'down'`` (where used), ``'up'`` (where from) or ``'both'``; the
        lots are those :meth:`_trace` finds. Events: receipts from and returns to vendors,
        deliveries to and returns from customers of every lot of the chain (ObjectEvents),
        and one TransformationEvent per manufacturing order, repack or unbuild between lots
        of the chain.
        """
        if direction not in ("both", "down", "up"):
            raise UserError(
                _(
                    "Unknown trace direction %(direction)r: use 'down', 'up' or 'both'.",
                    direction=direction,
                )
            )
        lot_ids = set()
        for way in ("up", "down") if direction == "both" else (direction,):
            lot_ids.update(self._trace(way))
        return self.browse(sorted(lot_ids))._epcis_build()

    def action_export_epcis(self):
        """Download the EPCIS document of this lot's chain (both directions), stored as an
        attachment of the lot."""
        self.ensure_one()
        attachment = self.env["ir.attachment"].create(
            epcis_attachment_values(self, self._epcis_document(), f"EPCIS-{self.name}")
        )
        return download(attachment)

    def _epcis_build(self):
        """The EPCIS document of exactly these lots (no trace)."""
        lots = self.with_context(active_test=False)
        builder = EpcisBuilder(lots)
        events = builder.move_events() + builder.transformation_events()
        events.sort(key=lambda event: (event["eventTime"], event["type"], event["eventID"]))
        document = {
            "@context": [EPCIS_CONTEXT],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": builder.timestamp(fields.Datetime.now()),
            "epcisBody": {"eventList": events},
        }
        vocabulary = builder.master_data()
        if vocabulary:
            document["epcisHeader"] = {"epcisMasterData": {"vocabularyList": vocabulary}}
        return document
