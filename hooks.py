import logging

from odoo.tools import SQL, mute_logger

_logger = logging.getLogger(__name__)

MODULE = "stock_lot_traceability"
# Indexes the addon creates by hand on Odoo's own tables (models/stock_move_line*.py). Odoo
# drops the addon's tables and columns with their indexes, but not these: they are on
# stock_move_line's own columns.
HAND_MADE_INDEXES = ("stock_move_line_lot_done_idx", "stock_move_line_lot_open_idx")
# Records of these models are configuration: Odoo deletes them, the hook leaves them alone.
TECHNICAL_MODELS = ("res.groups", "mail.template", "mail.activity.type")
# The demo's quarantine location (models/stock_lot_traceability_demo.py)
DEMO_QUARANTINE = "stock_location_quarantine_demo"


class _Probe(Exception):
    """Raised to roll a trial deletion back."""


def post_init_hook(env):
    """Backfill genealogy links from the manufacturing history already in the database."""
    env["stock.lot.link"]._link_productions()
    env["stock.lot.link"]._link_unbuilds()
    # stage and condition of the lots already in the database, a batch at a time
    env["stock.lot"]._refresh_all_lot_status()


def uninstall_hook(env):
    """What Odoo's uninstall does not remove by itself, and what it must not remove.

    Odoo drops the addon's tables and columns and deletes the records of its XML ids. The
    hook, run just before, drops the indexes the addon made by hand on Odoo's tables,
    deletes the activities of its activity types (their type cannot be deleted while they
    exist), and detaches the records of its XML ids that cannot be deleted because the
    stock history refers to them (the demo's partners and products, the quality spec its
    test results name): their XML ids are removed, so they stay as ordinary records and
    Odoo does not try (and log an ERROR for each). The demo's quarantine location, if the
    history refers to it, is archived, unless it still holds stock.
    """
    for index in HAND_MADE_INDEXES:
        env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(index)))
    _forget_reflection(env)
    data = env["ir.model.data"].search([("module", "=", MODULE)])
    activity_types = data.filtered(lambda d: d.model == "mail.activity.type").mapped("res_id")
    activities = env["mail.activity"].search([("activity_type_id", "in", activity_types)])
    _logger.info("Deleting %s activities of the addon's activity types", len(activities))
    activities.unlink()
    env.flush_all()
    kept = env["ir.model.data"]
    for xmlid in data.filtered(lambda d: _is_history_data(env, d)):
        record = env[xmlid.model].browse(xmlid.res_id).exists()
        if record and not _deletable(record):
            kept |= xmlid
    quarantine = kept.filtered(lambda d: d.name == DEMO_QUARANTINE)
    if quarantine:
        _archive_location(env["stock.location"].browse(quarantine.res_id))
    if kept:
        _logger.info(
            "Keeping %s records the stock history refers to, as ordinary records: %s",
            len(kept),
            ", ".join(f"{d.model},{d.res_id} ({d.name})" for d in kept),
        )
        kept.unlink()
    env.flush_all()


def _forget_reflection(env):
    """Bookkeeping rows Odoo's uninstall leaves behind, pointing to what it drops.

    - the foreign keys of the addon's columns on Odoo's tables (ir_model_constraint rows of
      type 'f' have no XML id, and their model is Odoo's, which stays): Odoo drops the
      keys themselves with the columns;
    - the XML ids other modules (mail, portal, sms...) gave to the selection values and
      mixin inheritances of the addon's mail.thread models: the rows they point to go with
      the addon's models, the XML ids would stay.
    """
    env.cr.execute(
        SQL(
            "DELETE FROM ir_model_constraint WHERE type = 'f' AND module = "
            "(SELECT id FROM ir_module_module WHERE name = %s)",
            MODULE,
        )
    )
    own = tuple(name for name, model in env.registry.items() if model._original_module == MODULE)
    env.cr.execute(
        SQL(
            """
            DELETE FROM ir_model_data d
             WHERE d.module != %(module)s
               AND (d.model = 'ir.model.fields.selection' AND d.res_id IN (
                        SELECT s.id FROM ir_model_fields_selection s
                          JOIN ir_model_fields f ON f.id = s.field_id
                         WHERE f.model IN %(own)s)
                 OR d.model = 'ir.model.inherit' AND d.res_id IN (
                        SELECT i.id FROM ir_model_inherit i JOIN ir_model m ON m.id = i.model_id
                         WHERE m.model IN %(own)s)
                 OR d.model = 'ir.model.fields' AND d.res_id IN (
                        SELECT f.id FROM ir_model_fields f WHERE f.model IN %(own)s))
            """,
            module=MODULE,
            own=own,
        )
    )


def _is_history_data(env, xmlid):
    """Records of business models (the demo's, and the addon's own), not configuration."""
    return (
        xmlid.model in env
        and not xmlid.model.startswith("ir.")
        and xmlid.model not in TECHNICAL_MODELS
    )


def _deletable(record):
    """Whether Odoo's uninstall could delete the record: a deletion tried and rolled back.

    The failed statement's ERROR that Odoo's SQL layer logs is muted: it is the answer.
    """
    env = record.env
    try:
        with mute_logger("odoo.sql_db"), env.cr.savepoint():
            record.unlink()
            env.flush_all()
            raise _Probe
    except _Probe:
        return True
    except Exception:  # any refusal: a foreign key, an ondelete check, a UserError
        return False
    finally:
        env.transaction.clear()


def _archive_location(location):
    """Archive the demo's quarantine: the history refers to it, nothing should go there.

    Odoo refuses to archive a location that still holds stock: then it stays active.
    """
    quants = location.env["stock.quant"].search_count(
        [("location_id", "child_of", location.id), ("quantity", "!=", 0)]
    )
    if quants:
        _logger.info("Demo quarantine %s holds stock: it stays active", location.display_name)
        return
    location.write({"active": False})
