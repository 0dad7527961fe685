"""Write guards of the traceability evidence (holds, links, recall scopes).

Evidence records follow the pattern of ``account.move.write``: per state, the fields a user
may change; anything else is refused with an error naming the record. The addon's own
actions (closing a hold, scoping a recall, recording a customer's reply) write the rest in
*system mode*: a context key whose value is a private Python object. JSON-RPC only carries
JSON values, so no caller — sudo or not — can forge it; it cannot be set from the UI either.
"""

from odoo import _
from odoo.exceptions import UserError
from odoo.tools.misc import clean_context

_SYSTEM = object()
_CONTEXT_KEY = "stock_lot_traceability_evidence"


def system(records):
    """``records`` in system mode: the addon's actions may write guarded fields.

    The caller's ``default_*`` context keys are dropped: they must not seed evidence.
    """
    # the context is replaced, not extended (`with_context(**kw)` would keep `default_*`)
    return records.with_context({**clean_context(records.env.context), _CONTEXT_KEY: _SYSTEM})  # pylint: disable=context-overridden


def is_system(records):
    return records.env.context.get(_CONTEXT_KEY) is _SYSTEM


def is_chatter_field(name):
    """Followers, messages and activities live in their own records: never evidence."""
    return name.startswith(("message_", "activity_", "website_message_"))


def check_writable(record, vals, allowed, why):
    """Refuse ``vals`` on ``record`` unless every field is in ``allowed`` (or chatter)."""
    refused = [name for name in vals if name not in allowed and not is_chatter_field(name)]
    if refused:
        labels = [record._fields[name]._description_string(record.env) for name in refused]
        raise UserError(
            _(
                "%(record)s: %(fields)s cannot be changed. %(why)s",
                record=record.display_name,
                fields=", ".join(labels),
                why=why,
            )
        )


def check_system_change(records, recalls, action):
    """Lines computed by the recall's actions: no user creates, edits or deletes them."""
    if not is_system(records):
        raise UserError(
            _(
                "%(lines)s of recall %(recalls)s are written by the recall's actions "
                "(Compute Scope, Notify, Acknowledged, Waive, returns): they cannot be "
                "%(action)s by hand.",
                lines=records._description,
                recalls=", ".join(recalls.mapped("display_name")) or "?",
                action=action,
            )
        )
