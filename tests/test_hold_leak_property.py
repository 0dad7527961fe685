from contextlib import suppress

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from odoo.exceptions import UserError, ValidationError
from odoo.tests import TransactionCase, tagged

from .common import TraceabilityMixin

LOTS = ["SALT-A", "SALT-B", "SALT-C"]
PLACES = ["stock", "shelf", "quarantine", "transit"]
QUANTITIES = st.integers(min_value=1, max_value=8)

# The done move lines of the salt, as the test sees them after each step.
DONE_LINES = """
    SELECT ml.id, ml.lot_id, ml.quantity, src.usage, dest.usage,
           COALESCE(dest.is_quarantine, FALSE), dest.complete_name
      FROM stock_move_line ml
      JOIN stock_location src ON src.id = ml.location_id
      JOIN stock_location dest ON dest.id = ml.location_dest_id
     WHERE ml.state = 'done' AND ml.product_id = %s AND ml.quantity > 0
"""


def leaves_stock(source_usage, destination_usage, into_quarantine):
    """The property, written independently of the addon: a held lot that moves out of stock
    (internal or transit) ends in quarantine, at a vendor, or destroyed (scrap, loss); one
    that arrives from outside may go to an internal location."""
    if into_quarantine or destination_usage in ("supplier", "inventory"):
        return False
    return source_usage in ("internal", "transit") or destination_usage != "internal"


