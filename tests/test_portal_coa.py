import io

from pypdf import PdfReader

from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import TraceabilityMixin


@tagged("post_install", "-at_install")
class TestPortalCoa(TraceabilityMixin, HttpCase):
    """Alpha Stores (asks for CoAs) and Beta Market each received a lot of biscuits; a
    portal user of each customer looks for their Certificates of Analysis."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.flow = cls.env["stock.lot.traceability.flow"]
        cls._create_partners()
        cls._create_products()
        cls.env["product.quality.spec"].create(
            {"product_tmpl_id": cls.biscuit.product_tmpl_id.id, "name": "Water activity"}
        )
        cls.env["res.config.settings"].create({"lots_on_delivery_slip": True}).execute()
        cls.alpha.send_coa = True
        cls.flow._receive_lots(
            cls.mill, [(cls.biscuit, "PORTAL-A", 20), (cls.biscuit, "PORTAL-B", 20)]
        )
        cls.lot_a, cls.lot_b = cls._lot("PORTAL-A"), cls._lot("PORTAL-B")
        cls.delivery_a = cls.flow._deliver_lots(cls.alpha, [(cls.biscuit, cls.lot_a, 4)])
        cls.delivery_b = cls.flow._deliver_lots(cls.beta, [(cls.biscuit, cls.lot_b, 3)])
        cls.portal_alpha = cls._portal_user("portal_alpha", cls.alpha)
        cls.portal_beta = cls._portal_user("portal_beta", cls.beta)

    @classmethod
    def _portal_user(cls, login, customer):
        user = new_test_user(cls.env, login=login, groups="base.group_portal", password=login)
        user.partner_id.write({"parent_id": customer.id, "email": f"{login}@example.com"})
        return user

    def _get(self, url, status=200):
        response = self.url_open(url)
        self.assertEqual(response.status_code, status, url)
        return response

    def _pdf_text(self, response):
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        reader = PdfReader(io.BytesIO(response.content))
        return "\n".join(page.extract_text() for page in reader.pages)

    def test_portal_customers_see_only_their_own_lots(self):
        self.authenticate("portal_alpha", "portal_alpha")
        page = self._get("/my/coa").text
        self.assertIn("PORTAL-A", page)
        self.assertIn(self.delivery_a.name, page)
        self.assertIn(f"/my/coa/{self.lot_a.id}", page)
        self.assertNotIn("PORTAL-B", page)

        self.authenticate("portal_beta", "portal_beta")
        page = self._get("/my/coa").text
        self.assertIn("PORTAL-B", page)
        self.assertNotIn("PORTAL-A", page)

    def test_portal_customer_downloads_only_their_own_coa(self):
        self.authenticate("portal_alpha", "portal_alpha")
        text = self._pdf_text(self._get(f"/my/coa/{self.lot_a.id}"))
        self.assertIn("PORTAL-A", text)
        self.assertIn("Water activity", text)
        self._get(f"/my/coa/{self.lot_b.id}", status=404)
        self._get("/my/coa/999999999", status=404)

    def test_a_second_download_gets_the_same_certificate_until_a_new_result(self):
        self.authenticate("portal_alpha", "portal_alpha")
        first = self._get(f"/my/coa/{self.lot_a.id}").content
        second = self._get(f"/my/coa/{self.lot_a.id}").content
        self.assertEqual(first, second)
        issued = self.env["ir.attachment"].search(
            [("res_model", "=", "stock.lot"), ("res_id", "=", self.lot_a.id)]
        )
        self.assertEqual(len(issued), 1)
        self.assertEqual(
            (issued.lot_document_type, issued.coa_partner_id), ("issued_coa", self.alpha)
        )
        # an issued certificate is evidence: a stock user cannot delete it
        stock_user = new_test_user(
            self.env, login="portal_coa_stock", groups="stock.group_stock_user"
        )
        with self.assertRaises(UserError):
            issued.with_user(stock_user).unlink()
        # a new result makes the next download a new certificate
        spec = self.env["product.quality.spec"].search(
            [("product_tmpl_id", "=", self.biscuit.product_tmpl_id.id)]
        )
        self.env["stock.lot.test.result"].create(
            {"lot_id": self.lot_a.id, "spec_id": spec.id, "value": "0.5"}
        )
        # (the test's requests share one transaction: date the first certificate earlier)
        self.env.cr.execute(
            "UPDATE ir_attachment SET create_date = create_date - interval '1 hour' WHERE id = %s",
            [issued.id],
        )
        issued.invalidate_recordset(["create_date"])
        third = self._get(f"/my/coa/{self.lot_a.id}").content
        self.assertNotEqual(third, first)

    def test_my_account_counts_the_delivered_lots(self):
        self.authenticate("portal_beta", "portal_beta")
        self.assertIn("/my/coa", self._get("/my").text)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["coa_count"]})
        self.assertEqual(counters["coa_count"], 1)

    def test_anonymous_visitors_need_the_delivery_token(self):
        self._get(f"/my/coa/{self.lot_a.id}", status=404)
        url = self.lot_a._coa_portal_url(self.delivery_a)
        self.assertIn("PORTAL-A", self._pdf_text(self._get(url)))
        forged = url.replace("access_token=", "access_token=0")
        self._get(forged, status=404)
        other_lot = url.replace(f"/my/coa/{self.lot_a.id}?", f"/my/coa/{self.lot_b.id}?")
        self._get(other_lot, status=404)

    def test_delivery_slip_lists_lots_with_coa_links_for_customers_who_ask(self):
        report = self.env["ir.actions.report"]
        slip_a = report._render_qweb_html("stock.action_report_delivery", self.delivery_a.ids)[0]
        slip_b = report._render_qweb_html("stock.action_report_delivery", self.delivery_b.ids)[0]
        self.assertIn("PORTAL-A", slip_a.decode())
        self.assertIn(f"/my/coa/{self.lot_a.id}?picking_id={self.delivery_a.id}", slip_a.decode())
        self.assertIn("PORTAL-B", slip_b.decode())
        self.assertNotIn("/my/coa/", slip_b.decode(), "Beta Market does not ask for CoAs")

    def test_portal_order_page_lists_the_lots_of_each_delivery(self):
        order = self.delivery_a.sale_id
        token = order._portal_ensure_token()
        page = self._get(f"/my/orders/{order.id}?access_token={token}").text
        self.assertIn("PORTAL-A", page)
        self.assertIn(f"/my/coa/{self.lot_a.id}?picking_id={self.delivery_a.id}", page)
        order_b = self.delivery_b.sale_id
        order_b.message_subscribe(partner_ids=self.portal_beta.partner_id.ids)
        self.authenticate("portal_beta", "portal_beta")
        page = self._get(f"/my/orders/{order_b.id}").text
        self.assertIn("PORTAL-B", page)
        self.assertNotIn("/my/coa/", page)

    def test_portal_users_have_no_access_to_lots(self):
        """The portal reads lots for its own customer only: the models stay closed."""
        lots = self.env["stock.lot"].with_user(self.portal_alpha)
        self.assertFalse(lots.has_access("read"))
        self.assertFalse(
            self.env["stock.move.line"].with_user(self.portal_alpha).has_access("read")
        )
        self.assertEqual(
            self.env["stock.lot"]._customer_delivery_lines(self.portal_alpha.partner_id).lot_id,
            self.lot_a,
        )
        # a contact of the same customer company sees the same lots
        colleague = self.env["res.partner"].create(
            {"name": "Alpha buyer", "parent_id": self.alpha.id}
        )
        self.assertEqual(
            self.env["stock.lot"]._customer_delivery_lines(colleague).lot_id, self.lot_a
        )
