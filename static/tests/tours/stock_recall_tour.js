import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("stock_recall_tour", {
    url: "/odoo/action-stock_lot_traceability.stock_recall_action",
    steps: () => [
        {
            content: "Open the recall wizard from the Traceability menu",
            trigger: ".o_main_navbar button:contains('Traceability'), .o_main_navbar a:contains('Traceability')",
            run: "click",
        },
        {
            trigger: ".dropdown-item:contains('Start a Recall')",
            run: "click",
        },
        {
            content: "Choose the flour lot",
            trigger: ".modal div[name='lot_ids'] input",
            run: "edit TOUR-FLOUR",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains('TOUR-FLOUR')",
            run: "click",
        },
        {
            content: "Say why",
            trigger: ".modal div[name='reason'] textarea",
            run: "edit Glass fragments reported by the sieving line",
        },
        {
            trigger: ".modal button[name='action_create_recall']",
            run: "click",
        },
        {
            content: "The scope is computed: the biscuit lot made from the flour is affected",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Scoped')",
        },
        {
            trigger: ".o_form_view div[name='recall_lot_ids'] .o_data_row:contains('TOUR-BISCUIT')",
        },
        {
            content: "Hold the affected stock",
            trigger: "button[name='action_hold_stock']",
            run: "click",
        },
        {
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('In Progress')",
        },
        {
            content: "Notify the customers",
            trigger: "button[name='action_notify_customers']",
            run: "click",
        },
        {
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            trigger: ".o_notebook a:contains('Customers')",
            run: "click",
        },
        {
            content: "Alpha is notified",
            trigger: "div[name='partner_line_ids'] .o_data_row:contains('Alpha Stores'):contains('Notified')",
        },
    ],
});
