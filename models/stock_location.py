from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# Where a held lot may come from and still arrive on a shelf: outside the company's stock.
HOLD_ARRIVAL_USAGES = ("supplier", "customer", "inventory", "production")
# Where a held lot may always go: back to a vendor, or destroyed (scrap, inventory loss).
HOLD_EXIT_USAGES = ("supplier", "inventory")


class StockLocation(models.Model):
    _inherit = "stock.location"

    is_quarantine = fields.Boolean(
        string="Quarantine Location",
        help="Lots on quality hold may be moved into this location (and between quarantine "
        "locations); every other move of a held lot out of stock is refused. Internal "
        "locations only; the locations inside a quarantine location are quarantine too.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        parents = self.browse(
            [vals["location_id"] for vals in vals_list if vals.get("location_id")]
        )
        quarantined = set(parents.filtered("is_quarantine").ids)
        for vals in vals_list:
            if (
                vals.get("location_id") in quarantined
                and vals.get("usage", "internal") == "internal"
            ):
                vals["is_quarantine"] = True
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("location_id") and "is_quarantine" not in vals:
            if self.browse(vals["location_id"]).is_quarantine:
                vals = {**vals, "is_quarantine": True}
        res = super().write(vals)
        if "is_quarantine" in vals:
            self._propagate_quarantine(vals["is_quarantine"])
        return res

    # nothing to return: it writes on other records, through the parent's write (below)
    def _propagate_quarantine(self, flag):  # pylint: disable=missing-return
        """The internal locations inside these ones follow their quarantine flag."""
        children = self.search(
            [
                ("id", "child_of", self.ids),
                ("id", "not in", self.ids),
                ("usage", "=", "internal"),
                ("is_quarantine", "!=", bool(flag)),
            ]
        )
        if children:
            # The parent's write on purpose: `children` already holds every internal
            # descendant, so this class's write must not search and propagate again.
            super(StockLocation, children).write({"is_quarantine": bool(flag)})  # pylint: disable=super-method-mismatch

    @api.constrains("is_quarantine", "usage", "location_id")
    def _check_quarantine(self):
        for location in self:
            if location.is_quarantine and location.usage != "internal":
                raise ValidationError(
                    _(
                        "Only internal locations can be quarantine locations: %(location)s is "
                        "not internal.",
                        location=location.display_name,
                    )
                )
            if (
                location.usage == "internal"
                and location.location_id.is_quarantine
                and not location.is_quarantine
            ):
                raise ValidationError(
                    _(
                        "%(location)s is inside the quarantine location %(parent)s, so it is a "
                        "quarantine location too.",
                        location=location.display_name,
                        parent=location.location_id.display_name,
                    )
                )

    def _accepts_held_lots_from(self, source):
        """The hold rule, for a move of a held lot from ``source`` to this location.

        A held lot may arrive (from a vendor, a customer, an inventory gain or a production
        order), go to a quarantine location, go back to a vendor, or be destroyed (scrap,
        inventory loss). It never goes to a customer, a production order, a transit location
        or a non-quarantine internal location from stock, whatever the move's flags.
        """
        self.ensure_one()
        if self.is_quarantine or self.usage in HOLD_EXIT_USAGES:
            return True
        return self.usage == "internal" and source.usage in HOLD_ARRIVAL_USAGES
