// CONet network connectors and unique channel size assignment (Sec. 3, Alg. 1, Fig. 4).
//
// The network is a DAG whose nodes are feature maps (their depth = channel size) and whose edges are operators.
// Conv edges (conv, 1x1 / pointwise conv, projection shortcut, dense classifier) may change the depth; non-conv
// edges (identity / skip, pooling, BN, activation, depthwise conv — Sec. 3.1) keep it. Several inbound edges meet
// at a node by summation (all must have the node's depth) or concatenation (the node's depth is the sum of the
// inbound edges' depths; each inbound conv edge may pick its own).
//
// Alg. 1, literally: visit the nodes in a topological (partial) order; an unassigned node gets a new unique channel
// (summation) or the sum of its inbound edges' channels (concatenation: every inbound conv edge gets its own new
// channel, a non-conv inbound edge carries its tail's); then every outbound non-conv edge forward-propagates the
// node's channel to an unassigned head (Fig. 4 f.1) or, when the head is already assigned, back-propagates: the
// current node's channel, and everything that already carries it, takes the head's (Fig. 4 f.2).
//
// A node's channel is kept as a list of group ids whose sizes add up to its depth ([g] for a summation node).
// Groups that contain a node with a fixed depth (the input image, the logits) are `fixed`; a group forced equal to
// the sum of other groups (a concatenated map fed through non-conv edges into a summation) is `derived`. Neither is
// tunable by CONet.
import { InvalidInputError, violation } from '../../../common/errors';

export type EdgeKind = 'conv' | 'non-conv';
export type NodeMerge = 'sum' | 'concat';

export interface ChannelNode {
  id: string;
  /** how inbound edges combine; default 'sum' */
  merge?: NodeMerge;
  /** a depth the network cannot change (e.g. 3 for the input image, the number of classes) */
  fixed?: number;
}

export interface ChannelEdge {
  id: string;
  from: string;
  to: string;
  kind: EdgeKind;
}

export interface ChannelGraph {
  nodes: readonly ChannelNode[];
  edges: readonly ChannelEdge[];
}

export interface ChannelGroup {
  id: number;
  /** summation nodes whose depth is this group */
  nodes: string[];
  /** conv edges whose output channels (C_ℓ, number of filters) this group sets */
  convEdges: string[];
  /** fixed depth, when a member node is fixed */
  fixed: number | null;
  /** forced equal to the sum of other groups (not tunable) */
  derivedFrom: number[] | null;
}

export interface ChannelAssignment {
  groups: ChannelGroup[];
  /** per node: the group ids whose sizes add up to its depth */
  nodeChannels: Record<string, number[]>;
  /** per conv edge: its output group */
  edgeOutput: Record<string, number>;
  /** the topological order used */
  order: string[];
}

function validate(graph: ChannelGraph): void {
  const ids = new Set<string>();
  const errs = [];
  for (const [i, n] of graph.nodes.entries()) {
    if (ids.has(n.id)) errs.push(violation(`nodes[${i}].id`, 'unique', `duplicate node id ${n.id}`));
    ids.add(n.id);
    if (n.fixed !== undefined && !(Number.isInteger(n.fixed) && n.fixed > 0)) errs.push(violation(`nodes[${i}].fixed`, 'positive-integer', 'fixed depth must be a positive integer'));
  }
  const eids = new Set<string>();
  for (const [i, e] of graph.edges.entries()) {
    if (eids.has(e.id)) errs.push(violation(`edges[${i}].id`, 'unique', `duplicate edge id ${e.id}`));
    eids.add(e.id);
    if (!ids.has(e.from)) errs.push(violation(`edges[${i}].from`, 'exists', `unknown node ${e.from}`));
    if (!ids.has(e.to)) errs.push(violation(`edges[${i}].to`, 'exists', `unknown node ${e.to}`));
    if (e.kind !== 'conv' && e.kind !== 'non-conv') errs.push(violation(`edges[${i}].kind`, 'enum', `kind must be conv or non-conv`));
  }
  if (errs.length) throw new InvalidInputError('invalid channel graph', errs);
}

/** Kahn's algorithm; ties in declaration order. Throws on a cycle. */
export function topologicalOrder(graph: ChannelGraph): string[] {
  const indeg = new Map(graph.nodes.map((n) => [n.id, 0]));
  for (const e of graph.edges) indeg.set(e.to, (indeg.get(e.to) ?? 0) + 1);
  const order: string[] = [];
  const done = new Set<string>();
  while (order.length < graph.nodes.length) {
    const next = graph.nodes.find((n) => !done.has(n.id) && indeg.get(n.id) === 0);
    if (!next) throw new InvalidInputError('channel graph has a cycle', [violation('edges', 'acyclic', 'the network graph must be a DAG')]);
    order.push(next.id);
    done.add(next.id);
    for (const e of graph.edges) if (e.from === next.id) indeg.set(e.to, (indeg.get(e.to) ?? 0) - 1);
  }
  return order;
}

