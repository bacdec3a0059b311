/**
 * A V8 heap snapshot (`.heapsnapshot`) in a few lines: self size and count per class, as DevTools'
 * Summary view groups them, and the objects that retain the most (their dominator subtrees, as
 * DevTools' Retainers and Dominators views compute them: weak edges do not retain, shortcut edges
 * only from the root).
 *   node bench/e2e-heap-summary.ts <file.heapsnapshot>   (prints the summary as JSON)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The parts of the snapshot format read here (see V8's heap-snapshot-generator). */
export interface HeapSnapshot {
  readonly snapshot: {
    readonly meta: {
      readonly node_fields: readonly string[];
      readonly node_types: readonly [readonly string[], ...unknown[]];
      readonly edge_fields: readonly string[];
      readonly edge_types: readonly [readonly string[], ...unknown[]];
    };
  };
  readonly nodes: ArrayLike<number>;
  readonly edges: ArrayLike<number>;
  readonly strings: readonly string[];
}

export interface ClassSize {
  readonly name: string;
  readonly count: number;
  readonly selfBytes: number;
}

export interface Retainer {
  readonly name: string;
  readonly selfBytes: number;
  readonly retainedBytes: number;
  /** Who holds it, nearest first: `<dominator class>.<edge name>`, up to four levels. */
  readonly path: string;
}

export interface HeapSummary {
  readonly totalBytes: number;
  readonly nodes: number;
  readonly byClass: readonly ClassSize[];
  readonly topRetainers: readonly Retainer[];
}

/** Summarises a parsed snapshot: the `top` classes by self size and the `top` objects by retained size. */
export function summariseHeap(s: HeapSnapshot, top = 15): HeapSummary {
  const g = graphOf(s);
  const classes = new Map<string, { count: number; selfBytes: number }>();
  let totalBytes = 0;
  for (let n = 0; n < g.count; n++) {
    const c = classes.get(g.className(n)) ?? { count: 0, selfBytes: 0 };
    c.count++;
    c.selfBytes += g.selfSize(n);
    classes.set(g.className(n), c);
    totalBytes += g.selfSize(n);
  }
  const { idom, retained, preds } = dominators(g);
  const candidates: number[] = [];
  for (let n = 1; n < g.count; n++) if (idom[n] !== -1 && g.type(n) !== 'synthetic') candidates.push(n);
  candidates.sort((a, b) => (retained[b] ?? 0) - (retained[a] ?? 0));
  return {
    totalBytes,
    nodes: g.count,
    byClass: [...classes]
      .map(([name, c]) => ({ name, ...c }))
      .sort((a, b) => b.selfBytes - a.selfBytes)
      .slice(0, top),
    topRetainers: candidates.slice(0, top).map((n) => ({
      name: g.className(n),
      selfBytes: g.selfSize(n),
      retainedBytes: retained[n] ?? 0,
      path: pathOf(g, idom, preds, n),
    })),
  };
}

type Graph = ReturnType<typeof graphOf>;

function graphOf(s: HeapSnapshot) {
  const { meta } = s.snapshot;
  const nodeWidth = meta.node_fields.length;
  const edgeWidth = meta.edge_fields.length;
  const [nodeTypes] = meta.node_types;
  const [edgeTypes] = meta.edge_types;
  const at = { type: 0, name: 0, self: 0, edges: 0 };
  at.type = meta.node_fields.indexOf('type');
  at.name = meta.node_fields.indexOf('name');
  at.self = meta.node_fields.indexOf('self_size');
  at.edges = meta.node_fields.indexOf('edge_count');
  const edgeAt = {
    type: meta.edge_fields.indexOf('type'),
    name: meta.edge_fields.indexOf('name_or_index'),
    to: meta.edge_fields.indexOf('to_node'),
  };
  const count = s.nodes.length / nodeWidth;
  // Each node's edges follow the previous node's in the edges array.
  const firstEdge = new Uint32Array(count + 1);
  for (let n = 0; n < count; n++)
    firstEdge[n + 1] = (firstEdge[n] ?? 0) + (s.nodes[n * nodeWidth + at.edges] ?? 0);
  const type = (n: number) => nodeTypes[s.nodes[n * nodeWidth + at.type] ?? 0] ?? 'unknown';
  const name = (n: number) => s.strings[s.nodes[n * nodeWidth + at.name] ?? 0] ?? '';
  const className = (n: number) => {
    const t = type(n);
    if (t === 'object' || t === 'native') return name(n);
    if (t === 'string' || t === 'concatenated string' || t === 'sliced string') return '(string)';
    if (t === 'code') return '(compiled code)';
    if (t === 'hidden') return '(system)';
    return `(${t})`;
  };
  return {
    count,
    type,
    className,
    selfSize: (n: number) => s.nodes[n * nodeWidth + at.self] ?? 0,
    /** Calls `visit(to, edge)` for each edge of `n` that retains (not weak; shortcut only from the root). */
    forEachEdge(n: number, visit: (to: number, edge: number) => void) {
      for (let e = firstEdge[n] ?? 0; e < (firstEdge[n + 1] ?? 0); e++) {
        const edgeType = edgeTypes[s.edges[e * edgeWidth + edgeAt.type] ?? 0];
        if (edgeType === 'weak' || (edgeType === 'shortcut' && n !== 0)) continue;
        visit((s.edges[e * edgeWidth + edgeAt.to] ?? 0) / nodeWidth, e);
      }
    },
    edgeName(e: number) {
      const value = s.edges[e * edgeWidth + edgeAt.name] ?? 0;
      const edgeType = edgeTypes[s.edges[e * edgeWidth + edgeAt.type] ?? 0];
      return edgeType === 'element' || edgeType === 'hidden' ? `[${value}]` : (s.strings[value] ?? '');
    },
  };
}

