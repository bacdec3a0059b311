import { describe, expect, it } from 'vitest';
import { type HeapSnapshot, summariseHeap } from '../../../bench/e2e-heap-summary.ts';

const nodeTypes = [
  'hidden',
  'array',
  'string',
  'object',
  'code',
  'closure',
  'regexp',
  'number',
  'native',
  'synthetic',
];
const edgeTypes = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];

/** A snapshot in V8's format from nodes (type, name, self size) and edges (from, type, name, to). */
function snapshot(
  nodes: readonly [type: string, name: string, self: number][],
  edges: readonly [from: number, type: string, name: string, to: number][],
): HeapSnapshot {
  const strings: string[] = [];
  const str = (s: string) => {
    const at = strings.indexOf(s);
    return at >= 0 ? at : strings.push(s) - 1;
  };
  const flatNodes = nodes.flatMap(([type, name, self], i) => [
    nodeTypes.indexOf(type),
    str(name),
    i + 1,
    self,
    edges.filter(([from]) => from === i).length,
  ]);
  const flatEdges = [...edges]
    .sort((a, b) => a[0] - b[0])
    .flatMap(([, type, name, to]) => [edgeTypes.indexOf(type), str(name), to * 5]);
  return {
    snapshot: {
      meta: {
        node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'],
        node_types: [nodeTypes, 'string', 'number', 'number', 'number'],
        edge_fields: ['type', 'name_or_index', 'to_node'],
        edge_types: [edgeTypes, 'string_or_number', 'node'],
      },
    },
    nodes: flatNodes,
    edges: flatEdges,
    strings,
  };
}

// 0 root; 1 "(GC roots)"; 2 Cache held by the roots; 3 Map held only by the cache; 4 and 5 entries of
// the map; 6 a string both entries share; 7 Listener held by the roots and, weakly, by the cache.
const heap = snapshot(
  [
    ['synthetic', '', 0],
    ['synthetic', '(GC roots)', 0],
    ['object', 'Cache', 40],
    ['object', 'Map', 30],
    ['object', 'Entry', 20],
    ['object', 'Entry', 20],
    ['string', 'shared text', 100],
    ['object', 'Listener', 8],
  ],
  [
    [0, 'element', '1', 1],
    [1, 'property', 'cache', 2],
    [1, 'property', 'listener', 7],
    [2, 'internal', 'map', 3],
    [2, 'weak', 'listener', 7],
    [3, 'property', 'a', 4],
    [3, 'property', 'b', 5],
    [4, 'property', 'text', 6],
    [5, 'property', 'text', 6],
  ],
);

describe('summariseHeap', () => {
  const summary = summariseHeap(heap);

  it('adds up self size and count per class', () => {
    expect(summary.totalBytes).toBe(218);
    expect(summary.byClass[0]).toEqual({ name: '(string)', count: 1, selfBytes: 100 });
    expect(summary.byClass.find((c) => c.name === 'Entry')).toEqual({
      name: 'Entry',
      count: 2,
      selfBytes: 40,
    });
  });

  it('gives an object what it alone keeps alive: a shared child goes to their common dominator', () => {
    const retained = Object.fromEntries(summary.topRetainers.map((r) => [r.name, r.retainedBytes]));
    // The string is reachable through either entry, so neither retains it; the map does.
    expect(retained.Map).toBe(30 + 20 + 20 + 100);
    expect(retained.Cache).toBe(40 + 170);
    // A weak edge retains nothing: the listener stays its own.
    expect(retained.Listener).toBe(8);
    expect(summary.topRetainers[0]?.name).toBe('Cache');
  });

  it('names who holds a retainer, nearest first', () => {
    const map = summary.topRetainers.find((r) => r.name === 'Map');
    expect(map?.path).toBe('Cache.map ← (synthetic).cache ← (root)');
  });
});
