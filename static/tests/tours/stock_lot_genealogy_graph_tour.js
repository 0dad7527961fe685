import { registry } from "@web/core/registry";

const nodeOnly = (name, extra = "") => `.o_genealogy_node${extra}[data-name='${name}']`;
const node = (name, extra = "") => `.o_genealogy_graph ${nodeOnly(name, extra)}`;
const without = (name) => `.o_genealogy_graph:not(:has(${nodeOnly(name)}))`;

/** The Genealogy button may sit in the button box's "More" dropdown (narrow screens). */
const showGenealogyButton = {
    content: "Find the Genealogy button in the button box",
    trigger: ".o_form_view .o-form-buttonbox",
    run() {
        if (!document.querySelector("button[name='action_open_genealogy_graph']")) {
            document.querySelector(".o-form-buttonbox .o_button_more").click();
        }
    },
};

registry.category("web_tour.tours").add("stock_lot_genealogy_graph_tour", {
    steps: () => [
        showGenealogyButton,
        {
            content: "Open the genealogy graph from the biscuit lot",
            trigger: "button[name='action_open_genealogy_graph']",
            run: "click",
        },
        {
            content: "The biscuit lot is the root, its flour upstream, its supplier and customer around",
            trigger: node("GRAPH-BISCUIT", ".o_genealogy_root.o_genealogy_state_free"),
        },
        {
            trigger: node("GRAPH-FLOUR", ".o_genealogy_lot"),
        },
        {
            trigger: node("Mill Co", ".o_genealogy_supplier"),
        },
        {
            trigger: node("Alpha Stores", ".o_genealogy_customer"),
        },
        {
            trigger: ".o_genealogy_edge_production text:contains('Production')",
        },
        {
            content: "Actual size, then zoom in",
            trigger: ".o_genealogy_reset",
            run: "click",
        },
        {
            trigger: ".o_genealogy_zoom_level:contains('100%')",
        },
        {
            trigger: ".o_genealogy_zoom_in",
            run: "click",
        },
        {
            trigger: ".o_genealogy_svg > g[transform*='scale(1.25)']",
        },
        {
            trigger: ".o_genealogy_zoom_level:contains('125%')",
        },
        {
            trigger: ".o_genealogy_fit",
            run: "click",
        },
        {
            content: "Downstream only: the flour and its supplier leave the graph",
            trigger: ".o_genealogy_direction button[data-direction='down']",
            run: "click",
        },
        {
            trigger: `${without("GRAPH-FLOUR")} ${nodeOnly("Alpha Stores")}`,
        },
        {
            content: "Both directions again, one level deep",
            trigger: ".o_genealogy_direction button[data-direction='both']",
            run: "click",
        },
        {
            trigger: node("GRAPH-FLOUR"),
        },
        {
            trigger: "input.o_genealogy_max_depth",
            run: "edit 1",
        },

        {
            trigger: `${without("GRAPH-FLOUR")} ${nodeOnly("GRAPH-PREMIX")}`,
        },
        {
            trigger: "input.o_genealogy_max_depth",
            run: "clear",
        },
        {
            content: "Click the flour lot: its form opens",
            trigger: node("GRAPH-FLOUR"),
            run: "click",
        },
        {
            trigger: ".o_form_view .o_breadcrumb .active:contains('GRAPH-FLOUR')",
        },
    ],
});

registry.category("web_tour.tours").add("stock_recall_genealogy_graph_tour", {
    steps: () => [
        showGenealogyButton,
        {
            content: "Open the genealogy graph of the recall",
            trigger: "button[name='action_open_genealogy_graph']",
            run: "click",
        },
        {
            content: "The whole scope: the recalled flour, what was made from it, the affected customer",
            trigger: node("GRAPH-FLOUR", ".o_genealogy_root"),
        },
        {
            trigger: node("Alpha Stores", ".o_genealogy_customer.o_genealogy_affected"),
        },
        {
            trigger: ".o_genealogy_legend:contains('Affected customer')",
        },
        {
            content: "No direction toggle for a recall: its scope is what it is",
            trigger: ".o_genealogy_graph:not(:has(.o_genealogy_direction))",
        },
        {
            content: "Click the biscuit lot: its form opens",
            trigger: node("GRAPH-BISCUIT"),
            run: "click",
        },
        {
            trigger: ".o_form_view .o_breadcrumb .active:contains('GRAPH-BISCUIT')",
        },
    ],
});
