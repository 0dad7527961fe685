import base64
import json
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytz
from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools.barcode import get_barcode_check_digit

from ..models.epcis import GS1_LOT, gln, gtin14
from .common import TraceabilityCase

SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "epcis" / "EPCIS-JSON-Schema.json").read_text()
)


def with_check_digit(digits):
    """A GTIN/GLN: ``digits`` followed by their GS1 check digit."""
    return digits + str(get_barcode_check_digit(digits + "0"))


@tagged("post_install", "-at_install")
class TestEpcis(TraceabilityCase):
    """EPCIS 2.0 exports of the biscuit factory, validated against GS1's JSON schema.

    Biscuits carry a GTIN (EAN-13), flour a GTIN-14; sugar's barcode has a wrong check digit
    and the other products none, so their lots get the company's private URNs.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.biscuit_gtin = with_check_digit("400638133393")
        cls.flour_gtin = with_check_digit("1061414100041")
        cls.biscuit.barcode = cls.biscuit_gtin
        cls.flour.barcode = cls.flour_gtin
        bad = with_check_digit("761234567890")
        cls.sugar.barcode = bad[:-1] + str((int(bad[-1]) + 1) % 10)
        cls.user = cls._user("epcis_user", "stock_lot_traceability.group_traceability_user")
        cls.validator = jsonschema.Draft7Validator(
            SCHEMA, format_checker=jsonschema.FormatChecker()
        )

    # helpers ------------------------------------------------------------------------
    def assertValidEpcis(self, document):
        """Valid against the schema, identifiers checked as URIs, and plain JSON."""
        self.assertIn("uri", self.validator.format_checker.checkers, "install rfc3986-validator")
        document = json.loads(json.dumps(document))
        errors = sorted(self.validator.iter_errors(document), key=lambda error: error.path)
        self.assertFalse(errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5]))
        self.assertEqual(document["schemaVersion"], "2.0")
        self.assertEqual(document["type"], "EPCISDocument")
        return document["epcisBody"]["eventList"]

    def _events(self, events, step, disposition=None):
        return [
            event
            for event in events
            if event.get("bizStep") == step
            and (disposition is None or event.get("disposition") == disposition)
        ]

    def _quantities(self, quantity_list):
        return {element["epcClass"]: element["quantity"] for element in quantity_list}

    def _class(self, lot):
        """The lot's epcClass: its LGTIN Digital Link, else a private URN of the company."""
        gtin = {self.biscuit: self.biscuit_gtin, self.flour: self.flour_gtin}.get(lot.product_id)
        if gtin:
            return f"https://id.gs1.org/01/{gtin.zfill(14)}/10/{lot.name}"
        uuid = self.env["ir.config_parameter"].get_param("database.uuid")
        company = lot.company_id or self.env.company
        return f"urn:odoo:{uuid}:{company.id}:lot:{lot.product_id.id}:{lot.name}"

    # lots --------------------------------------------------------------------------------
    def test_downstream_of_a_flour_lot(self):
        """FLOUR-2 down: its receipt, the four MOs of two levels, three deliveries and
        Gamma's return, with the quantities of each document."""
        events = self.assertValidEpcis(self.flour_2.with_user(self.user)._epcis_document("down"))
        receipts = self._events(events, "receiving", "in_progress")
        transformations = [e for e in events if e["type"] == "TransformationEvent"]
        shipments = self._events(events, "shipping", "in_transit")
        returns = self._events(events, "receiving", "returned")
        self.assertEqual(len(events), 9)
        self.assertEqual(
            (len(receipts), len(transformations), len(shipments), len(returns)), (1, 4, 3, 1)
        )
        # the receipt of Mill also brought FLOUR-1, which is not downstream of FLOUR-2
        self.assertEqual(
            self._quantities(receipts[0]["quantityList"]), {self._class(self.flour_2): 100}
        )
        self.assertEqual(receipts[0]["action"], "OBSERVE")
        premix_1 = next(
            e
            for e in transformations
            if self._class(self.premix_1) in self._quantities(e["outputQuantityList"])
        )
        self.assertEqual(
            self._quantities(premix_1["inputQuantityList"]),
            {
                self._class(self.flour_1): 15,
                self._class(self.flour_2): 5,
                self._class(self.sugar_1): 10,
            },
        )
        self.assertEqual(
            self._quantities(premix_1["outputQuantityList"]), {self._class(self.premix_1): 10}
        )
        self.assertEqual(premix_1["bizStep"], "commissioning")
        self.assertEqual(premix_1["ilmd"]["cbvmda:lotNumber"], "PREMIX-1")
        shipped = {}
        for event in shipments:
            for epc_class, quantity in self._quantities(event["quantityList"]).items():
                shipped[epc_class] = shipped.get(epc_class, 0) + quantity
        self.assertEqual(shipped, {self._class(self.biscuit_1): 7, self._class(self.biscuit_2): 7})
        self.assertEqual(
            self._quantities(returns[0]["quantityList"]), {self._class(self.biscuit_2): 2}
        )
        self.assertEqual([e["eventTime"] for e in events], sorted(e["eventTime"] for e in events))

    def test_both_directions_of_a_biscuit_lot(self):
        """BISCUIT-1 both ways: the three receipts of its ingredients, the two MOs it was made
        through, and its two deliveries; nothing of BISCUIT-2."""
        events = self.assertValidEpcis(self.biscuit_1._epcis_document())
        receipts = self._events(events, "receiving")
        self.assertEqual(len(receipts), 3)
        self.assertEqual(len([e for e in events if e["type"] == "TransformationEvent"]), 2)
        self.assertEqual(len(self._events(events, "shipping")), 2)
        self.assertEqual(len(events), 7)
        mill = next(
            e for e in receipts if self._class(self.flour_1) in self._quantities(e["quantityList"])
        )
        self.assertEqual(
            self._quantities(mill["quantityList"]),
            {self._class(self.flour_1): 100, self._class(self.flour_2): 100},
        )
        text = json.dumps(events)
        self.assertNotIn("BISCUIT-2", text)
        self.assertNotIn("PREMIX-2", text)

    def test_identifiers_gtin_and_private_urns(self):
        """GTIN products are LGTIN Digital Links; a wrong check digit or no barcode falls back
        to the company's URN; parties are URNs, or GLN Digital Links when known."""
        events = self.assertValidEpcis(self.biscuit_1._epcis_document("up"))
        classes = {
            element["epcClass"]
            for event in events
            for key in ("quantityList", "inputQuantityList", "outputQuantityList")
            for element in event.get(key, [])
        }
        self.assertIn(f"https://id.gs1.org/01/{self.biscuit_gtin.zfill(14)}/10/BISCUIT-1", classes)
        self.assertIn(f"https://id.gs1.org/01/{self.flour_gtin}/10/FLOUR-1", classes)
        self.assertIn(self._class(self.sugar_1), classes)
        self.assertTrue(self._class(self.sugar_1).startswith("urn:odoo:"))
        self.assertTrue(self._class(self.eggs_1).startswith("urn:odoo:"))
        # what counts as a GTIN, a GLN and a lot number a Digital Link can carry
        self.assertEqual(gtin14("96385074"), "00000096385074")  # GTIN-8
        self.assertEqual(gtin14("036000291452"), "00036000291452")  # UPC-A
        self.assertIsNone(gtin14(self.sugar.barcode))  # wrong check digit
        self.assertIsNone(gtin14("ABC4006381333"))
        self.assertIsNone(gtin14(False))
        self.assertEqual(gln("4012345000009"), "4012345000009")
        self.assertIsNone(gln("4012345000008"))
        self.assertTrue(GS1_LOT.match("L-2024/07.A"))
        self.assertFalse(GS1_LOT.match("LOT 1"))  # a space is not in GS1 set 82
        self.assertFalse(GS1_LOT.match("L" * 21))  # AI 10 takes 20 characters at most
        with self.assertRaisesRegex(UserError, "sideways"):
            self.biscuit_1._epcis_document("sideways")

    def test_serial_numbers_are_objects(self):
        """A serial number is an object (SGTIN in epcList), not a class with a quantity."""
        scale = self._lot_product("Kitchen Scale", tracking="serial", sale_ok=True)
        scale.barcode = with_check_digit("400638100001")
        mixer = self._lot_product("Mixer", tracking="serial", sale_ok=True)
        self.flow._receive_lots(self.mill, [(scale, "SN-1", 1)])
        self.flow._receive_lots(self.mill, [(mixer, "MX 1", 1)])
        serial, mixer_serial = self._lot("SN-1"), self._lot("MX 1")
        self.flow._deliver_lots(self.alpha, [(scale, serial, 1), (mixer, mixer_serial, 1)])
        document = (serial | mixer_serial)._epcis_document()
        events = self.assertValidEpcis(document)
        sgtin = f"https://id.gs1.org/01/{scale.barcode.zfill(14)}/21/SN-1"
        uuid = self.env["ir.config_parameter"].get_param("database.uuid")
        private = f"urn:odoo:{uuid}:{self.env.company.id}:serial:{mixer.id}:MX%201"
        self.assertEqual(
            sorted((e["bizStep"], tuple(e["epcList"])) for e in events),
            [("receiving", (sgtin,)), ("receiving", (private,)), ("shipping", (sgtin, private))],
        )
        self.assertFalse([e for e in events if "quantityList" in e])
        self.assertNotIn("epcisHeader", document)  # no lot class to describe

    def test_lot_master_data_and_times(self):
        """Lot numbers and expiry dates travel in the header's EPCClass master data (and in
        the ilmd of the lots made here); times are UTC with the user's offset."""
        self.env.user.tz = "Asia/Kolkata"
        self.flour_1.origin_country_id = self.env.ref("base.fr")
        document = self.flour_1._epcis_document("up")
        events = self.assertValidEpcis(document)
        self.assertEqual(len(events), 1)
        self.assertEqual(events[0]["eventTimeZoneOffset"], "+05:30")
        self.assertTrue(events[0]["eventTime"].endswith("Z"))
        [vocabulary] = document["epcisHeader"]["epcisMasterData"]["vocabularyList"]
        [element] = vocabulary["vocabularyElementList"]
        self.assertEqual(element["id"], self._class(self.flour_1))
        attributes = {a["id"].split("#")[1]: a["attribute"] for a in element["attributes"]}
        expiry = pytz.utc.localize(self.flour_1.expiration_date).astimezone(
            pytz.timezone("Asia/Kolkata")
        )
        self.assertEqual(
            attributes,
            {
                "lotNumber": "FLOUR-1",
                "itemExpirationDate": str(expiry.date()),
                "bestBeforeDate": str(
                    pytz.utc.localize(self.flour_1.use_date).astimezone(expiry.tzinfo).date()
                ),
                "countryOfOrigin": "FR",
            },
        )

    def test_offsets_follow_summer_time(self):
        """The offset is the time zone's at the moment of the event, not at the export."""
        self.env.user.tz = "America/New_York"
        lots = self.env["stock.lot"]
        for day, name in (("2026-01-15 15:00:00", "SUGAR-W"), ("2026-07-15 15:00:00", "SUGAR-S")):
            with freeze_time(day):
                self.flow._receive_lots(self.sugar_co, [(self.sugar, name, 5)])
            lots |= self._lot(name)
        events = self.assertValidEpcis(lots._epcis_document("up"))
        self.assertEqual(
            [(e["eventTime"], e["eventTimeZoneOffset"]) for e in events],
            [("2026-01-15T15:00:00.000Z", "-05:00"), ("2026-07-15T15:00:00.000Z", "-04:00")],
        )

    def test_units_of_measure(self):
        """Quantities in kilograms say KGM; a unit unknown to UN/CEFACT is converted to its
        category's reference unit; units are plain counts (no uom)."""
        kg = self.env.ref("uom.product_uom_kgm")
        bag = self.env["uom.uom"].create(
            {
                "name": "Bag 25 kg",
                "category_id": kg.category_id.id,
                "uom_type": "bigger",
                "factor_inv": 25,
            }
        )
        butter = self._lot_product("Butter", uom_id=kg.id, uom_po_id=kg.id)
        cocoa = self._lot_product("Cocoa", uom_id=bag.id, uom_po_id=bag.id)
        receipt = self.flow._receive_lots(
            self.farm, [(butter, "BUTTER-1", 12.5), (cocoa, "COCOA-1", 3)]
        )
        events = self.assertValidEpcis(receipt.move_line_ids.lot_id._epcis_document())
        [event] = events
        self.assertEqual(
            sorted((e["quantity"], e.get("uom")) for e in event["quantityList"]),
            [(12.5, "KGM"), (75.0, "KGM")],
        )
        biscuit_events = self.assertValidEpcis(self.biscuit_2._epcis_document("down"))
        self.assertFalse([e for ev in biscuit_events for e in ev["quantityList"] if "uom" in e])

    def test_parties_with_a_gln(self):
        """A customer whose electronic address is a GLN (Peppol 0088) is named by it."""
        if "peppol_eas" not in self.alpha._fields:
            self.skipTest("account_edi_ubl_cii is not installed")
        code = with_check_digit("401234500001")
        self.alpha.write({"peppol_eas": "0088", "peppol_endpoint": code})
        events = self.assertValidEpcis(self.biscuit_1._epcis_document("down"))
        alpha = next(
            e
            for e in self._events(events, "shipping")
            if self._quantities(e["quantityList"]) == {self._class(self.biscuit_1): 4}
        )
        self.assertIn(
            {"type": "owning_party", "destination": f"https://id.gs1.org/417/{code}"},
            alpha["destinationList"],
        )
        self.assertIn("possessing_party", {s["type"] for s in alpha["sourceList"]})
        beta = next(e for e in self._events(events, "shipping") if e is not alpha)
        self.assertTrue(
            all(d["destination"].startswith("urn:odoo:") for d in beta["destinationList"])
        )

    def test_schema_rejects_a_broken_document(self):
        """The validator does catch what EPCIS forbids (an ilmd on an OBSERVE event)."""
        document = self.flour_1._epcis_document("up")
        document["epcisBody"]["eventList"][0]["ilmd"] = {"cbvmda:lotNumber": "FLOUR-1"}
        self.assertTrue(list(self.validator.iter_errors(json.loads(json.dumps(document)))))

    def test_repack_and_unbuild_are_transformations(self):
        """A repack of eggs and the unbuild of a biscuit are TransformationEvents beside the
        MOs; the repacked lot's number and expiry go in its ilmd, not the unbuild's."""
        stock = self.env["stock.warehouse"].search([("company_id", "=", self.company.id)], limit=1)
        eggs_r = self.eggs_1._repack(10, stock.lot_stock_id, 8, 2, "Torn pouches")
        unbuild_form = Form(self.env["mrp.unbuild"])
        unbuild_form.mo_id = self.mo_biscuit_1
        unbuild_form.product_qty = 1
        unbuild = unbuild_form.save()
        with freeze_time(fields.Datetime.now() + timedelta(hours=1)):
            unbuild.action_unbuild()
        events = self.assertValidEpcis(self.eggs_1._epcis_document("down"))
        steps = sorted(e["bizStep"] for e in events if e["type"] == "TransformationEvent")
        self.assertEqual(steps, ["commissioning", "commissioning", "disassembling", "repackaging"])
        [repack] = self._events(events, "repackaging")
        self.assertEqual(
            self._quantities(repack["inputQuantityList"]), {self._class(self.eggs_1): 8}
        )
        self.assertEqual(self._quantities(repack["outputQuantityList"]), {self._class(eggs_r): 8})
        self.assertEqual(repack["ilmd"]["cbvmda:lotNumber"], eggs_r.name)
        # the expiry's date in the user's time zone (its UTC date differs late in the day)
        tz = pytz.timezone(self.env.user.tz or self.company.partner_id.tz or "UTC")
        expiry = pytz.utc.localize(eggs_r.expiration_date).astimezone(tz).date()
        self.assertEqual(repack["ilmd"]["cbvmda:itemExpirationDate"], str(expiry))
        [disassembly] = self._events(events, "disassembling")
        self.assertEqual(
            self._quantities(disassembly["inputQuantityList"]), {self._class(self.biscuit_1): 1}
        )
        self.assertEqual(
            self._quantities(disassembly["outputQuantityList"]),
            {self._class(self.premix_1): 1, self._class(self.eggs_1): 1},
        )
        self.assertNotIn("ilmd", disassembly)

    def test_reading_is_set_based(self):
        """The number of queries does not grow with the lots and documents of the chain."""

        def queries(lots):
            self.env.invalidate_all()
            count = self.env.cr.sql_log_count
            lots._epcis_document("down")
            return self.env.cr.sql_log_count - count

        queries(self.flour_1)  # caches of the registry (parameters, units) are warm now
        small = queries(self.flour_1)  # 1 receipt, 2 MOs, 2 deliveries: 5 events
        large = queries(self.flour_1 | self.flour_2 | self.sugar_1 | self.eggs_1)  # 12 events
        # a query per event, lot or document would add at least 7
        self.assertLessEqual(large, small + 1)

    def test_export_buttons_download_the_document(self):
        """ "Export EPCIS" stores the document on the lot (or recall) and downloads it."""
        action = self.biscuit_1.with_user(self.user).action_export_epcis()
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[3].split("?")[0])
        )
        self.assertEqual(
            (attachment.res_model, attachment.res_id), ("stock.lot", self.biscuit_1.id)
        )
        self.assertTrue(attachment.name.endswith(".jsonld"))
        events = self.assertValidEpcis(json.loads(base64.b64decode(attachment.datas)))
        self.assertEqual(len(events), 7)
        quality = self._user("epcis_quality", "stock_lot_traceability.group_quality_manager")
        recall = self.env["stock.recall"].create(
            {"lot_ids": [Command.set(self.eggs_1.ids)], "is_drill": True, "reason": "Listeria"}
        )
        recall.action_compute_scope()
        action = recall.with_user(quality).action_export_epcis()
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[3].split("?")[0])
        )
        self.assertEqual((attachment.res_model, attachment.res_id), ("stock.recall", recall.id))
        self.assertTrue(attachment.with_user(quality).raw)

    def test_export_button_is_for_traceability_users(self):
        stock_user = self._user("epcis_stock", "stock.group_stock_user")
        for user, shown in ((self.user, True), (stock_user, False)):
            arch = self.env["stock.lot"].with_user(user).get_views([(False, "form")])
            self.assertEqual("action_export_epcis" in arch["views"]["form"]["arch"], shown)

    # recall -------------------------------------------------------------------------------
    def test_recall_document(self):
        """A recall exports its scope: the same chain as the origin lot's downstream."""
        manager = self._user("epcis_recall", "stock_lot_traceability.group_recall_manager")
        recall = (
            self.env["stock.recall"]
            .with_user(manager)
            .create(
                {"lot_ids": [Command.set(self.flour_2.ids)], "is_drill": True, "reason": "Peanut"}
            )
        )
        with self.assertRaisesRegex(UserError, recall.name):
            recall._epcis_document()
        recall.action_compute_scope()
        events = self.assertValidEpcis(recall._epcis_document())
        self.assertEqual(len(events), 9)
        expected = self.flour_2._epcis_document("down")["epcisBody"]["eventList"]
        self.assertEqual(
            sorted(e["eventID"] for e in events), sorted(e["eventID"] for e in expected)
        )
