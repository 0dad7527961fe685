from unittest.mock import patch

from psycopg2 import IntegrityError
from psycopg2.errors import DivisionByZero

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import float_is_zero, mute_logger

from ..models import bulk
from .common import TraceabilityCase


@tagged("post_install", "-at_install")
class TestRecallScopeSetBased(TraceabilityCase):
    """The scope of a recall is written set-based (one statement per table, at recall
    scale): its lines must still carry everything the ORM would have given them.

    FLOUR-2 ─> PREMIX-1 ─> BISCUIT-1 ─> Alpha 4, Beta 3
           └─> PREMIX-2 ─> BISCUIT-2 ─> Beta 2, Gamma 5 (2 back before any recall)
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls._user("scale_manager", "stock_lot_traceability.group_recall_manager")

    def _recall(self, lots):
        recall = (
            self.env["stock.recall"]
            .with_user(self.manager)
            .create(
                {
                    "lot_ids": [Command.set(lots.ids)],
                    "reason": "Salmonella in flour",
                    "classification": "class_1",
                }
            )
        )
        recall.action_compute_scope()
        return recall

    def test_scope_lines_carry_company_product_scope_author_and_computed_values(self):
        recall = self._recall(self.flour_2)
        lots, deliveries = recall.recall_lot_ids, recall.delivery_ids
        self.assertEqual(
            lots.lot_id,
            self.flour_2 | self.premix_1 | self.premix_2 | self.biscuit_1 | self.biscuit_2,
        )
        for line in [*lots, *deliveries]:
            self.assertEqual(line.company_id, recall.company_id)
            self.assertEqual(line.scope_id, recall.scope_id)
            self.assertFalse(line.superseded)
        # the lines carry no author of their own: their scope version does
        self.assertEqual(recall.scope_id.computed_by_id, self.manager)
        for line in lots:
            self.assertEqual(line.product_id, line.lot_id.product_id)
            rounding = line.product_id.uom_id.rounding
            self.assertEqual(
                line.has_mass_balance_gap,
                not float_is_zero(line.mass_balance_gap, precision_rounding=rounding),
            )
        gamma_delivery = deliveries.filtered(lambda line: line.partner_id == self.gamma)
        self.assertEqual(
            (gamma_delivery.quantity, gamma_delivery.returned_qty, gamma_delivery.net_qty),
            (5.0, 2.0, 3.0),
        )
        for delivery in deliveries:
            self.assertEqual(delivery.partner_line_id.partner_id, delivery.partner_id)
            self.assertEqual(delivery.product_id, delivery.move_line_id.product_id)
        self.assertEqual(
            (
                recall.affected_lot_count,
                recall.delivery_count,
                recall.customer_count,
                recall.unassigned_delivery_count,
                recall.mass_balance_gap_count,
            ),
            (5, 4, 3, 0, len(lots.filtered("has_mass_balance_gap"))),
        )
        # customer product lines: related fields, shipped net of the earlier return, totals
        products = recall.partner_line_ids.product_line_ids
        self.assertEqual(
            {(line.partner_id, line.product_id, line.shipped_qty) for line in products},
            {(self.alpha, self.biscuit, 4.0), (self.beta, self.biscuit, 5.0)}
            | {(self.gamma, self.biscuit, 3.0)},
        )
        for line in products:
            self.assertEqual(line.recall_id, recall)
            self.assertEqual(line.company_id, recall.company_id)
            self.assertEqual(line.partner_id, line.partner_line_id.partner_id)
            self.assertEqual((line.recovered_qty, line.remaining_qty), (0.0, line.shipped_qty))
        self.assertEqual(
            {(line.partner_id, line.quantity) for line in recall.partner_line_ids},
            {(self.alpha, 4.0), (self.beta, 5.0), (self.gamma, 3.0)},
        )
        self.assertEqual(recall.scope_id.lot_count, 5)

    def test_a_recall_manager_rescopes_and_the_customer_lines_are_kept(self):
        recall = self._recall(self.flour_2)
        first = recall.scope_id
        customers = recall.partner_line_ids
        customer_products = customers.product_line_ids
        recall.with_user(self.manager).action_compute_scope()
        self.assertNotEqual(recall.scope_id, first)
        self.assertTrue(all(first.recall_lot_ids.mapped("superseded")))
        self.assertTrue(all(first.delivery_ids.mapped("superseded")))
        self.assertTrue(all(first.product_line_ids.mapped("superseded")))
        self.assertEqual(recall.scope_id.computed_by_id, self.manager)
        self.assertFalse(recall.recall_lot_ids & first.recall_lot_ids)
        self.assertEqual(recall.recall_lot_ids.lot_id, first.recall_lot_ids.lot_id)
        self.assertEqual(recall.delivery_ids.partner_line_id, customers)
        self.assertEqual(recall.partner_line_ids, customers)
        self.assertEqual(recall.partner_line_ids.product_line_ids, customer_products)
        self.assertEqual((recall.affected_lot_count, recall.delivery_count), (5, 4))
        self.assertEqual(recall.product_line_ids.scope_id, recall.scope_id)

    def test_scope_lines_keep_only_the_foreign_keys_that_protect_something(self):
        """PostgreSQL checks each foreign key of each line a scope inserts: the lines keep
        those that protect the evidence (models/snapshot_fields.py)."""
        self.env.cr.execute(
            """
            SELECT table_.relname, column_.attname, constraint_.confdeltype
              FROM pg_constraint constraint_
              JOIN pg_class table_ ON table_.oid = constraint_.conrelid
              JOIN pg_attribute column_
                ON column_.attrelid = table_.oid AND column_.attnum = constraint_.conkey[1]
             WHERE constraint_.contype = 'f' AND table_.relname = ANY(%s)
               AND column_.attname != 'accounted_by_id'
            """,
            [["stock_recall_lot", "stock_recall_delivery", "stock_recall_partner_product"]],
        )
        self.assertEqual(
            set(self.env.cr.fetchall()),
            {
                ("stock_recall_lot", "recall_id", "c"),
                ("stock_recall_lot", "lot_id", "r"),
                ("stock_recall_delivery", "recall_id", "c"),
                ("stock_recall_delivery", "partner_id", "r"),
                ("stock_recall_partner_product", "partner_line_id", "c"),
            },
        )
        # what the others pointed at cannot disappear while a recall names it
        recall = self._recall(self.flour_2)
        delivery = recall.delivery_ids[:1]
        with self.assertRaisesRegex(UserError, "done"):
            delivery.move_line_id.sudo().unlink()
        with self.assertRaises(UserError):
            delivery.lot_id.sudo().unlink()
        # the lot, the recall's product line and the move lines refer to the product
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                delivery.product_id.sudo().unlink()

    def test_each_lot_line_balances_its_flows_against_its_stock(self):
        stock = (
            self.env["stock.warehouse"]
            .search([("company_id", "=", self.company.id)], limit=1)
            .lot_stock_id
        )
        shelf = self.env["stock.location"].create({"name": "Shelf B", "location_id": stock.id})
        # 2.5 kg of FLOUR-2 found on a shelf, with no move that brought them there
        self.env["stock.quant"]._update_available_quantity(
            self.flour.product_variant_id, shelf, 2.5, lot_id=self.flour_2
        )
        recall = self._recall(self.flour_2)
        lines = {line.lot_id: line for line in recall.recall_lot_ids}
        flour = lines[self.flour_2]
        self.assertEqual(
            (flour.depth, flour.received_qty, flour.consumed_qty, flour.shipped_qty),
            (0, 100.0, 25.0, 0.0),
        )
        self.assertEqual(flour.on_hand_qty, 77.5)
        self.assertEqual(
            flour.on_hand_locations, f"{stock.complete_name}: 75; {shelf.complete_name}: 2.5"
        )
        self.assertEqual((flour.mass_balance_gap, flour.has_mass_balance_gap), (-2.5, True))
        biscuit = lines[self.biscuit_2]
        self.assertEqual(
            (
                biscuit.depth,
                biscuit.produced_qty,
                biscuit.shipped_qty,
                biscuit.returned_qty,
                biscuit.on_hand_qty,
            ),
            (2, 10.0, 7.0, 2.0, 5.0),
        )
        self.assertEqual((biscuit.mass_balance_gap, biscuit.has_mass_balance_gap), (0.0, False))
        self.assertEqual(recall.mass_balance_gap_count, 1)

    def test_the_scope_turns_jit_off_for_itself_only(self):
        self.env.cr.execute("SET LOCAL jit = on")
        seen = []
        lot_model = type(self.env["stock.recall.lot"])
        insert = lot_model._insert_for_scope

        def spy(model, scope, depths):
            model.env.cr.execute("SHOW jit")
            seen.append(model.env.cr.fetchone()[0])
            return insert(model, scope, depths)

        with patch.object(lot_model, "_insert_for_scope", spy):
            self._recall(self.flour_2)
        self.env.cr.execute("SHOW jit")
        self.assertEqual((seen, self.env.cr.fetchone()[0]), (["off"], "on"))
        # an error inside reaches the caller as itself, for Odoo to retry or report it
        with self.assertRaises(DivisionByZero), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint(), bulk.without_jit(self.env.cr):
                self.env.cr.execute("SELECT 1 / 0")
        self.env.cr.execute("SHOW jit")
        self.assertEqual(self.env.cr.fetchone()[0], "on")
