import pytz

from odoo import _, models

from .stock_recall_export import RecordNames


class StockRecall(models.Model):
    """A recall's FSMA 204 sheet: the shipping Key Data Elements of every shipment of a
    lot in scope (21 CFR 1.1340), with the traceability lot code's source."""

    _inherit = "stock.recall"

    def _fsma_204_table(self):
        """Shipping Key Data Elements (21 CFR 1.1340), one row per shipment of a lot."""
        headers = [
            _("Traceability Lot Code"),
            _("Product Description"),
            _("Quantity"),
            _("Unit of Measure"),
            _("Ship-To Location"),
            _("Ship-From Location"),
            _("Ship Date"),
            _("Traceability Lot Code Source"),
            _("Reference Document Type"),
            _("Reference Document Number"),
        ]
        document_type = _("Delivery Order")
        products, units = self._names("product.product"), self._product_units()
        ship_to = self._names("res.partner", self._address)
        ship_from = self._names("stock.location", self._ship_from)
        sources = self._lot_code_sources()

        def row(values):
            (
                _id,
                _customer_id,
                ship_to_id,
                picking,
                _sale,
                lot,
                product_id,
                quantity,
                _returned,
                _net,
                date_done,
                lot_id,
                location_id,
            ) = values
            return [
                lot,
                products[product_id],
                quantity,
                units[product_id],
                ship_to[ship_to_id],
                ship_from[location_id],
                date_done,
                sources[lot_id],
                document_type,
                picking or "",
            ]

        names = [(2, ship_to), (6, products), (6, units), (11, sources), (12, ship_from)]
        return headers, self._stream(self._delivery_ids(), self._delivery_query, names, row)

    def _export_tz(self):
        """The time zone dates are written in: the exporting user's, else the responsible's."""
        return pytz.timezone(self.env.user.tz or self.user_id.tz or "UTC")

    def _address(self, partner):
        if not partner:
            return ""
        lines = [partner.display_name] + [
            part
            for part in (partner.street, partner.city, partner.zip, partner.country_id.name)
            if part
        ]
        return ", ".join(lines)

    def _ship_from(self, location):
        partner = location.warehouse_id.partner_id or self.company_id.partner_id
        return f"{location.display_name} — {self._address(partner)}"

    def _lot_code_sources(self):
        """Where each lot code was assigned: our plant for lots we made from others, else
        their suppliers (looked up for a batch of lots at once)."""
        here = self._address(self.company_id.partner_id)

        def sources(lots):
            made_here = {
                lot.id
                for [lot] in self.env["stock.lot.link"]._read_group(
                    [("child_lot_id", "in", lots.ids)], ["child_lot_id"]
                )
            }
            vendors = (lots - lots.browse(made_here))._receipt_vendors_by_lot()
            return {
                lot.id: here
                if lot.id in made_here
                else "; ".join(self._address(vendor) for vendor in vendors.get(lot.id, ())) or here
                for lot in lots
            }

        return RecordNames(self.env["stock.lot"].with_context(active_test=False), many=sources)
