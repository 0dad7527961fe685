/** @odoo-module **/

/**
 * Left-to-right layered layout of a genealogy graph, without any library.
 *
 * Columns come from the nodes' signed depth (suppliers, upstream, the lot, downstream,
 * customers); within a column the nodes are ordered by a few barycenter sweeps (each node
 * moves to the mean row of its neighbours in the column before, then after) to reduce
 * crossings. Returns positioned nodes and edges with their Bezier paths.
 */
export const NODE_WIDTH = 190;
export const NODE_HEIGHT = 58;
const COLUMN_GAP = 130;
const ROW_GAP = 26;
const MARGIN = 40;
const SWEEPS = 4;

function sortKey(node) {
    return `${node.product || ""}\u0000${node.name || ""}`;
}

function orderColumns(columns, neighbours) {
    const rowOf = new Map();
    const remember = (column) => column.forEach((node, row) => rowOf.set(node.id, row));
    columns.forEach(remember);
    const sweep = (indexes, side) => {
        for (const index of indexes) {
            const column = columns[index];
            const weight = new Map();
            for (const node of column) {
                const rows = neighbours[side]
                    .get(node.id)
                    .filter((id) => rowOf.has(id))
                    .map((id) => rowOf.get(id));
                weight.set(
                    node.id,
                    rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : rowOf.get(node.id)
                );
            }
            column.sort((a, b) => weight.get(a.id) - weight.get(b.id) || rowOf.get(a.id) - rowOf.get(b.id));
            remember(column);
        }
    };
    const forward = columns.map((_, index) => index).slice(1);
    const backward = columns.map((_, index) => index).reverse().slice(1);
    for (let pass = 0; pass < SWEEPS; pass++) {
        sweep(forward, "in");
        sweep(backward, "out");
    }
}

export function layoutGraph(graph) {
    const depths = [...new Set(graph.nodes.map((node) => node.depth))].sort((a, b) => a - b);
    const columnOf = new Map(depths.map((depth, index) => [depth, index]));
    const columns = depths.map(() => []);
    const neighbours = { in: new Map(), out: new Map() };
    for (const node of [...graph.nodes].sort((a, b) => sortKey(a).localeCompare(sortKey(b)))) {
        columns[columnOf.get(node.depth)].push(node);
        neighbours.in.set(node.id, []);
        neighbours.out.set(node.id, []);
    }
    const edges = graph.edges.filter(
        (edge) => neighbours.in.has(edge.source) && neighbours.in.has(edge.target)
    );
    for (const edge of edges) {
        neighbours.out.get(edge.source).push(edge.target);
        neighbours.in.get(edge.target).push(edge.source);
    }
    orderColumns(columns, neighbours);

    const tallest = Math.max(1, ...columns.map((column) => column.length));
    const height = tallest * (NODE_HEIGHT + ROW_GAP) - ROW_GAP + 2 * MARGIN;
    const width = columns.length * (NODE_WIDTH + COLUMN_GAP) - COLUMN_GAP + 2 * MARGIN;
    const positioned = new Map();
    columns.forEach((column, index) => {
        const columnHeight = column.length * (NODE_HEIGHT + ROW_GAP) - ROW_GAP;
        const top = (height - columnHeight) / 2;
        column.forEach((node, row) => {
            positioned.set(node.id, {
                ...node,
                x: MARGIN + index * (NODE_WIDTH + COLUMN_GAP),
                y: top + row * (NODE_HEIGHT + ROW_GAP),
            });
        });
    });
    const laidEdges = edges.map((edge) => {
        const source = positioned.get(edge.source);
        const target = positioned.get(edge.target);
        const x1 = source.x + NODE_WIDTH;
        const y1 = source.y + NODE_HEIGHT / 2;
        const x2 = target.x;
        const y2 = target.y + NODE_HEIGHT / 2;
        const bend = Math.max(60, Math.abs(x2 - x1) / 2);
        return {
            ...edge,
            path: `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}`,
            labelX: (x1 + x2) / 2,
            labelY: (y1 + y2) / 2 - 6,
        };
    });
    return { nodes: [...positioned.values()], edges: laidEdges, width, height };
}
