import logging

from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

from .stock_lot_quality import download_action

_logger = logging.getLogger(__name__)

# A delivery of more lots than this leaves its certificates to the scheduled action
# (triggered at once), so that its validation is not slowed down by rendering them.
COA_INLINE_MAX_LOTS = 20
COA_CRON_BATCH = 20  # deliveries per run of the scheduled action


class StockPicking(models.Model):
    """Certificates of Analysis of a delivery: printed on demand, e-mailed on validation."""

    _inherit = "stock.picking"

    coa_mail_state = fields.Selection(
        [("to_send", "To Send"), ("queued", "Queued"), ("blocked", "Not Sent")],
        string="Certificates of Analysis",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="For customers who ask for Certificates of Analysis with their deliveries: "
        "whether the e-mail with the certificates of the lots shipped is queued.",
    )

    def _action_done(self):
        res = super()._action_done()
        self._queue_coa_emails()
        return res

    def _shipped_lots(self):
        """The lots of this delivery's done lines that went to a customer."""
        self.ensure_one()
        return self.move_line_ids.filtered(
            lambda line: (
                line.state == "done" and line.lot_id and line.location_dest_id.usage == "customer"
            )
        ).lot_id

    def _coa_recipient(self):
        """The delivery contact: the picking's address, else the customer's delivery one."""
        self.ensure_one()
        partner = self.partner_id
        if partner == partner.commercial_partner_id:
            delivery = partner.address_get(["delivery"])["delivery"]
            partner = self.env["res.partner"].browse(delivery) or partner
        return partner

    def _queue_coa_emails(self):
        """On validation: one e-mail per done delivery to a customer who asks for CoAs, with
        the CoA of every lot shipped attached. A lot not passed by Quality blocks that
        e-mail and the delivery's chatter says which and why; the validation itself never
        fails here. Big deliveries are left to the scheduled action, triggered at once."""
        deliveries = self.filtered(
            lambda picking: (
                picking.state == "done"
                and picking.picking_type_code == "outgoing"
                and picking.partner_id.commercial_partner_id.send_coa
            )
        )
        deferred = self.browse()
        for picking in deliveries:
            lots = picking._shipped_lots()
            if not lots:
                continue
            passed = all(lot.quality_state == "passed" for lot in lots)
            if passed and len(lots) > COA_INLINE_MAX_LOTS:
                deferred |= picking
            else:
                picking._send_coa_email(lots)
        if deferred:
            deferred.coa_mail_state = "to_send"
            self.env.ref("stock_lot_traceability.ir_cron_stock_picking_coa")._trigger()

    @api.model
    def _cron_send_coa_emails(self):
        """Queue the CoA e-mails of the deliveries validated with many lots."""
        pickings = self.search([("coa_mail_state", "=", "to_send")], limit=COA_CRON_BATCH + 1)
        for picking in pickings[:COA_CRON_BATCH]:
            picking._send_coa_email(picking._shipped_lots())
        if len(pickings) > COA_CRON_BATCH:
            self.env.ref("stock_lot_traceability.ir_cron_stock_picking_coa")._trigger()

    def _send_coa_email(self, lots):
        """Queue the CoA e-mail of ``lots`` shipped by this delivery, or say why not."""
        self.ensure_one()
        not_passed = lots.filtered(lambda lot: lot.quality_state != "passed")
        if not_passed:
            self._log_coa_blocked(not_passed)
            return
        try:
            with self.env.cr.savepoint():
                self._queue_coa_email(lots)
        except UserError as error:
            self._log_coa_blocked(lots, str(error))
        except Exception as error:  # a CoA never breaks a validation
            _logger.exception("CoA e-mail of %s failed", self.name)
            self._log_coa_blocked(lots, str(error))

    def _queue_coa_email(self, lots):
        self.ensure_one()
        recipient = self._coa_recipient()
        if not recipient.email:
            raise UserError(_("the delivery contact %s has no e-mail address.", recipient.name))
        attachments, _pdf = lots._coa_documents(self.partner_id, combined=False)
        template = self.env.ref("stock_lot_traceability.stock_picking_coa_mail_template")
        template.send_mail(
            self.id,
            force_send=False,
            email_values={
                "recipient_ids": [Command.link(recipient.id)],
                "attachment_ids": [Command.link(attachment.id) for attachment in attachments],
            },
        )
        self.coa_mail_state = "queued"
        self._message_log(
            body=_(
                "Certificates of Analysis of lots %(lots)s queued for %(partner)s.",
                lots=", ".join(lots.mapped("name")),
                partner=recipient.display_name,
            )
        )

    def _log_coa_blocked(self, lots, error=None):
        """Say on the delivery why its CoA e-mail was not queued."""
        self.coa_mail_state = "blocked"
        partner = self.partner_id.commercial_partner_id.display_name
        if error:
            why = _(
                "%(partner)s asks for a Certificate of Analysis with each delivery, but the "
                "certificates of lots %(lots)s could not be made: %(error)s",
                partner=partner,
                lots=", ".join(lots.mapped("name")),
                error=error,
            )
        else:
            why = _(
                "%(partner)s asks for a Certificate of Analysis with each delivery, but these "
                "lots are not passed by Quality: %(lots)s. Record their results and release "
                "them, then send the certificates printed with Print CoA on this delivery.",
                partner=partner,
                lots="; ".join(f"{lot.name} ({lot._quality_missing_text()})" for lot in lots),
            )
        self._message_log(
            body=Markup("<b>%s</b><br/>%s") % (_("Certificates of Analysis not sent"), why)
        )

    def action_print_coa(self):
        """One PDF with the Certificate of Analysis of every lot this delivery shipped."""
        self.ensure_one()
        lots = self._shipped_lots()
        if not lots:
            raise UserError(_("Delivery %s shipped no lot: no certificate to print.", self.name))
        _attachments, pdf = lots._coa_documents(self.partner_id)
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"CoA {self.name.replace('/', '_')}.pdf",
                "raw": pdf,
                "mimetype": "application/pdf",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        return download_action(attachment)
