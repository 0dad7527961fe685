from datetime import timedelta

from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, float_compare, float_is_zero

from . import evidence

# Lot fields a repacked lot takes from its parent when they exist (other features add some).
# Evidence records (test results, holds) are not copied: read them through repack_parent_id.
REPACK_INHERITED_FIELDS = (
    "expiration_date",
    "use_date",
    "removal_date",
    "alert_date",
    "production_date",
    "origin_country_id",
    "allergen_ids",
    "vendor_lot_name",
)


class StockLot(models.Model):
    """Repack: part of a damaged or re-labelled lot becomes a new lot ``<name>R``."""

    _inherit = "stock.lot"

    repack_parent_id = fields.Many2one(
        "stock.lot",
        string="Repacked From",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        copy=False,
        help="The lot this lot was repacked from. Origin, allergens and test results are "
        "those of that lot.",
    )
    repack_child_ids = fields.One2many(
        "stock.lot",
        "repack_parent_id",
        string="Repacked Into",
        context={"active_test": False},
        readonly=True,
        help="Lots repacked from this lot.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not evidence.is_system(self) and any(v.get("repack_parent_id") for v in vals_list):
            raise UserError(_("Only a repack (Repack on the lot) creates a repacked lot."))
        return super().create(vals_list)

    def write(self, vals):
        if "repack_parent_id" in vals and not evidence.is_system(self):
            raise UserError(
                _(
                    "%(lots)s: the lot a lot was repacked from cannot be changed.",
                    lots=", ".join(self.mapped("display_name")),
                )
            )
        return super().write(vals)

    def action_open_repack_wizard(self):
        self.ensure_one()
        self._check_repackable()
        return {
            "type": "ir.actions.act_window",
            "name": _("Repack %s", self.display_name),
            "res_model": "stock.lot.repack.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lot_id": self.id},
        }

    # ------------------------------------------------------------------
    # The repack
    # ------------------------------------------------------------------
    def _repack(
        self,
        quantity,
        location,
        good_qty,
        waste_qty,
        reason,
        note=False,
        scrap_reason_tag_ids=None,
        attachments=None,
    ):
        """Take ``quantity`` of this lot at ``location``: ``good_qty`` goes into a new lot
        ``<name>R`` at the same location, ``waste_qty`` is scrapped. Returns the new lot.

        Everything or nothing: checks first, then the scrap, the two stock moves (out of this
        lot into the production location, back into the new lot), the ``repack`` link and the
        chatter, inside one savepoint. Quantities are in the product's unit.
        """
        self.ensure_one()
        location = self.env["stock.location"].browse(getattr(location, "id", location))
        self._check_repackable()
        self._check_repack_input(quantity, location, good_qty, waste_qty, reason)
        with self.env.cr.savepoint():
            new_lot = self._create_repacked_lot()
            scrap = self._repack_scrap(location, waste_qty, new_lot, scrap_reason_tag_ids)
            moves = self._repack_moves(location, good_qty, new_lot, reason)
            new_lot._repack_first(location)
            # sudo: genealogy links are written by the system; the user repacking (an
            # inventory user) may not create links by hand
            self.env["stock.lot.link"].sudo().create(
                {
                    "parent_lot_id": self.id,
                    "child_lot_id": new_lot.id,
                    "kind": "repack",
                    "quantity": good_qty,
                    "product_uom_id": self.product_id.uom_id.id,
                    "date": moves[-1].date,
                    "company_id": moves[-1].company_id.id,
                    "note": reason,
                }
            )
            self._log_repack(new_lot, location, good_qty, waste_qty, reason, note, scrap)
            if attachments:
                new_lot._log_repack_photos(self, attachments)
            self.env.flush_all()
        return new_lot

    def _check_repackable(self):
        """A repacked lot is not repacked again, and a lot is repacked only once."""
        if self.repack_parent_id:
            raise UserError(
                _(
                    "Lot %(lot)s is itself a repack of %(parent)s and cannot be repacked again.",
                    lot=self.display_name,
                    parent=self.repack_parent_id.display_name,
                )
            )
        if self.repack_child_ids:
            raise UserError(
                _(
                    "Lot %(lot)s was already repacked into %(child)s; a lot is repacked only once.",
                    lot=self.display_name,
                    child=", ".join(self.repack_child_ids.mapped("display_name")),
                )
            )

    def _check_repack_input(self, quantity, location, good_qty, waste_qty, reason):
        rounding = self.product_id.uom_id.rounding
        if float_compare(quantity, 0, precision_rounding=rounding) <= 0:
            raise ValidationError(
                _("Repack of %s: the quantity to repack must be positive.", self.display_name)
            )
        if float_compare(good_qty, 0, precision_rounding=rounding) <= 0 or (
            float_compare(waste_qty, 0, precision_rounding=rounding) < 0
        ):
            raise ValidationError(
                _(
                    "Repack of %s: the good quantity must be positive and the wasted "
                    "quantity zero or more.",
                    self.display_name,
                )
            )
        if float_compare(good_qty + waste_qty, quantity, precision_rounding=rounding):
            raise ValidationError(
                _(
                    "Repack of %(lot)s: the good quantity (%(good)s) and the wasted quantity "
                    "(%(waste)s) must add up to the quantity taken (%(quantity)s).",
                    lot=self.display_name,
                    good=good_qty,
                    waste=waste_qty,
                    quantity=quantity,
                )
            )
        if not (reason or "").strip():
            raise ValidationError(_("Repack of %s: give the reason.", self.display_name))
        if location.usage != "internal":
            raise ValidationError(
                _(
                    "Repack of %(lot)s: %(location)s is not a stock location.",
                    lot=self.display_name,
                    location=location.display_name or "?",
                )
            )
        if self._lock_held_lots():
            raise UserError(
                _(
                    "Lot %(lot)s is on quality hold and cannot be repacked:\n%(holds)s",
                    lot=self.display_name,
                    holds=self._hold_summary(),
                )
            )
        on_hand = self._repack_on_hand(location)
        if float_compare(quantity, on_hand, precision_rounding=rounding) > 0:
            raise UserError(
                _(
                    "Repack of %(lot)s: %(quantity)s %(uom)s asked but only %(on_hand)s on "
                    "hand (outside packages) at %(location)s.",
                    lot=self.display_name,
                    quantity=quantity,
                    uom=self.product_id.uom_id.name,
                    on_hand=on_hand,
                    location=location.display_name,
                )
            )
        name = self._repack_name()
        if self.with_context(active_test=False).search_count(
            [("name", "=", name), ("product_id", "=", self.product_id.id)], limit=1
        ):
            raise UserError(
                _(
                    "Repack of %(lot)s: a lot %(name)s already exists for %(product)s.",
                    lot=self.display_name,
                    name=name,
                    product=self.product_id.display_name,
                )
            )

    def _repack_on_hand(self, location):
        """Quantity of this lot at ``location`` itself, outside packages."""
        quants = self.env["stock.quant"].search(
            [
                ("lot_id", "=", self.id),
                ("location_id", "=", location.id),
                ("package_id", "=", False),
            ]
        )
        return sum(quants.mapped("quantity"))

    def _repack_name(self):
        return f"{self.name}R"

    def _create_repacked_lot(self):
        vals = {
            "name": self._repack_name(),
            "product_id": self.product_id.id,
            "company_id": self.company_id.id,
            "repack_parent_id": self.id,
            "ref": self.ref,
        }
        for name in REPACK_INHERITED_FIELDS:
            field = self._fields.get(name)
            if not field or field.type == "one2many":
                continue
            value = self[name]
            if field.type == "many2one":
                value = value.id
            elif field.type == "many2many":
                value = [Command.set(value.ids)]
            vals[name] = value
        return evidence.system(self).create(vals).with_env(self.env)

    def _repack_scrap(self, location, waste_qty, new_lot, scrap_reason_tag_ids):
        if float_is_zero(waste_qty, precision_rounding=self.product_id.uom_id.rounding):
            return self.env["stock.scrap"]
        scrap = self.env["stock.scrap"].create(
            {
                "product_id": self.product_id.id,
                "product_uom_id": self.product_id.uom_id.id,
                "lot_id": self.id,
                "scrap_qty": waste_qty,
                "location_id": location.id,
                "company_id": location.company_id.id or self.env.company.id,
                "origin": _("Repack %s", new_lot.name),
                "scrap_reason_tag_ids": [Command.set(list(scrap_reason_tag_ids or []))],
            }
        )
        scrap.do_scrap()
        return scrap

    def _repack_moves(self, location, good_qty, new_lot, reason):
        """Done moves: ``good_qty`` of this lot into the production location, and the same
        quantity of ``new_lot`` back at ``location``, at the same unit cost (the value moves
        with the goods)."""
        company = location.company_id or self.env.company
        production = self.product_id.with_company(company).property_stock_production
        name = _(
            "Repack %(parent)s → %(child)s: %(reason)s",
            parent=self.name,
            child=new_lot.name,
            reason=reason,
        )
        Move = self.env["stock.move"]
        out_move = Move.create(
            self._repack_move_values(name, company, good_qty, location, production, self)
        )
        out_move._action_done()
        in_values = self._repack_move_values(name, company, good_qty, production, location, new_lot)
        in_values["price_unit"] = self._repack_unit_cost(out_move, good_qty)
        in_move = Move.create(in_values)
        in_move._action_done()
        return out_move | in_move

    def _repack_unit_cost(self, out_move, quantity):
        """Unit cost the goods left the parent lot at: its valuation when stock_account
        valued the move, else the product cost."""
        if "stock_valuation_layer_ids" in out_move._fields:
            # sudo: the valuation is read for the record, whoever repacks
            layers = out_move.sudo().stock_valuation_layer_ids
            if layers:
                return abs(sum(layers.mapped("value"))) / quantity
        return self.product_id.with_company(out_move.company_id).standard_price

    def _repack_move_values(self, name, company, quantity, source, destination, lot):
        uom = self.product_id.uom_id
        return {
            "name": name,
            "origin": _("Repack %s", self.name),
            "product_id": self.product_id.id,
            "product_uom": uom.id,
            "product_uom_qty": quantity,
            "company_id": company.id,
            "state": "confirmed",
            "location_id": source.id,
            "location_dest_id": destination.id,
            "picked": True,
            "move_line_ids": [
                Command.create(
                    {
                        "product_id": self.product_id.id,
                        "product_uom_id": uom.id,
                        "quantity": quantity,
                        "location_id": source.id,
                        "location_dest_id": destination.id,
                        "lot_id": lot.id,
                        "company_id": company.id,
                    }
                )
            ],
        }

    def _repack_first(self, location):
        """FIFO priority: the repacked lot's stock gets the oldest incoming date of the
        product at this location, a second earlier, so reservation takes it first (FIFO,
        and FEFO among lots expiring the same day)."""
        quants = (
            self.env["stock.quant"]
            .sudo()
            .search([("lot_id", "=", self.id), ("location_id", "=", location.id)])
        )
        self.env["stock.quant"].flush_model(["in_date", "product_id", "location_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT MIN(quant.in_date) FROM stock_quant quant
                  JOIN stock_location loc ON loc.id = quant.location_id
                 WHERE quant.product_id = %(product)s AND loc.usage = 'internal'
                   AND quant.quantity > 0 AND quant.id != ALL(%(own)s)
                """,
                product=self.product_id.id,
                own=quants.ids,
            )
        )
        oldest = self.env.cr.fetchone()[0]
        if oldest:
            # sudo: quants are written by the system (Odoo's own moves do the same)
            quants.write({"in_date": oldest - timedelta(seconds=1)})

    def _log_repack(self, new_lot, location, good_qty, waste_qty, reason, note, scrap):
        uom = self.product_id.uom_id.name
        scrap_name = f" ({scrap.name})" if scrap else ""
        details = _(
            "%(good)s %(uom)s repacked at %(location)s, %(waste)s %(uom)s wasted"
            "%(scrap)s. Reason: %(reason)s",
            good=good_qty,
            waste=waste_qty,
            uom=uom,
            location=location.display_name,
            scrap=scrap_name,
            reason=reason,
        )
        if note:
            details = f"{details}\n{note}"
        into = Markup(_("Repacked into %s.")) % new_lot._get_html_link()
        self.message_post(body=Markup("%s<br/>%s") % (into, details))
        origin = Markup(_("Repacked from %s.")) % self._get_html_link()
        new_lot.message_post(body=Markup("%s<br/>%s") % (origin, details))

    def _log_repack_photos(self, parent, attachments):
        """The photos on both lots: the new lot's message keeps them, the parent a copy."""
        # sudo: the photos the user just uploaded in the wizard now belong to the lot
        attachments.sudo().write({"res_model": self._name, "res_id": self.id})
        self.message_post(body=_("Repack photos"), attachment_ids=attachments.ids)
        copies = attachments.copy({"res_model": parent._name, "res_id": parent.id})
        parent.message_post(body=_("Repack photos"), attachment_ids=copies.ids)