/**
 * Immediate dominators (Cooper, Harvey and Kennedy's iteration over reverse postorder) and
 * retained sizes (each node's self size plus its dominator subtree's). -1: unreachable from the root.
 */
function dominators(g: Graph): { idom: Int32Array; retained: Float64Array; preds: number[][] } {
  const post = new Int32Array(g.count).fill(-1);
  const order: number[] = [];
  const preds: number[][] = Array.from({ length: g.count }, () => []);
  // Iterative depth-first search from the root (node 0), numbering nodes in postorder.
  const seen = new Uint8Array(g.count);
  const stack: [number, number[]][] = [[0, []]];
  seen[0] = 1;
  g.forEachEdge(0, (to) => (stack[0] as [number, number[]])[1].push(to));
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as [number, number[]];
    const next = top[1].pop();
    if (next === undefined) {
      post[top[0]] = order.length;
      order.push(top[0]);
      stack.pop();
      continue;
    }
    (preds[next] as number[]).push(top[0]);
    if (seen[next]) continue;
    seen[next] = 1;
    const children: number[] = [];
    g.forEachEdge(next, (to) => children.push(to));
    stack.push([next, children]);
  }
  const idom = new Int32Array(g.count).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number) => {
    let x = a;
    let y = b;
    while (x !== y) {
      while ((post[x] ?? 0) < (post[y] ?? 0)) x = idom[x] ?? 0;
      while ((post[y] ?? 0) < (post[x] ?? 0)) y = idom[y] ?? 0;
    }
    return x;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = order.length - 2; i >= 0; i--) {
      const n = order[i] as number;
      let best = -1;
      for (const p of preds[n] as number[]) {
        if (idom[p] === -1) continue;
        best = best === -1 ? p : intersect(p, best);
      }
      if (best !== -1 && idom[n] !== best) {
        idom[n] = best;
        changed = true;
      }
    }
  }
  const retained = new Float64Array(g.count);
  for (const n of order) retained[n] = (retained[n] ?? 0) + g.selfSize(n);
  // Postorder: a node comes before its dominator, so its subtree is complete when it is added.
  for (const n of order)
    if (n !== 0) retained[idom[n] ?? 0] = (retained[idom[n] ?? 0] ?? 0) + (retained[n] ?? 0);
  return { idom, retained, preds };
}

function pathOf(g: Graph, idom: Int32Array, preds: readonly number[][], node: number): string {
  const named = (holder: number, n: number) => {
    let edge = '';
    g.forEachEdge(holder, (to, e) => {
      if (to === n && edge === '') edge = g.edgeName(e);
    });
    return `${g.className(holder)}.${edge || '?'}`;
  };
  const steps: string[] = [];
  for (let n = node; n !== 0 && steps.length < 4; n = idom[n] ?? 0) {
    const holder = idom[n] ?? 0;
    if (holder !== 0) {
      steps.push(named(holder, n));
      continue;
    }
    // Held from more than one root: name one holder that is not the root itself.
    const other = (preds[n] ?? []).find((p) => p !== 0);
    steps.push(other === undefined ? '(root)' : `(several roots, one is ${named(other, n)})`);
  }
  return steps.join(' ← ');
}

/** Reads a snapshot file and summarises it (a snapshot of a few hundred MB needs as much again to parse). */
export function summariseHeapFile(file: string, top = 15): HeapSummary {
  return summariseHeap(JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot, top);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, top] = process.argv.slice(2);
  if (!file) throw new Error('usage: node bench/e2e-heap-summary.ts <file.heapsnapshot> [top]');
  console.log(JSON.stringify(summariseHeapFile(file, top ? Number(top) : 15)));
}
