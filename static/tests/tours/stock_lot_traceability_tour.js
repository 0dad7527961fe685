import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("stock_lot_traceability_tour", {
    url: "/odoo/action-stock_lot_traceability.stock_lot_action",
    steps: () => [
        {
            content: "Look for the tour's flour lot",
            trigger: ".o_searchview_input",
            run: "edit TOUR-FLOUR",
        },
        {
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "Open the flour lot",
            trigger: ".o_data_row td.o_data_cell:contains('TOUR-FLOUR')",
            run: "click",
        },
        {
            content: "The downstream button counts the premix and the biscuits",
            trigger: "button[name='action_view_downstream_lots'] .o_stat_value:contains('2')",
        },
        {
            content: "Put the lot on hold",
            trigger: "button[name='action_open_hold_wizard']",
            run: "click",
        },
        {
            content: "Explain the hold",
            trigger: ".modal div[name='note'] textarea",
            run: "edit Metal fragment found at sieving",
        },
        {
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The lot shows it is on hold",
            trigger: ".o_form_view .ribbon:contains('On Hold')",
        },
        {
            content: "Open the downstream lots",
            trigger: "button[name='action_view_downstream_lots']",
            run: "click",
        },
        {
            content: "The premix made from the flour is there at once, at depth 1",
            trigger: ".o_data_row:first-child:contains('TOUR-PREMIX') td[name='depth']:contains('1')",
        },
    ],
});
