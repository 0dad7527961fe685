import base64

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import HoldCase


@tagged("post_install", "-at_install")
class TestRepack(HoldCase):
    """Torn bags of cocoa: 10 taken from COCOA-OLD, 8 repacked into COCOA-OLDR, 2 scrapped."""

    def _repack(self, lot=None, quantity=10, good=8, waste=2, reason="Torn bags", **kwargs):
        return (lot or self.cocoa_old)._repack(quantity, self.stock, good, waste, reason, **kwargs)

    def _done_lines(self, lot):
        return self.env["stock.move.line"].search(
            [("lot_id", "=", lot.id), ("state", "=", "done")], order="id"
        )

    def test_repack_moves_quantities_link_and_name(self):
        tag = self.env["stock.scrap.reason.tag"].create({"name": "Torn packaging"})
        new = self._repack(scrap_reason_tag_ids=tag.ids)
        self.assertEqual(new.name, "COCOA-OLDR")
        self.assertEqual(new.product_id, self.cocoa)
        self.assertEqual(new.repack_parent_id, self.cocoa_old)
        self.assertEqual(new.expiration_date, self.cocoa_old.expiration_date)
        self.assertStockOf(self.cocoa_old, self.stock, 40)
        self.assertStockOf(new, self.stock, 8)

        scrap = self.env["stock.scrap"].search([("lot_id", "=", self.cocoa_old.id)])
        self.assertEqual(
            (scrap.state, scrap.scrap_qty, scrap.scrap_reason_tag_ids), ("done", 2, tag)
        )
        out_line = self._done_lines(self.cocoa_old).filtered(
            lambda line: line.location_dest_id.usage == "production"
        )
        self.assertEqual((out_line.quantity, out_line.location_id), (8, self.stock))
        in_line = self._done_lines(new)
        self.assertEqual(
            (in_line.quantity, in_line.location_id.usage, in_line.location_dest_id),
            (8, "production", self.stock),
        )
        # the value moves with the goods
        out_value = sum(out_line.move_id.stock_valuation_layer_ids.mapped("value"))
        in_value = sum(in_line.move_id.stock_valuation_layer_ids.mapped("value"))
        self.assertAlmostEqual(in_value, -out_value)

        link = self.cocoa_old.child_link_ids
        self.assertEqual(
            (link.kind, link.child_lot_id, link.quantity, link.note),
            ("repack", new, 8, "Torn bags"),
        )
        self.assertTrace(self.cocoa_old, "down", {self.cocoa_old: 0, new: 1})
        self.assertTrace(new, "up", {new: 0, self.cocoa_old: 1})
        self.assertIn("Repacked into", self.cocoa_old.message_ids[0].body)
        self.assertIn("Repacked from", new.message_ids[0].body)

    def test_a_lot_is_repacked_once_and_a_repack_never_again(self):
        new = self._repack()
        with self.assertRefused(r"COCOA-OLD .*already repacked into .*COCOA-OLDR"):
            self._repack(quantity=5, good=5, waste=0)
        with self.assertRefused(r"COCOA-OLDR .*itself a repack of .*COCOA-OLD"):
            self._repack(lot=new, quantity=2, good=2, waste=0)
        with self.assertRefused("cannot be changed"):
            new.repack_parent_id = False

    def test_bad_input_is_refused_and_nothing_is_half_done(self):
        with self.assertRefused(r"COCOA-OLD.*60.*only 50.0 on hand"):
            self._repack(quantity=60, good=60, waste=0)
        with self.assertRefused(r"must add up", ValidationError):
            self._repack(quantity=10, good=8, waste=1)
        with self.assertRefused(r"reason", ValidationError):
            self._repack(reason=" ")
        self._hold(self.cocoa_old)
        with self.assertRefused(r"COCOA-OLD.*quality hold"):
            self._repack()
        self.assertFalse(self._lot("COCOA-OLDR"))
        self.assertStockOf(self.cocoa_old, self.stock, 50)
        self.assertFalse(self.env["stock.scrap"].search([("lot_id", "=", self.cocoa_old.id)]))

    def test_repacked_lot_is_reserved_first(self):
        self._use_removal("stock.removal_fifo")
        new = self._repack(lot=self.cocoa_new, quantity=6, good=6, waste=0)
        delivery = self._sell(self.cocoa, 5)
        self.assertEqual(delivery.move_ids.move_line_ids.lot_id, new)

    def test_wizard_repacks_with_notes_and_photos(self):
        photo = self.env["ir.attachment"].create(
            {"name": "torn.png", "datas": base64.b64encode(b"not really a png")}
        )
        wizard = (
            self.env["stock.lot.repack.wizard"]
            .with_user(self.stock_user)
            .create(
                {
                    "lot_id": self.cocoa_old.id,
                    "quantity": 10,
                    "good_qty": 9,
                    "reason": "Relabelled",
                    "note": "Old labels unreadable",
                    "photo_ids": [(6, 0, photo.ids)],
                }
            )
        )
        self.assertEqual(
            (wizard.location_id, wizard.on_hand_qty, wizard.waste_qty), (self.stock, 50, 1)
        )
        action = wizard.action_repack()
        new = self.env["stock.lot"].browse(action["res_id"])
        self.assertEqual(new.name, "COCOA-OLDR")
        self.assertStockOf(new, self.stock, 9)
        self.assertIn(photo, new.message_ids.attachment_ids)
        self.assertTrue(self.cocoa_old.message_ids.attachment_ids)
        self.assertIn("Old labels unreadable", self.cocoa_old.message_ids[1].body)

    def test_repack_button_refuses_a_repacked_lot(self):
        new = self._repack()
        with self.assertRaises(UserError):
            new.action_open_repack_wizard()