/** Alg. 1: unique channel size assignment. */
export function assignChannels(graph: ChannelGraph): ChannelAssignment {
  validate(graph);
  const order = topologicalOrder(graph); // line 2
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const channel = new Map<string, number[]>(); // unassigned = absent (line 1)
  const edgeOutput: Record<string, number> = {};
  let nextId = 0;
  const derived = new Map<number, number[]>();
  /** group id → the group ids it was merged into (relabelling for back-propagation) */
  const relabel = (from: number, to: number): void => {
    if (from === to) return;
    for (const [k, v] of channel) channel.set(k, v.map((g) => (g === from ? to : g)));
    for (const k of Object.keys(edgeOutput)) if (edgeOutput[k] === from) edgeOutput[k] = to;
    for (const [k, v] of [...derived]) {
      derived.delete(k);
      derived.set(k === from ? to : k, v.map((g) => (g === from ? to : g)));
    }
  };
  const inbound = (id: string): ChannelEdge[] => graph.edges.filter((e) => e.to === id);
  const outbound = (id: string): ChannelEdge[] => graph.edges.filter((e) => e.from === id);

  for (const id of order) {
    // line 3
    const node = byId.get(id)!;
    if (!channel.has(id)) {
      // line 4: unassigned, so every inbound edge is conv
      if ((node.merge ?? 'sum') === 'sum') {
        channel.set(id, [nextId++]); // line 6: a new unique size
      } else {
        channel.set(id, inbound(id).map(() => nextId++)); // line 8: sum of inbound edges, each its own
      }
    } else if ((node.merge ?? 'sum') === 'concat') {
      // a concat node reached by forward propagation: its conv inbound edges still add their own parts
      const extra = inbound(id).filter((e) => e.kind === 'conv').map(() => nextId++);
      channel.set(id, [...channel.get(id)!, ...extra]);
    }
    // conv edges into this node: their output channels are this node's (sum) or their own part (concat)
    const convIn = inbound(id).filter((e) => e.kind === 'conv');
    const own = channel.get(id)!;
    if ((node.merge ?? 'sum') === 'sum') for (const e of convIn) edgeOutput[e.id] = own[0];
    else convIn.forEach((e, i) => (edgeOutput[e.id] = own[own.length - convIn.length + i]));
    for (const e of outbound(id)) {
      // line 9
      if (e.kind === 'conv') continue; // line 10
      const head = byId.get(e.to)!;
      const mine = channel.get(id)!;
      if (!channel.has(e.to)) {
        channel.set(e.to, [...mine]); // line 12: forward propagate (Fig. 4 f.1)
      } else if ((head.merge ?? 'sum') === 'concat') {
        channel.set(e.to, [...channel.get(e.to)!, ...mine]); // a further part of an assigned concat
      } else {
        // line 14: back propagate (Fig. 4 f.2): the current channel takes the head's
        const theirs = channel.get(e.to)!;
        if (mine.length === 1 && theirs.length === 1) relabel(mine[0], theirs[0]);
        else if (theirs.length === 1) derived.set(theirs[0], mine);
        else if (mine.length === 1) derived.set(mine[0], theirs);
        else throw new InvalidInputError('channel graph equates two concatenations', [violation('edges', 'supported', `edge ${e.id} joins two concatenated maps`)]);
      }
    }
  }

  // collect groups in order of first appearance
  const seen = new Map<number, ChannelGroup>();
  const group = (g: number): ChannelGroup => {
    let x = seen.get(g);
    if (!x) {
      x = { id: seen.size, nodes: [], convEdges: [], fixed: null, derivedFrom: null };
      seen.set(g, x);
    }
    return x;
  };
  for (const id of order) for (const g of channel.get(id)!) group(g);
  const nodeChannels: Record<string, number[]> = {};
  for (const id of order) {
    const gs = channel.get(id)!;
    nodeChannels[id] = gs.map((g) => group(g).id);
    if (gs.length === 1) {
      const grp = group(gs[0]);
      grp.nodes.push(id);
      const fixed = byId.get(id)!.fixed;
      if (fixed !== undefined) {
        if (grp.fixed !== null && grp.fixed !== fixed) throw new InvalidInputError('conflicting fixed depths', [violation(`nodes.${id}.fixed`, 'consistent', `node ${id} is tied to a node fixed at ${grp.fixed}`)]);
        grp.fixed = fixed;
      }
    }
  }
  const outEdges: Record<string, number> = {};
  for (const e of graph.edges) {
    if (e.kind !== 'conv') continue;
    const g = group(edgeOutput[e.id]);
    g.convEdges.push(e.id);
    outEdges[e.id] = g.id;
  }
  for (const [g, parts] of derived) group(g).derivedFrom = parts.map((p) => group(p).id);
  return { groups: [...seen.values()].sort((a, b) => a.id - b.id), nodeChannels, edgeOutput: outEdges, order };
}

/** Groups CONet may resize: neither fixed nor derived. */
export function tunableGroups(a: ChannelAssignment): ChannelGroup[] {
  return a.groups.filter((g) => g.fixed === null && g.derivedFrom === null);
}

/** Depth of every node given a size per group (fixed groups use their fixed depth, derived ones their sum). */
export function nodeDepths(a: ChannelAssignment, sizes: ReadonlyMap<number, number>): Record<string, number> {
  const size = (g: number): number => {
    const grp = a.groups[g];
    if (grp.fixed !== null) return grp.fixed;
    if (grp.derivedFrom) return grp.derivedFrom.reduce((s, p) => s + size(p), 0);
    const v = sizes.get(g);
    if (v === undefined) throw new RangeError(`no size for channel group ${g}`);
    return v;
  };
  const out: Record<string, number> = {};
  for (const [id, gs] of Object.entries(a.nodeChannels)) out[id] = gs.reduce((s, g) => s + size(g), 0);
  return out;
}
