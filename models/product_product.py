from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_round


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _compute_quantities_dict(
        self, lot_id, owner_id, package_id, from_date=False, to_date=False
    ):
        """Held lots are on hand but not free to use: take them out of ``free_qty``."""
        res = super()._compute_quantities_dict(
            lot_id, owner_id, package_id, from_date=from_date, to_date=to_date
        )
        if to_date and fields.Datetime.to_datetime(to_date) < fields.Datetime.now():
            return res
        held = self._held_unreserved_quantities(lot_id, owner_id, package_id)
        for product in self:
            if product.id in res and held.get(product._origin.id):
                free_qty = res[product.id]["free_qty"] - held[product._origin.id]
                res[product.id]["free_qty"] = float_round(
                    max(free_qty, 0.0), precision_rounding=product.uom_id.rounding
                )
        return res

    def _held_unreserved_quantities(self, lot_id, owner_id, package_id):
        product_ids = [product_id for product_id in self._origin.ids if product_id]
        if not product_ids:
            return {}
        domain_quant_loc = self._get_domain_locations()[0]
        domain = [
            ("product_id", "in", product_ids),
            ("lot_id.hold_state", "=", "held"),
            *domain_quant_loc,
        ]
        for field, value in (
            ("lot_id", lot_id),
            ("owner_id", owner_id),
            ("package_id", package_id),
        ):
            if value is not None:
                domain.append((field, "=", value))
        return {
            product.id: quantity - reserved
            for product, quantity, reserved in self.env["stock.quant"]._read_group(
                domain, ["product_id"], ["quantity:sum", "reserved_quantity:sum"]
            )
        }

    def _next_lot_name(self, company=None):
        """The next lot number of this product's lot number format (its own, or else its
        category's), or ``False`` when it has none.

        A number someone already typed by hand for this product is skipped, not reused.
        """
        self.ensure_one()
        owner = self.product_tmpl_id._lot_name_template_owner()
        if not owner:
            return False
        company = company or self.env.company
        lots = self.env["stock.lot"].with_context(active_test=False)
        for _attempt in range(100):
            name = owner._next_lot_name_from_template()
            taken = lots.search_count(
                [
                    ("product_id", "=", self.id),
                    ("name", "=", name),
                    ("company_id", "in", [company.id, False]),
                ],
                limit=1,
            )
            if not taken:
                return name
        raise UserError(
            _(
                "No free lot number found for %(product)s with the format “%(template)s”: "
                "the next 100 numbers are already used.",
                product=self.display_name,
                template=owner.lot_name_template,
            )
        )
