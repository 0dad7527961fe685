import base64

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import TraceabilityCase


@tagged("post_install", "-at_install")
class TestLotAttributes(TraceabilityCase):
    """Receiving, describing and documenting lots: vendor lot, origin, allergens,
    certifications and the lot's documents."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gluten = cls.env.ref("stock_lot_traceability.allergen_gluten")
        cls.eggs_allergen = cls.env.ref("stock_lot_traceability.allergen_eggs")
        cls.stock_user = cls._user("attr_stock", "stock.group_stock_user")
        cls.quality = cls._user("attr_quality", "stock_lot_traceability.group_quality_manager")

    def _receive_with_vendor_lot(self, lines):
        """A purchase receipt; ``lines``: (product, lot name or lot, vendor lot, quantity)."""
        order = self.env["purchase.order"].create(
            {
                "partner_id": self.mill.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_qty": qty})
                    for product, _lot, _vendor_lot, qty in lines
                ],
            }
        )
        order.button_confirm()
        receipt = order.picking_ids
        for move, (_product, lot, vendor_lot, qty) in zip(
            receipt.move_ids.sorted("id"), lines, strict=True
        ):
            lot_vals = {"lot_name": lot} if isinstance(lot, str) else {"lot_id": lot.id}
            self.flow._pick(move, [({**lot_vals, "vendor_lot_name": vendor_lot}, qty)])
        self.flow._validate_picking(receipt)
        return receipt

    def test_vendor_lot_captured_at_receipt_and_searchable(self):
        self._receive_with_vendor_lot([(self.flour, "FLOUR-9", " MILL-2024-117 ", 40)])
        lot = self._lot("FLOUR-9")
        self.assertEqual(lot.vendor_lot_name, "MILL-2024-117")
        found = self.env["stock.lot"].search([("vendor_lot_name", "ilike", "2024-117")])
        self.assertEqual(found, lot)

    def test_receipt_naming_an_existing_lot_keeps_its_vendor_lot(self):
        """A second receipt of our lot FLOUR-9 with another vendor lot: the lot keeps the
        first one, and its chatter says which receipt brought the other."""
        self._receive_with_vendor_lot([(self.flour, "FLOUR-9", "MILL-A", 40)])
        lot = self._lot("FLOUR-9")
        receipt = self._receive_with_vendor_lot([(self.flour, lot, "MILL-B", 10)])
        self.assertEqual(lot.vendor_lot_name, "MILL-A")
        self.assertIn(receipt.name, lot.message_ids[0].body)
        self.assertIn("MILL-B", lot.message_ids[0].body)

    def test_existing_lot_without_vendor_lot_gets_it_from_the_receipt(self):
        self.assertFalse(self.flour_1.vendor_lot_name)
        self._receive_with_vendor_lot([(self.flour, self.flour_1, "MILL-OLD-1", 5)])
        self.assertEqual(self.flour_1.vendor_lot_name, "MILL-OLD-1")

    def test_receipt_without_vendor_lot_is_odoo_standard(self):
        receipt = self.flow._receive_lots(self.mill, [(self.flour, "FLOUR-10", 5)])
        self.assertEqual(receipt.state, "done")
        self.assertFalse(self._lot("FLOUR-10").vendor_lot_name)

    def test_new_lots_take_their_product_allergens(self):
        self.flour.allergen_ids = self.gluten
        self.flow._receive_lots(self.mill, [(self.flour, "FLOUR-11", 5)])
        self.assertEqual(self._lot("FLOUR-11").allergen_ids, self.gluten)
        told = self.env["stock.lot"].create(
            {"name": "FLOUR-12", "product_id": self.flour.id, "allergen_ids": []}
        )
        self.assertFalse(told.allergen_ids, "a lot created with its own list keeps it")

    def test_origin_attributes_on_the_lot(self):
        self.flour_1.with_user(self.stock_user).write(
            {
                "production_date": fields.Date.to_date("2026-01-15"),
                "origin_country_id": self.env.ref("base.fr").id,
            }
        )
        self.assertEqual(
            self.env["stock.lot"].search(
                [("origin_country_id", "=", self.env.ref("base.fr").id), ("name", "=", "FLOUR-1")]
            ),
            self.flour_1,
        )

    def test_certifications_need_a_validity_and_a_number(self):
        Certification = self.env["stock.lot.certification"].with_user(self.quality)
        organic = Certification.create(
            {
                "lot_id": self.flour_1.id,
                "certification_type": "organic",
                "number": "FR-BIO-01/2026/117",
                "valid_until": "2027-03-31",
            }
        )
        self.assertEqual(self.flour_1.certification_ids, organic)
        with self.assertRefused(r"Valid Until.*|.*Valid Until", ValidationError) as caught:
            Certification.create(
                {"lot_id": self.flour_1.id, "certification_type": "halal", "number": "H-1"}
            )
        self.assertIn("FLOUR-1", str(caught.exception))
        self.assertIn("H-1", str(caught.exception))
        other = Certification.create(
            {"lot_id": self.flour_1.id, "certification_type": "other", "number": "GMO-free 7"}
        )
        self.assertFalse(other.valid_until)
        with self.assertRefused("Certificate Number", ValidationError):
            Certification.create({"lot_id": self.flour_1.id, "certification_type": "other"})
        self.assertEqual(len(self.flour_1.certification_ids), 2)

    def test_stock_user_cannot_certify(self):
        with self.assertRaises(UserError):  # AccessError is a UserError
            self.env["stock.lot.certification"].with_user(self.stock_user).create(
                {
                    "lot_id": self.flour_1.id,
                    "certification_type": "other",
                    "number": "X",
                }
            )

    # documents ---------------------------------------------------------------
    def _document(self, lot, doc_type, name="coa-mill.pdf", user=None):
        return (
            self.env["ir.attachment"]
            .with_user(user or self.stock_user)
            .create(
                {
                    "name": name,
                    "res_model": "stock.lot",
                    "res_id": lot.id,
                    "lot_document_type": doc_type,
                    "datas": base64.b64encode(b"%PDF-1.4 supplier CoA"),
                }
            )
        )

    def test_documents_tab_lists_typed_documents(self):
        coa = self._document(self.flour_1, "supplier_coa")
        photo = self._document(self.flour_1, "photo", name="pallet.jpg")
        self.assertEqual(self.flour_1.document_ids, coa | photo)
        self.assertEqual(self.flour_1.document_count, 2)
        self.assertEqual(coa.lot_document_type, "supplier_coa")

    def test_documents_added_in_the_tab(self):
        """What the Documents tab of the form does: a new line in the lot's documents."""
        self.flour_1.with_user(self.stock_user).write(
            {
                "document_ids": [
                    Command.create(
                        {
                            "name": "origin.pdf",
                            "lot_document_type": "certificate_origin",
                            "datas": base64.b64encode(b"%PDF-1.4 origin"),
                        }
                    )
                ]
            }
        )
        document = self.flour_1.document_ids
        self.assertEqual((document.res_model, document.res_id), ("stock.lot", self.flour_1.id))
        self.assertEqual(document.lot_document_type, "certificate_origin")

    def test_typed_documents_stay_filed_on_their_lot(self):
        coa = self._document(self.flour_1, "supplier_coa")
        for vals in ({"lot_document_type": False}, {"res_id": self.flour_2.id}):
            with self.assertRefused("Only a Quality Manager can change"):
                coa.with_user(self.stock_user).write(vals)
        coa.with_user(self.stock_user).write({"description": "Mill CoA, week 12"})
        coa.with_user(self.quality).write({"lot_document_type": "lab_report"})
        self.assertEqual(coa.lot_document_type, "lab_report")

    def test_typed_documents_are_not_deleted_silently(self):
        coa = self._document(self.flour_1, "supplier_coa")
        with self.assertRefused("Only a Quality Manager can delete lot documents"):
            coa.with_user(self.stock_user).unlink()
        with self.assertRefused("cannot be replaced"):
            coa.with_user(self.quality).write({"datas": base64.b64encode(b"other file")})
        coa.with_user(self.quality).unlink()
        self.assertFalse(coa.exists())
        self.assertIn("coa-mill.pdf", self.flour_1.message_ids[0].body)
        self.assertIn("Supplier CoA", self.flour_1.message_ids[0].body)

    def test_untyped_attachment_is_odoo_standard(self):
        attachment = self._document(self.flour_1, False, name="note.txt")
        attachment.with_user(self.stock_user).unlink()
        self.assertFalse(attachment.exists())

    def test_lot_with_documents_cannot_be_deleted(self):
        lot = self.env["stock.lot"].create({"name": "SPARE-1", "product_id": self.sugar.id})
        self._document(lot, "lab_report", name="lab.pdf")
        with self.assertRefused("SPARE-1.*quality documents"):
            lot.unlink()
        self.assertTrue(lot.exists())

    # delivery slips ----------------------------------------------------------
    def test_setting_turns_on_lots_on_delivery_slips(self):
        group = self.env.ref("stock.group_lot_on_delivery_slip")
        portal = self.env.ref("base.group_portal")
        self.env["res.config.settings"].create({"lots_on_delivery_slip": False}).execute()
        self.assertNotIn(group, portal.implied_ids)
        self.assertFalse(self.env["stock.lot"]._lots_on_delivery_slip())
        self.env["res.config.settings"].create({"lots_on_delivery_slip": True}).execute()
        self.assertIn(group, portal.implied_ids)
        self.assertIn(group, self.env.ref("base.group_user").implied_ids)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("stock.action_report_delivery", self.delivery_beta.ids)[0]
            .decode()
        )
        self.assertIn("BISCUIT-1", html)
        self.assertIn("BISCUIT-2", html)
