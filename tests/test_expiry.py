import base64
import io
import re
import zipfile
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import HoldCase


@tagged("post_install", "-at_install")
class TestExpiry(HoldCase):
    """Cocoa expires: the daily control warns the managers, holds what expired, and
    retailers demanding a minimum shelf life only get lots that last long enough."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls._user("expiry_manager", "stock.group_stock_manager")
        cls.customers = cls.env.ref("stock.stock_location_customers")
        cls.cocoa.standard_price = 2.5

    def _days(self, days):
        return fields.Datetime.now() + timedelta(days=days)

    def _expire(self, lot):
        lot.expiration_date = self._days(-1)

    def _report(self, lot, state):
        self.env.flush_all()
        return self.env["stock.lot.expiry.report"].search(
            [("lot_id", "=", lot.id), ("expiry_state", "=", state)]
        )

    def _control(self):
        mails = self.env["stock.lot"]._cron_expiry_control()
        return mails.filtered(lambda mail: mail.subject.startswith(self.company.name))

    # ------------------------------------------------------------------
    # Alert lead time
    # ------------------------------------------------------------------
    def test_the_company_default_alert_applies_to_products_without_one(self):
        self.company.lot_expiry_alert_days = 10
        expiry = self._days(40)
        lot = self.env["stock.lot"].create(
            {"name": "COCOA-X", "product_id": self.cocoa.id, "expiration_date": expiry}
        )
        self.assertEqual(lot.alert_date, expiry - timedelta(days=10))
        self.cocoa.alert_time = 5
        own = self.env["stock.lot"].create(
            {"name": "COCOA-Y", "product_id": self.cocoa.id, "expiration_date": expiry}
        )
        self.assertEqual(own.alert_date, expiry - timedelta(days=5))

    def test_a_negative_lead_time_or_shelf_life_is_refused(self):
        with self.assertRefused("Cocoa Powder: the expiry alert lead time", ValidationError):
            self.cocoa.alert_time = -1
        with self.assertRefused("default expiry alert lead time cannot be", ValidationError):
            self.company.lot_expiry_alert_days = -3
        with self.assertRefused("Alpha Stores: the minimum remaining shelf", ValidationError):
            self.alpha.min_shelf_life_days = -7
        self.assertEqual(self.cocoa.alert_time, 0)
        self.assertEqual(self.alpha.min_shelf_life_days, 0)

    # ------------------------------------------------------------------
    # Daily control: digest and holds
    # ------------------------------------------------------------------
    def test_the_digest_lists_near_expiry_and_newly_expired_lots_with_value(self):
        self._expire(self.cocoa_old)
        self.cocoa_new.alert_date = self._days(-1)
        mail = self._control()
        self.assertEqual(len(mail), 1, "one digest per company")
        self.assertEqual(mail.state, "outgoing", "queued, not sent inside the control")
        self.assertIn(self.manager.partner_id, mail.recipient_ids)
        self.assertNotIn(self.stock_user.partner_id, mail.recipient_ids)
        self.assertIn("1 newly expired", mail.subject)
        body = mail.body_html
        expired_at, near_at = body.index("Newly expired lots"), body.index("Lots near expiry")
        self.assertLess(expired_at, body.index("COCOA-OLD"))
        self.assertLess(body.index("COCOA-OLD"), near_at)
        self.assertLess(near_at, body.index("COCOA-NEW"))
        rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
        old_row = next(row for row in rows if "COCOA-OLD" in row)
        self.assertIn("Cocoa Powder", old_row)
        self.assertRegex(old_row, r">\s*50\s*Units")
        self.assertIn("125.00", old_row)

    def test_newly_expired_stock_is_held_once(self):
        self._expire(self.cocoa_old)
        self._control()
        hold = self.cocoa_old.active_hold_ids
        self.assertEqual(hold.reason, "expired")
        self.assertEqual(self.cocoa_old.hold_state, "held")
        self.assertEqual(self.cocoa_new.hold_state, "free")
        second = self._control()
        self.assertEqual(self.cocoa_old.hold_ids, hold, "no second hold")
        self.assertNotIn("COCOA-OLD", second.body_html or "")
        hold.with_user(self.quality).action_release("Destroyed on site, certificate 118")
        self._control()
        self.assertEqual(self.cocoa_old.hold_state, "free", "a QA decision is not overruled")

    def test_a_lot_already_held_for_expiry_gets_no_second_hold(self):
        self._expire(self.cocoa_old)
        placed = self._hold(self.cocoa_old, reason="expired", note="Seen expired on the shelf")
        self._control()
        self.assertEqual(self.cocoa_old.hold_ids, placed)
        self.assertTrue(self.cocoa_old.expiry_reported)

    def test_fefo_never_reserves_the_expired_then_held_lot(self):
        self._use_removal("product_expiry.removal_fefo")
        self._expire(self.cocoa_old)
        delivery = self._sell(self.cocoa, 10)
        delivery.do_unreserve()
        # an overdue delivery, planned before the lot expired: Odoo's own expiry filter
        # (the move's date) lets the expired lot through
        delivery.scheduled_date = self._days(-3)
        delivery.action_assign()
        self.assertEqual(delivery.move_line_ids.lot_id, self.cocoa_old)
        delivery.do_unreserve()
        self._control()
        delivery.action_assign()
        self.assertEqual(delivery.move_line_ids.lot_id, self.cocoa_new)
        self.assertEqual(self._sell(self.cocoa, 60).move_ids.quantity, 40)

    # ------------------------------------------------------------------
    # Reports and overview
    # ------------------------------------------------------------------
    def test_near_expiry_and_expired_reports_by_lot_location_and_value(self):
        self._expire(self.cocoa_old)
        self.cocoa_new.alert_date = self._days(-1)
        expired = self._report(self.cocoa_old, "expired")
        self.assertEqual(
            (expired.location_id, expired.quantity, expired.value), (self.stock, 50, 125)
        )
        self.assertEqual(self._report(self.cocoa_new, "near_expiry").quantity, 50)
        self.assertFalse(self._report(self.cocoa_new, "expired"))
        action = (
            self.env["stock.lot.expiry.report"]
            .with_context(expiry_report="expired")
            .action_export_xlsx()
        )
        attachment_id = int(re.search(r"/web/content/(\d+)", action["url"]).group(1))
        content = base64.b64decode(self.env["ir.attachment"].browse(attachment_id).datas)
        with zipfile.ZipFile(io.BytesIO(content)) as workbook:
            sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
        self.assertIn("COCOA-OLD", sheet)
        self.assertNotIn("COCOA-NEW", sheet)

    def test_the_overview_counts_open_the_lists_they_count(self):
        self._hold(self.cocoa_new)
        self.env.flush_all()
        overview = self.env["stock.lot.expiry.overview"].search(
            [("company_id", "=", self.company.id)]
        )
        held = self.env["stock.lot"].search(overview.action_open_held_lots()["domain"])
        self.assertIn(self.cocoa_new, held)
        self.assertEqual(overview.held_lot_count, len(held))
        for days, expected, excluded in [
            (30, self.cocoa_old | self.eggs_1, self.cocoa_new),
            (90, self.cocoa_old | self.cocoa_new, self.flour_1),
        ]:
            action = overview.with_context(expiry_days=days).action_open_expiring()
            lots = self.env[action["res_model"]].search(action["domain"]).lot_id
            self.assertEqual(lots & expected, expected)
            self.assertFalse(lots & excluded)
            self.assertEqual(overview[f"expiring_{days}_count"], len(lots))
        self._expire(self.cocoa_old)
        self.env.flush_all()
        overview.invalidate_recordset()
        expired = self.env["stock.lot.expiry.report"].search(
            overview.action_open_expired()["domain"]
        )
        self.assertIn(self.cocoa_old, expired.lot_id)
        self.assertAlmostEqual(overview.expired_value, sum(expired.mapped("value")))
        graph = overview.action_open_weekly_graph()
        self.assertEqual(graph["views"][0][1], "graph")

    # ------------------------------------------------------------------
    # Customer minimum remaining shelf life
    # ------------------------------------------------------------------
    def test_reservation_skips_lots_too_short_for_the_customer(self):
        self._use_removal("product_expiry.removal_fefo")
        self.alpha.min_shelf_life_days = 60
        store = self.env["res.partner"].create({"name": "Alpha Lyon", "parent_id": self.alpha.id})
        for partner in self.alpha | store:
            with self.subTest(partner=partner.name):
                delivery = self._sell(self.cocoa, 10, partner)
                self.assertEqual(delivery.move_line_ids.lot_id, self.cocoa_new)
                delivery.action_cancel()
        standard = self._sell(self.cocoa, 10, self.beta)
        self.assertEqual(standard.move_line_ids.lot_id, self.cocoa_old, "FEFO unchanged")

    def _short_delivery(self):
        self.alpha.min_shelf_life_days = 60
        picking = self._picking(
            self.cocoa_old, 10, self.stock, self.customers, self.warehouse.out_type_id
        )
        picking.partner_id = self.alpha
        return picking

    def test_shipping_a_lot_too_short_needs_a_quality_manager(self):
        picking = self._short_delivery()
        action = picking.with_user(self.stock_user).button_validate()
        self.assertEqual(action["res_model"], "stock.picking.shelf.life.wizard")
        wizard = self.env[action["res_model"]].with_user(self.stock_user).browse(action["res_id"])
        self.assertIn("COCOA-OLD", wizard.summary)
        self.assertFalse(wizard.can_override)
        wizard.note = "I think it is fine"
        with self.assertRefused("Only a Quality Manager", AccessError):
            wizard.action_override()
        self.assertEqual(picking.state, "assigned")
        self.assertFalse(picking.shelf_life_override_by_id)

        action = picking.with_user(self.quality).button_validate()
        wizard = self.env[action["res_model"]].with_user(self.quality).browse(action["res_id"])
        self.assertTrue(wizard.can_override)
        wizard.note = "Alpha accepts 30 days, mail of 12/11 from their buyer"
        wizard.action_override()
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.shelf_life_override_by_id, self.quality)
        self.assertEqual(picking.shelf_life_override_note, wizard.note)
        message = picking.message_ids.filtered(lambda m: "overridden" in (m.body or ""))
        self.assertIn("COCOA-OLD", message.body)
        self.assertIn("mail of 12/11", message.body)

    def test_the_override_is_never_typed(self):
        picking = self._short_delivery()
        with self.assertRefused("recorded by a Quality Manager's confirmation"):
            picking.write({"shelf_life_override_by_id": self.quality.id})

    def test_a_long_enough_lot_ships_without_override(self):
        self.alpha.min_shelf_life_days = 60
        picking = self._picking(
            self.cocoa_new, 10, self.stock, self.customers, self.warehouse.out_type_id
        )
        picking.write({"partner_id": self.alpha.id})
        self.assertIs(picking.button_validate(), True)
        self.assertEqual(picking.state, "done")
        self.assertFalse(picking.shelf_life_override_by_id)
