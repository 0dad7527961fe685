from werkzeug.exceptions import NotFound

from odoo import _, http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import UserError
from odoo.http import request
from odoo.tools import consteq


class LotCoaPortal(CustomerPortal):
    """My Account > Certificates of Analysis: the lots a customer received, with their CoA.

    Portal users have no access to lots or move lines: every query here is filtered on the
    user's commercial partner (stock.lot._customer_delivery_lines) before anything is read.
    """

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "coa_count" in counters:
            partner = request.env.user.partner_id
            values["coa_count"] = len(request.env["stock.lot"]._customer_delivery_lines(partner))
        return values

    @http.route(
        ["/my/coa", "/my/coa/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_my_coas(self, page=1, **kw):
        partner = request.env.user.partner_id
        lines = request.env["stock.lot"]._customer_delivery_lines(partner)
        pager = portal_pager(url="/my/coa", total=len(lines), page=page, step=self._items_per_page)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "coa",
                "pager": pager,
                "coa_lines": lines[pager["offset"] : pager["offset"] + self._items_per_page],
                "default_url": "/my/coa",
            }
        )
        return request.render("stock_lot_traceability.portal_my_coas", values)

    @http.route(["/my/coa/<int:lot_id>"], type="http", auth="public", website=True)
    def portal_coa_pdf(self, lot_id, picking_id=None, access_token=None, **kw):
        """The CoA of a lot, for the logged-in customer who received it, or for whoever holds
        the link printed on the delivery slip (token of that delivery and lot)."""
        # sudo: portal customers and link holders cannot read lots; _coa_partner decides
        # whether this visitor may have this lot's certificate
        lot = request.env["stock.lot"].sudo().browse(lot_id).exists()
        if not lot:
            raise NotFound()
        partner = self._coa_partner(lot, picking_id, access_token)
        if not partner:
            raise NotFound()
        try:
            issued = lot._issued_coa(partner)
            pdf = issued.raw if issued else lot._render_coa_pdf(partner=partner)
        except UserError:
            return request.make_response(
                _("No Certificate of Analysis is available for lot %s yet.", lot.name),
                headers=[("Content-Type", "text/plain; charset=utf-8")],
                status=404,
            )
        filename = f"CoA {lot.name}.pdf"
        return request.make_response(
            pdf,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(pdf)),
                ("Content-Disposition", http.content_disposition(filename)),
            ],
        )

    def _coa_partner(self, lot, picking_id, access_token):
        """The customer the CoA is for, or None when the visitor may not have it."""
        if picking_id and access_token:
            if not str(picking_id).isdigit():
                return None
            # sudo: the link's token, checked below against this delivery and lot, is
            # the visitor's right to it
            picking = request.env["stock.picking"].sudo().browse(int(picking_id)).exists()
            shipped = (
                picking
                and lot in picking.move_line_ids.filtered(lambda line: line.state == "done").lot_id
            )
            if shipped and consteq(lot._coa_access_token(picking), access_token):
                return picking.partner_id.commercial_partner_id
            return None
        user = request.env.user
        if user._is_public():
            return None
        partner = user.partner_id.commercial_partner_id
        if request.env["stock.lot"]._customer_delivery_lines(partner, lot=lot):
            return partner
        return None