@tagged("post_install", "-at_install")
class TestHoldLeakProperty(TraceabilityMixin, TransactionCase):
    """Random days at a salt works: receipts, holds, releases, reservations, transfers,
    packages, relocations, production, scrap, returns and deliveries. After every step, no
    lot that was on hold during the step has gone to a customer, a production order, a
    transit location or a shelf."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.flow = cls.env["stock.lot.traceability.flow"]
        cls.company = cls.env.company
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        stock = cls.warehouse.lot_stock_id
        location = cls.env["stock.location"]
        cls.places = {
            "stock": stock,
            "shelf": location.create({"name": "Shelf", "location_id": stock.id}),
            "quarantine": location.create(
                {"name": "Quarantine", "location_id": stock.id, "is_quarantine": True}
            ),
            "transit": location.create(
                {"name": "Truck", "usage": "transit", "company_id": cls.company.id}
            ),
        }
        cls.customers = cls.env.ref("stock.stock_location_customers")
        cls.suppliers = cls.env.ref("stock.stock_location_suppliers")
        cls.salt = cls._lot_product("Sea Salt", sale_ok=True)
        cls.brine = cls._lot_product("Brine")
        cls._bom(cls.brine, [(cls.salt, 1.0)])
        cls.quality = cls._user("quality_salt", "stock_lot_traceability.group_quality_manager")
        cls.lots = cls.env["stock.lot"].create(
            [{"name": name, "product_id": cls.salt.id} for name in LOTS]
        )
        for lot in cls.lots:
            cls._picking(
                cls, lot, 30, cls.suppliers, stock, cls.warehouse.in_type_id
            ).button_validate()

    def test_no_held_lot_ever_leaves_through_any_sequence(self):
        run_state_machine_as_test(
            lambda: SaltWorks(self),
            settings=settings(
                max_examples=12,
                stateful_step_count=12,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            ),
        )


class SaltWorks(RuleBasedStateMachine):
    """One random sequence, run in a savepoint rolled back at its end."""

    def __init__(self, case):
        super().__init__()
        self.case = case
        self.env = case.env
        self.savepoint = self.env.cr.savepoint()
        self.produced = 0
        self.open_delivery = self.env["stock.picking"]
        self._start_step()

    def teardown(self):
        self.savepoint.close(rollback=True)
        self.env.invalidate_all()

    # helpers -------------------------------------------------------------------
    def _lot(self, name):
        return self.case.lots.filtered(lambda lot: lot.name == name)

    def _stock_of(self, lot, place):
        return self.case._quant(lot, self.case.places[place])

    def _attempt(self, action):
        """Run ``action``; a refusal (UserError, ValidationError) leaves nothing behind."""
        with suppress(UserError, ValidationError), self.env.cr.savepoint():
            action()
        self.env.invalidate_all()

    def _move(self, lot, quantity, source, destination, picking_type):
        def action():
            self.case._picking(lot, quantity, source, destination, picking_type).button_validate()

        self._attempt(action)

    def _held_lot_ids(self):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT lot_id FROM stock_lot_hold WHERE state = 'active' AND lot_id = ANY(%s)",
            [self.case.lots.ids],
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def _done_lines(self):
        self.env.flush_all()
        self.env.cr.execute(DONE_LINES, [self.case.salt.id])
        return {row[0]: row[1:] for row in self.env.cr.fetchall()}

    @staticmethod
    def _moved_more(before, after):
        """A new done line, or one edited to move another lot, elsewhere, or more."""
        if before is None:
            return True
        return before[0] != after[0] or before[2:] != after[2:] or after[1] > before[1]

    def _start_step(self):
        self.lines_before = self._done_lines()
        self.held_before = self._held_lot_ids()

    # rules ---------------------------------------------------------------------
    @rule(name=st.sampled_from(LOTS), quantity=QUANTITIES)
    def receive(self, name, quantity):
        stock = self.case.places["stock"]
        self._move(
            self._lot(name), quantity, self.case.suppliers, stock, self.case.warehouse.in_type_id
        )

    @rule(name=st.sampled_from(LOTS))
    def hold(self, name):
        self._attempt(
            lambda: self._lot(name).with_user(self.case.quality)._place_hold("other", "QA")
        )

    @rule(name=st.sampled_from(LOTS))
    def release(self, name):
        holds = self._lot(name).active_hold_ids.with_user(self.case.quality)
        self._attempt(lambda: holds and holds.action_release("Cleared by the lab"))

    @rule(name=st.sampled_from(LOTS), quantity=QUANTITIES, place=st.sampled_from(PLACES))
    def ship(self, name, quantity, place):
        self._move(
            self._lot(name),
            quantity,
            self.case.places[place],
            self.case.customers,
            self.case.warehouse.out_type_id,
        )

    @rule(quantity=QUANTITIES)
    def reserve_a_delivery(self, quantity):
        def action():
            stock = self.case.places["stock"]
            picking = self.case._picking(
                self.case.lots[0],
                quantity,
                stock,
                self.case.customers,
                self.case.warehouse.out_type_id,
            )
            picking.move_line_ids.unlink()
            picking.action_assign()
            self.open_delivery = picking

        self._attempt(action)

    @rule()
    def validate_the_open_delivery(self):
        picking = self.open_delivery.exists()
        if picking and picking.state not in ("done", "cancel"):
            picking.move_ids.picked = True
            self._attempt(picking.button_validate)

    @rule(
        name=st.sampled_from(LOTS),
        quantity=QUANTITIES,
        source=st.sampled_from(PLACES),
        destination=st.sampled_from(PLACES),
    )
    def transfer(self, name, quantity, source, destination):
        if source != destination:
            self._move(
                self._lot(name),
                quantity,
                self.case.places[source],
                self.case.places[destination],
                self.case.warehouse.int_type_id,
            )

    @rule(name=st.sampled_from(LOTS), place=st.sampled_from(PLACES))
    def pack_and_move_the_package(self, name, place):
        quants = self._stock_of(self._lot(name), place)

        def action():
            package = self.env["stock.quant.package"].create({"name": f"PACK-{name}"})
            quants.move_quants(package_dest_id=package, message="Packed")
            package.location_id = self.case.places["shelf"]

        if quants:
            self._attempt(action)

    @rule(name=st.sampled_from(LOTS), source=st.sampled_from(PLACES), to=st.sampled_from(PLACES))
    def relocate(self, name, source, to):
        quants = self._stock_of(self._lot(name), source)
        if quants and source != to:
            self._attempt(lambda: quants.move_quants(location_dest_id=self.case.places[to]))

    @rule(name=st.sampled_from(LOTS), place=st.sampled_from(PLACES))
    def write_the_quant(self, name, place):
        quants = self._stock_of(self._lot(name), place)
        if quants:
            self._attempt(lambda: quants[:1].write({"location_id": self.case.places["shelf"].id}))

    @rule(name=st.sampled_from(LOTS), quantity=QUANTITIES)
    def produce(self, name, quantity):
        self.produced += 1
        self._attempt(
            lambda: self.case.flow._produce_lot(
                self.case.brine, quantity, f"BRINE-{self.produced}", {self._lot(name): quantity}
            )
        )

    @rule(name=st.sampled_from(LOTS), quantity=QUANTITIES, place=st.sampled_from(PLACES))
    def scrap(self, name, quantity, place):
        def action():
            self.env["stock.scrap"].create(
                {
                    "product_id": self.case.salt.id,
                    "lot_id": self._lot(name).id,
                    "scrap_qty": quantity,
                    "location_id": self.case.places[place].id,
                }
            ).action_validate()

        self._attempt(action)

    @rule(name=st.sampled_from(LOTS), quantity=QUANTITIES, place=st.sampled_from(PLACES))
    def customer_returns(self, name, quantity, place):
        self._move(
            self._lot(name),
            quantity,
            self.case.customers,
            self.case.places[place],
            self.case.warehouse.in_type_id,
        )

    @rule(name=st.sampled_from(LOTS))
    def edit_a_done_delivery(self, name):
        line = self.env["stock.move.line"].search(
            [
                ("product_id", "=", self.case.salt.id),
                ("state", "=", "done"),
                ("location_dest_id", "=", self.case.customers.id),
            ],
            limit=1,
        )
        if line:
            self._attempt(lambda: line.write({"lot_id": self._lot(name).id, "quantity": 20}))

    # the property ----------------------------------------------------------------
    @invariant()
    def no_held_lot_left_stock(self):
        held_during_step = self.held_before & self._held_lot_ids()
        leaks = [
            (line_id, line)
            for line_id, line in self._done_lines().items()
            if line[0] in held_during_step
            and self._moved_more(self.lines_before.get(line_id), line)
            and leaves_stock(*line[2:5])
        ]
        self.case.assertFalse(leaks, f"held lots moved out of stock: {leaks}")
        self._start_step()
