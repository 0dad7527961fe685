import io

from pypdf import PdfReader

from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_quality import QualityCase


@tagged("post_install", "-at_install")
class TestCertificateOfAnalysis(QualityCase):
    """Butter biscuits get a specification; Alpha Stores asks for CoAs with its deliveries,
    shipped to its warehouse address."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.water, cls.listeria = cls._specs(
            cls.biscuit,
            [
                {"name": "Water activity", "method": "AOAC 978.18", "unit": "aw", "max_value": 0.6},
                {
                    "name": "Listeria",
                    "method": "ISO 11290",
                    "value_type": "text",
                    "target": "Absent",
                },
            ],
        )
        cls.alpha_warehouse = cls.env["res.partner"].create(
            {
                "name": "Alpha Stores Warehouse",
                "type": "delivery",
                "parent_id": cls.alpha.id,
                "email": "goods-in@alpha.example.com",
            }
        )
        cls.alpha.send_coa = True

    def _pass_biscuit(self, lot, water=0.42):
        self._result(lot, self.water, water)
        self._result(lot, self.listeria, text="Absent in 25 g", passed=True)
        lot.with_user(self.quality).action_release_quality()

    def _text(self, pdf):
        reader = PdfReader(io.BytesIO(pdf))
        return [page.extract_text() for page in reader.pages], reader

    def _coa_mails(self, delivery):
        return self.env["mail.mail"].search(
            [("model", "=", "stock.picking"), ("res_id", "=", delivery.id)]
        )

    def test_coa_pdf_has_the_lot_its_specification_and_results(self):
        self._pass_biscuit(self.biscuit_1)
        pdf = self.biscuit_1._render_coa_pdf(partner=self.alpha_warehouse)
        pages, _reader = self._text(pdf)
        text = "\n".join(pages)
        for expected in [
            "Certificate of Analysis",
            "COA/",
            self.company.name,
            "Butter Biscuits",
            "Alpha Stores",
            "BISCUIT-1",
            "Water activity",
            "AOAC 978.18",
            "0 - 0.6",
            "0.42 aw",
            "Listeria",
            "Absent in 25 g",
            "Pass",
            "conforms to the specification",
            self.quality.name,
            "Page 1 of 1",
        ]:
            self.assertIn(expected, text)
        self.assertNotIn("Fail", text.splitlines(), "Pass/Fail column: no failed row")
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "stock.lot"), ("res_id", "=", self.biscuit_1.id)]
        )
        self.assertEqual(attachment.mapped("name"), ["CoA BISCUIT-1.pdf"])
        self.assertEqual(attachment.raw, pdf)

    def test_failed_and_missing_results_are_printed_as_such(self):
        self._result(self.biscuit_2, self.water, 0.71)
        pages, _reader = self._text(self.biscuit_2._render_coa_pdf())
        self.assertIn("0.71 aw", pages[0])
        self.assertIn("Fail", pages[0].splitlines())
        self.assertIn("Pending", pages[0], "listeria has no result")
        self.assertIn("does NOT conform", pages[0])
        self.assertIn("Not released by Quality yet", pages[0])
        self.assertNotIn("Customer", pages[0])

    def test_several_lots_make_one_document_with_a_certificate_each(self):
        self._pass_biscuit(self.biscuit_1)
        self._pass_biscuit(self.biscuit_2, water=0.55)
        pages, _reader = self._text((self.biscuit_1 | self.biscuit_2)._render_coa_pdf())
        self.assertEqual(len(pages), 2)
        self.assertIn("BISCUIT-1", pages[0])
        self.assertIn("0.55 aw", pages[1])
        self.assertTrue(all("Page 1 of 1" in page for page in pages))
        numbers = {line for page in pages for line in page.split() if line.startswith("COA/")}
        self.assertEqual(len(numbers), 2, "each certificate has its own number")

    def test_paper_format_of_the_company(self):
        self._pass_biscuit(self.biscuit_1)
        self.company.paperformat_id = self.env.ref("base.paperformat_euro")
        _pages, reader = self._text(self.biscuit_1._render_coa_pdf())
        self.assertAlmostEqual(float(reader.pages[0].mediabox.width), 595.3, delta=1)
        self.company.paperformat_id = self.env.ref("base.paperformat_us")
        _pages, reader = self._text(self.biscuit_1._render_coa_pdf())
        self.assertAlmostEqual(float(reader.pages[0].mediabox.width), 612, delta=1)

    def test_no_coa_for_a_lot_without_specification(self):
        with self.assertRefused("FLOUR-1.*no quality specification"):
            self.flour_1._render_coa_pdf()

    def test_delivery_to_a_coa_customer_queues_one_mail_with_every_certificate(self):
        self._pass_biscuit(self.biscuit_1)
        self._pass_biscuit(self.biscuit_2)
        delivery = self.flow._deliver_lots(
            self.alpha, [(self.biscuit, self.biscuit_1, 1), (self.biscuit, self.biscuit_2, 2)]
        )
        self.assertEqual(delivery.partner_id, self.alpha_warehouse)
        mail = self._coa_mails(delivery)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing", "queued, not sent inside the validation")
        self.assertEqual(mail.recipient_ids, self.alpha_warehouse)
        self.assertEqual(
            sorted(mail.attachment_ids.mapped("name")), ["CoA BISCUIT-1.pdf", "CoA BISCUIT-2.pdf"]
        )
        pages, _reader = self._text(
            mail.attachment_ids.filtered(lambda a: "BISCUIT-2" in a.name).raw
        )
        self.assertIn("Alpha Stores", pages[0])
        self.assertIn(delivery.name, mail.subject)
        self.assertEqual(delivery.coa_mail_state, "queued")

    def test_a_big_delivery_leaves_its_certificates_to_the_scheduled_action(self):
        receipt = self.flow._receive_lots(
            self.mill, [(self.biscuit, f"BIG-{index:02d}", 5) for index in range(21)]
        )
        lots = receipt.move_line_ids.lot_id
        for lot in lots:
            self._pass_biscuit(lot)
        delivery = self.flow._deliver_lots(self.alpha, [(self.biscuit, lot, 1) for lot in lots])
        self.assertEqual(delivery.state, "done")
        self.assertEqual(delivery.coa_mail_state, "to_send")
        self.assertFalse(self._coa_mails(delivery), "not rendered inside the validation")
        self.env["stock.picking"]._cron_send_coa_emails()
        mail = self._coa_mails(delivery)
        self.assertEqual(len(mail), 1)
        self.assertEqual(len(mail.attachment_ids), 21)
        self.assertEqual(delivery.coa_mail_state, "queued")

    def test_a_stock_user_validates_a_delivery_to_a_coa_customer(self):
        self._pass_biscuit(self.biscuit_1)
        delivery = self._sell(self.biscuit, 2, partner=self.alpha)
        self.flow._pick_lots(delivery.move_ids, [(self.biscuit_1, 2)])
        self.flow._validate_picking(delivery.with_user(self.stock_user))
        mail = self._coa_mails(delivery)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.attachment_ids.mapped("name"), ["CoA BISCUIT-1.pdf"])
        self.assertEqual(mail.recipient_ids, self.alpha_warehouse)

    def test_lot_not_passed_blocks_the_mail_not_the_delivery(self):
        self._pass_biscuit(self.biscuit_1)
        self._result(self.biscuit_2, self.water, 0.5)  # listeria still pending
        delivery = self.flow._deliver_lots(
            self.alpha, [(self.biscuit, self.biscuit_1, 1), (self.biscuit, self.biscuit_2, 2)]
        )
        self.assertEqual(delivery.state, "done")
        self.assertFalse(self._coa_mails(delivery))
        warning = delivery.message_ids.filtered(lambda m: "not sent" in (m.body or ""))
        self.assertEqual(len(warning), 1)
        self.assertIn("BISCUIT-2", warning.body)
        self.assertIn("Listeria", warning.body)
        self.assertNotIn("BISCUIT-1 (", warning.body)
        self.assertEqual(delivery.coa_mail_state, "blocked")

    def test_customer_without_the_option_gets_no_mail(self):
        self._pass_biscuit(self.biscuit_2)
        delivery = self.flow._deliver_lots(self.beta, [(self.biscuit, self.biscuit_2, 1)])
        self.assertFalse(self._coa_mails(delivery))
        self.assertFalse(
            self.env["ir.attachment"].search(
                [("res_model", "=", "stock.lot"), ("res_id", "=", self.biscuit_2.id)]
            )
        )

    def test_print_coa_on_a_done_delivery(self):
        self._pass_biscuit(self.biscuit_1)
        self._pass_biscuit(self.biscuit_2)
        delivery = self.delivery_beta.with_user(self.stock_user)
        action = delivery.action_print_coa()
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "stock.picking"), ("res_id", "=", delivery.id)]
        )
        self.assertIn(f"/web/content/{attachment.id}", action["url"])
        pages, _reader = self._text(attachment.raw)
        self.assertEqual(len(pages), 2)
        self.assertIn("Beta Market", pages[0])
        with self.assertRaises(UserError):
            self.return_gamma.action_print_coa()

    def test_print_coa_button_of_the_lot(self):
        self._pass_biscuit(self.biscuit_1)
        action = self.biscuit_1.with_user(self.stock_user).action_print_coa()
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "stock.lot"), ("res_id", "=", self.biscuit_1.id)]
        )
        self.assertEqual(action["url"], f"/web/content/{attachment.id}?download=true")
