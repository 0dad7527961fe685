/** @odoo-module **/

import { Component, onWillStart, useEffect, useRef, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { formatFloat } from "@web/core/utils/numbers";
import { useService } from "@web/core/utils/hooks";
import { useDebounced } from "@web/core/utils/timing";
import { ControlPanel } from "@web/search/control_panel/control_panel";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";
import { layoutGraph, NODE_HEIGHT, NODE_WIDTH } from "./genealogy_layout";

const MIN_SCALE = 0.2;
const MAX_SCALE = 3;
const DRAG_THRESHOLD = 4;

export const LEGEND = [
    { key: "free", label: _t("Free") },
    { key: "held", label: _t("Held") },
    { key: "recalled", label: _t("Recalled") },
    { key: "expired", label: _t("Expired") },
    { key: "supplier", label: _t("Supplier") },
    { key: "customer", label: _t("Customer") },
    { key: "affected", label: _t("Affected customer") },
];

/**
 * The genealogy graph of a lot (upstream, downstream or both, up to a depth) or of a
 * recall's whole scope: one call to ``genealogy_graph_data`` (``_genealogy_graph``) returns every node and edge;
 * this component lays them out (genealogy_layout.js) and draws them as SVG, with pan
 * (drag), zoom (wheel and buttons) and a click on a node to open its record.
 */
export class GenealogyGraph extends Component {
    static template = "stock_lot_traceability.GenealogyGraph";
    static components = { ControlPanel };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.svgRef = useRef("svg");
        this.legend = LEGEND;
        this.nodeWidth = NODE_WIDTH;
        this.nodeHeight = NODE_HEIGHT;
        const { action } = this.props;
        const params = action.params || {};
        const context = action.context || {};
        this.resModel = params.res_model || context.active_model || "stock.lot";
        this.resId = params.res_id || context.active_id || this.props.resId;
        this.state = useState({
            direction: "both",
            maxDepth: "",
            loading: true,
            error: "",
            graph: null,
            tx: 0,
            ty: 0,
            scale: 1,
        });
        this.drag = null;
        this.onMaxDepthInput = useDebounced(this.onMaxDepthChange, 400);
        onWillStart(() => this.load());
        // a new graph is shown whole: fitted to the canvas once it is drawn
        useEffect(
            (graph) => graph && this.fitView(),
            () => [this.state.graph]
        );
    }

    get isRecall() {
        return this.resModel === "stock.recall";
    }

    get transform() {
        const { tx, ty, scale } = this.state;
        return `translate(${tx} ${ty}) scale(${scale})`;
    }

    get isEmpty() {
        const graph = this.state.graph;
        return graph && graph.edges.length === 0;
    }

    get rootNames() {
        const graph = this.state.graph;
        if (!graph) {
            return "";
        }
        const roots = new Set(graph.roots);
        return graph.nodes
            .filter((node) => roots.has(node.id))
            .map((node) => node.name)
            .join(", ");
    }

    async load() {
        if (!this.resId) {
            this.state.error = _t("Open the genealogy from a lot or a recall.");
            this.state.loading = false;
            return;
        }
        this.state.loading = true;
        this.state.error = "";
        const kwargs = {};
        if (!this.isRecall) {
            kwargs.direction = this.state.direction;
            kwargs.max_depth = this.state.maxDepth ? parseInt(this.state.maxDepth, 10) : null;
        }
        try {
            const graph = await this.orm.call(
                this.resModel,
                "genealogy_graph_data",
                [[this.resId]],
                kwargs
            );
            this.state.graph = { ...layoutGraph(graph), roots: graph.roots || [] };
        } finally {
            this.state.loading = false;
        }
    }

    get zoomLevel() {
        return `${Math.round(this.state.scale * 100)}%`;
    }

    /** Actual size, from the top left corner. */
    resetView() {
        this.state.tx = 0;
        this.state.ty = 0;
        this.state.scale = 1;
    }

    /** The whole graph in the canvas, centred, never enlarged beyond its actual size. */
    fitView() {
        const svg = this.svgRef.el;
        const graph = this.state.graph;
        if (!svg || !graph) {
            return;
        }
        const { width, height } = svg.getBoundingClientRect();
        if (!width || !height) {
            return;
        }
        const scale = Math.max(
            MIN_SCALE,
            Math.min(1, width / graph.width, height / graph.height)
        );
        this.state.scale = scale;
        this.state.tx = (width - graph.width * scale) / 2;
        this.state.ty = Math.max(0, (height - graph.height * scale) / 2);
    }

    // ------------------------------------------------------------------
    // Toolbar
    // ------------------------------------------------------------------
    async setDirection(direction) {
        this.state.direction = direction;
        await this.load();
    }

    /** Typing a depth (debounced) or leaving the field reloads the graph; a value that
     * is not a whole number of 1 or more means no limit. */
    async onMaxDepthChange(ev) {
        const value = ev.target.value.trim();
        const depth = parseInt(value, 10);
        const maxDepth = value && depth > 0 ? String(depth) : "";
        if (maxDepth === this.state.maxDepth && this.state.graph) {
            return;
        }
        this.state.maxDepth = maxDepth;
        await this.load();
    }

    zoom(factor, cx = null, cy = null) {
        const svg = this.svgRef.el;
        const rect = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
        const x = cx ?? rect.width / 2;
        const y = cy ?? rect.height / 2;
        const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, this.state.scale * factor));
        const ratio = scale / this.state.scale;
        this.state.tx = x - (x - this.state.tx) * ratio;
        this.state.ty = y - (y - this.state.ty) * ratio;
        this.state.scale = scale;
    }

    // ------------------------------------------------------------------
    // Pan and zoom
    // ------------------------------------------------------------------
    onWheel(ev) {
        ev.preventDefault();
        const rect = this.svgRef.el.getBoundingClientRect();
        this.zoom(ev.deltaY < 0 ? 1.1 : 1 / 1.1, ev.clientX - rect.left, ev.clientY - rect.top);
    }

    onPointerDown(ev) {
        if (ev.button !== 0) {
            return;
        }
        this.drag = {
            x: ev.clientX,
            y: ev.clientY,
            tx: this.state.tx,
            ty: this.state.ty,
            moved: false,
        };
    }

    onPointerMove(ev) {
        if (!this.drag) {
            return;
        }
        const dx = ev.clientX - this.drag.x;
        const dy = ev.clientY - this.drag.y;
        if (!this.drag.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) {
            return;
        }
        this.drag.moved = true;
        this.state.tx = this.drag.tx + dx;
        this.state.ty = this.drag.ty + dy;
    }

    onPointerUp() {
        this.wasDragged = Boolean(this.drag && this.drag.moved);
        this.drag = null;
    }

    // ------------------------------------------------------------------
    // Nodes and edges
    // ------------------------------------------------------------------
    nodeClass(node) {
        const classes = [`o_genealogy_node`, `o_genealogy_${node.type}`];
        if (node.type === "lot") {
            classes.push(`o_genealogy_state_${node.state}`);
        }
        if (node.is_root) {
            classes.push("o_genealogy_root");
        }
        if (node.highlight) {
            classes.push("o_genealogy_affected");
        }
        return classes.join(" ");
    }

    nodeSubtitle(node) {
        if (node.type === "lot") {
            return node.product;
        }
        return node.type === "supplier" ? _t("Supplier") : _t("Customer");
    }

    nodeDetail(node) {
        if (node.type === "lot") {
            return _t("%(quantity)s %(uom)s on hand", {
                quantity: formatFloat(node.quantity, { digits: [false, 2] }),
                uom: node.uom || "",
            });
        }
        if (node.recall_state) {
            return node.recall_state.replace("_", " ");
        }
        return node.highlight ? _t("Affected") : "";
    }

    truncate(text, length = 26) {
        text = text || "";
        return text.length > length ? `${text.slice(0, length - 1)}…` : text;
    }

    edgeLabel(edge) {
        const quantity = formatFloat(edge.quantity, { digits: [false, 2] });
        return `${quantity} ${edge.uom || ""} · ${edge.kind_label}`;
    }

    async openNode(node) {
        if (this.wasDragged) {
            this.wasDragged = false;
            return;
        }
        await this.actionService.doAction({
            type: "ir.actions.act_window",
            res_model: node.res_model,
            res_id: node.res_id,
            views: [[false, "form"]],
            target: "current",
        });
    }
}

registry.category("actions").add("stock_lot_traceability.genealogy_graph", GenealogyGraph);
