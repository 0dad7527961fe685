import io
from datetime import timedelta
from unittest.mock import patch

import openpyxl
from pypdf import PdfReader

from odoo import Command
from odoo.addons.stock_lot_traceability.reports import stock_recall_pdf
from odoo.tests import tagged

from .common import TraceabilityCase

LOT_COUNT = 30
HOLD_REVIEW = "stock_lot_traceability.mail_activity_type_hold_review"


@tagged("post_install", "-at_install")
class TestRecallScale(TraceabilityCase):
    """Sugar Co recalls the 30 lots of sea salt it delivered in one receipt; six of them
    already went out to Alpha and Beta, all still have stock. Everything a recall does to
    those lots is done in batches: one insert of the holds, one review activity per
    reviewer, one digest on the recall, and exports that stream their rows."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salt = cls._lot_product("Sea Salt", sale_ok=True)
        names = [f"SALT-{number:02d}" for number in range(1, LOT_COUNT + 1)]
        cls.flow._receive_lots(cls.sugar_co, [(cls.salt, name, 10) for name in names])
        cls.salt_lots = cls.env["stock.lot"].search([("name", "in", names)])
        first, second = cls.salt_lots.sorted("name")[:3], cls.salt_lots.sorted("name")[3:6]
        cls.delivery_alpha_salt = cls.flow._deliver_lots(
            cls.alpha, [(cls.salt, lot, 2) for lot in first]
        )
        cls.delivery_beta_salt = cls.flow._deliver_lots(
            cls.beta, [(cls.salt, lot, 3) for lot in second]
        )
        cls.manager = cls._user(
            "scale_recall_manager", "stock_lot_traceability.group_recall_manager"
        )
        cls.manager.tz = "Asia/Tokyo"  # UTC+9 all year: dates in exports are shifted by 9 h
        cls.quality = cls._user("scale_quality", "stock_lot_traceability.group_quality_manager")
        cls.quality_2 = cls._user("scale_quality_2", "stock_lot_traceability.group_quality_manager")

    def _recall(self, **vals):
        recall = (
            self.env["stock.recall"]
            .with_user(self.manager)
            .create(
                {
                    "lot_ids": [Command.set(self.salt_lots.ids)],
                    "reason": "Supplier notice: foreign bodies in sea salt",
                    **vals,
                }
            )
        )
        recall.action_compute_scope()
        return recall

    def _reviewers(self, placed_by):
        group = self.env.ref("stock_lot_traceability.group_quality_manager")
        reviewers = group.users.filtered(
            lambda user: self.company in user.company_ids and not user.share
        )
        return (reviewers - placed_by) or placed_by

    def _messages(self, model, records):
        return self.env["mail.message"].search(
            [("model", "=", model), ("res_id", "in", records.ids)]
        )

    # holds ---------------------------------------------------------------------
    def test_recall_holds_are_placed_in_one_batch(self):
        recall = self._recall()
        self.assertEqual(recall.affected_lot_count, LOT_COUNT)
        recall_messages = self._messages("stock.recall", recall)
        lot_messages = self._messages("stock.lot", self.salt_lots)
        mails = self.env["mail.mail"].search([])
        hold_model = self.registry["stock.lot.hold"]
        create, batches = hold_model.create, []

        def counting_create(records, vals_list):
            batches.append(len(vals_list))
            return create(records, vals_list)

        with patch.object(hold_model, "create", counting_create):
            recall.action_hold_stock()

        holds = recall.hold_ids
        self.assertEqual(batches, [LOT_COUNT], "all holds in one create")
        self.assertEqual(holds.lot_id, self.salt_lots)
        self.assertEqual(set(self.salt_lots.mapped("hold_state")), {"held"})
        # one review activity per reviewer, on the recall, none on the holds
        reviewers = self._reviewers(self.manager)
        review_type = self.env.ref(HOLD_REVIEW)
        activities = recall.activity_ids.filtered(lambda act: act.activity_type_id == review_type)
        self.assertEqual(len(activities), len(reviewers))
        self.assertEqual(activities.user_id, reviewers)
        self.assertFalse(holds.activity_ids)
        self.assertIn("Review 30 holds", activities[0].summary)
        # one digest on the recall, one chatter line per lot, nothing on the holds
        new_messages = self._messages("stock.recall", recall) - recall_messages
        notices = new_messages.filtered(lambda m: m.message_type == "user_notification")
        self.assertLessEqual(len(notices), len(reviewers), "activity notices to reviewers")
        digest = new_messages - notices
        self.assertEqual(len(digest), 1)
        self.assertIn("30 lots put on hold", digest.body)
        self.assertIn("Sea Salt: 30", digest.body)
        new_lot_messages = self._messages("stock.lot", self.salt_lots) - lot_messages
        self.assertEqual(len(new_lot_messages), LOT_COUNT)
        self.assertEqual(set(new_lot_messages.mapped("res_id")), set(self.salt_lots.ids))
        self.assertTrue(all("Placed on hold" in body for body in new_lot_messages.mapped("body")))
        self.assertFalse(self._messages("stock.lot.hold", holds))
        self.assertFalse(holds.message_follower_ids)
        # no mail per hold: at most the reviewers' activity notices
        new_mails = self.env["mail.mail"].search([]) - mails
        self.assertLessEqual(len(new_mails), len(reviewers))
        self.assertFalse(
            new_mails.filtered(lambda mail: mail.model in ("stock.lot.hold", "stock.lot"))
        )
        # the review is done when the last hold of the recall is lifted
        holds[:-1].with_user(self.quality).action_release("Supplier cleared these lots")
        self.assertEqual(
            len(recall.activity_ids.filtered(lambda a: a.activity_type_id == review_type)),
            len(reviewers),
        )
        holds[-1].with_user(self.quality).action_cancel("Destroyed")
        self.assertFalse(recall.activity_ids.filtered(lambda a: a.activity_type_id == review_type))

    def test_holds_from_the_lot_list_get_one_review_per_reviewer(self):
        lots = self.salt_lots.sorted("name")[:10]
        wizard = (
            self.env["stock.lot.hold.wizard"]
            .with_user(self.quality)
            .create(
                {
                    "lot_ids": [Command.set(lots.ids)],
                    "reason": "lab_pending",
                    "note": "Heavy metals screen",
                }
            )
        )
        action = wizard.action_confirm()
        holds = self.env["stock.lot.hold"].search(action["domain"])
        self.assertEqual(len(holds), 10)
        self.assertEqual(len(set(holds.mapped("name"))), 10)
        self.assertTrue(all(name.startswith("HOLD/") for name in holds.mapped("name")))
        activities = holds.activity_ids
        reviewers = self._reviewers(self.quality)
        self.assertIn(self.quality_2, reviewers)
        self.assertEqual(len(activities), len(reviewers))
        self.assertEqual(activities.user_id, reviewers)
        self.assertEqual(len(set(activities.mapped("res_id"))), 1, "all on one hold of the batch")
        self.assertIn("Review 10 quality holds", activities[0].summary)
        self.assertIn(lots[0].name, activities[0].note)
        # releasing part of the batch keeps the review open; the last release closes it
        holds[:9].with_user(self.quality_2).action_release("Screen negative")
        self.assertEqual(holds.activity_ids, activities)
        holds[9:].with_user(self.quality_2).action_release("Screen negative")
        self.assertFalse(holds.activity_ids)
        self.assertEqual(set(lots.mapped("hold_state")), {"free"})

    # exports -------------------------------------------------------------------
    def test_xlsx_streams_rows_in_the_user_time_zone_and_caps_cells(self):
        recall = self._recall(reason="Foreign bodies. " * 3000)  # 48,000 characters
        self.assertGreater(len(recall.reason), 32767)
        recall.action_export_xlsx()
        workbook = openpyxl.load_workbook(io.BytesIO(recall.xlsx_attachment_id.raw))
        sheets = {
            name: list(workbook[name].iter_rows(values_only=True)) for name in workbook.sheetnames
        }
        for name, rows in sheets.items():
            for row in rows:
                for value in row:
                    self.assertLessEqual(len(str(value or "")), 32767, name)
        summary = dict(row[:2] for row in sheets["Summary"])
        self.assertTrue(summary["Reason"].endswith("(truncated)"))
        self.assertEqual(summary["Dates and times in"], "Asia/Tokyo")
        self.assertEqual(len(sheets["Affected lots"]) - 1, LOT_COUNT)
        self.assertEqual(len(sheets["Mass balance"]) - 1, LOT_COUNT)
        self.assertEqual(len(sheets["Deliveries"]) - 1, 6)
        self.assertEqual(len(sheets["FSMA 204"]) - 1, 6)
        header = sheets["Deliveries"][0]
        ship_dates = {
            row[header.index("Lot")]: row[header.index("Ship Date")]
            for row in sheets["Deliveries"][1:]
        }
        for delivery in recall.delivery_ids:
            expected = delivery.date_done + timedelta(hours=9)
            self.assertLess(abs(ship_dates[delivery.lot_id.name] - expected), timedelta(seconds=1))

    def test_pdf_has_every_row_across_blocks_and_pages(self):
        recall = self._recall()
        recall.action_notify_customers()
        with patch.object(stock_recall_pdf, "BLOCK_ROWS", 7):  # several blocks per table
            recall.action_print_report()
        reader = PdfReader(io.BytesIO(recall.pdf_attachment_id.raw))
        self.assertGreater(len(reader.pages), 2)
        text = "\n".join(page.extract_text() for page in reader.pages)
        # every lot in the summary's origin lots, in the affected lots and the mass balance,
        # and once per delivery line
        for lot in self.salt_lots:
            self.assertEqual(
                text.count(lot.name),
                3 + len(recall.delivery_ids.filtered(lambda d, lot=lot: d.lot_id == lot)),
                lot.name,
            )
        for picking in (self.delivery_alpha_salt, self.delivery_beta_salt):
            self.assertIn(picking.name, text)
        self.assertIn("Alpha Stores", text)
        self.assertIn("Beta Market", text)
        self.assertIn("Sign-off", text)
