// CONet unique channel assignment (Alg. 1, Sec. 3, Fig. 4) on a plain chain, a ResNet with identity and projection
// shortcuts, an NB201 cell (every node a sum), an MBConv block with its residual, a concatenation node and the
// back-propagation case of Fig. 4 (f.2).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidInputError } from '../../src/common/errors';
import { ChannelAssignment, ChannelEdge, ChannelGraph, ChannelNode, assignChannels, nodeDepths, tunableGroups } from '../../src/methods/conet/science/channel-graph';

/** 'a>b:c' = conv edge a→b, 'a>b:n' = non-conv edge */
function graph(nodes: (string | ChannelNode)[], edges: string[]): ChannelGraph {
  const ns = nodes.map((n) => (typeof n === 'string' ? { id: n } : n));
  const es: ChannelEdge[] = edges.map((s) => {
    const [ft, k] = s.split(':');
    const [from, to] = ft.split('>');
    return { id: ft, from, to, kind: k === 'c' ? 'conv' : 'non-conv' };
  });
  return { nodes: ns, edges: es };
}

/** the partition of summation nodes into groups, as sorted lists of node ids */
function partition(a: ChannelAssignment): string[][] {
  return a.groups.filter((g) => g.nodes.length > 0).map((g) => [...g.nodes].sort()).sort((x, y) => x[0].localeCompare(y[0]));
}

describe('CONet Alg. 1: unique channel groups', () => {
  test('plain chain: conv edges separate groups, non-conv edges (BN/ReLU/pool) tie them', () => {
    const g = graph([{ id: 'in', fixed: 3 }, 'a', 'b', 'c', 'd', { id: 'logits', fixed: 10 }], ['in>a:c', 'a>b:n', 'b>c:c', 'c>d:n', 'd>logits:c']);
    const a = assignChannels(g);
    assert.deepEqual(partition(a), [['a', 'b'], ['c', 'd'], ['in'], ['logits']]);
    assert.equal(tunableGroups(a).length, 2);
    assert.equal(a.groups[a.edgeOutput['in>a']].nodes.includes('a'), true);
    assert.deepEqual(a.groups.find((x) => x.nodes.includes('in'))!.fixed, 3);
  });

  test('ResNet: identity shortcuts tie a stage, a projection shortcut (conv) frees the next block output', () => {
    // stem → s0; block 1 (identity): s0 → b1 → s1 = conv(b1) + id(s0); block 2 (projection): s1 → b2 → s2 = conv(b2) + proj(s1);
    // block 3 (identity): s2 → b3 → s3 = conv(b3) + id(s2)
    const g = graph(
      [{ id: 'in', fixed: 3 }, 's0', 'b1', 's1', 'b2', 's2', 'b3', 's3', { id: 'out', fixed: 10 }],
      ['in>s0:c', 's0>b1:c', 'b1>s1:c', 's0>s1:n', 's1>b2:c', 'b2>s2:c', 's1>s2:c', 's2>b3:c', 'b3>s3:c', 's2>s3:n', 's3>out:c'],
    );
    const a = assignChannels(g);
    assert.deepEqual(partition(a), [['b1'], ['b2'], ['b3'], ['in'], ['out'], ['s0', 's1'], ['s2', 's3']]);
    // the conv edges writing into the summed stage all share its group (they must agree on C_ℓ)
    const stage2 = a.groups.find((x) => x.nodes.includes('s2'))!;
    assert.deepEqual([...stage2.convEdges].sort(), ['b2>s2', 'b3>s3', 's1>s2']);
    assert.equal(tunableGroups(a).length, 5);
  });

  test('NB201 cell: every node a sum; skip edges tie nodes, conv edges do not', () => {
    // |nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|nor_conv_3x3~0|nor_conv_3x3~1|skip_connect~2|
    const g = graph(['n0', 'n1', 'n2', 'n3'], ['n0>n1:c', 'n0>n2:n', 'n1>n2:c', 'n0>n3:c', 'n1>n3:c', 'n2>n3:n']);
    const a = assignChannels(g);
    assert.deepEqual(partition(a), [['n0', 'n2', 'n3'], ['n1']]);
    // all-conv cell: every node its own group
    const b = assignChannels(graph(['n0', 'n1', 'n2', 'n3'], ['n0>n1:c', 'n0>n2:c', 'n1>n2:c', 'n0>n3:c', 'n1>n3:c', 'n2>n3:c']));
    assert.equal(partition(b).length, 4);
    // avg-pool is non-conv too
    const c = assignChannels(graph(['n0', 'n1', 'n2', 'n3'], ['n0>n1:n', 'n0>n2:c', 'n1>n2:c', 'n0>n3:c', 'n1>n3:c', 'n2>n3:c']));
    assert.deepEqual(partition(c), [['n0', 'n1'], ['n2'], ['n3']]);
  });

  test('MBConv with residual: depthwise is non-conv, the pointwise layers are the conv edges', () => {
    // x → expand 1x1 → e1 → depthwise 3x3 → e2 → project 1x1 → y = project + id(x)
    const g = graph(['x0', 'x', 'e1', 'e2', 'y'], ['x0>x:c', 'x>e1:c', 'e1>e2:n', 'e2>y:c', 'x>y:n']);
    const a = assignChannels(g);
    assert.deepEqual(partition(a), [['e1', 'e2'], ['x', 'y'], ['x0']]);
    assert.deepEqual(a.groups.find((x) => x.nodes.includes('e1'))!.convEdges, ['x>e1']);
  });

  test('back-propagation (Fig. 4 f.2): a later node joins an already-assigned head', () => {
    // x and y are independent convs of in; z = id(x) + id(y): y is assigned before it meets z
    const a = assignChannels(graph(['in', 'x', 'y', 'z'], ['in>x:c', 'in>y:c', 'x>z:n', 'y>z:n']));
    assert.deepEqual(partition(a), [['in'], ['x', 'y', 'z']]);
    // and through a chain: y → (non-conv) w, then w meets z
    const b = assignChannels(graph(['in', 'x', 'y', 'w', 'z'], ['in>x:c', 'in>y:c', 'y>w:n', 'x>z:n', 'w>z:n']));
    assert.deepEqual(partition(b), [['in'], ['w', 'x', 'y', 'z']]);
  });

  test('concatenation: each inbound conv edge has its own group; the node depth is their sum', () => {
    const g = graph(['in', 'a', { id: 'cat', merge: 'concat' }, 'out'], ['in>a:c', 'in>cat:c', 'a>cat:c', 'cat>out:c']);
    const a = assignChannels(g);
    assert.equal(a.nodeChannels.cat.length, 2);
    assert.notEqual(a.edgeOutput['in>cat'], a.edgeOutput['a>cat']);
    const sizes = new Map(a.groups.map((x) => [x.id, 0]));
    sizes.set(a.edgeOutput['in>cat'], 16);
    sizes.set(a.edgeOutput['a>cat'], 24);
    assert.equal(nodeDepths(a, sizes).cat, 40);
    // a non-conv edge into a concat carries its tail's channel as one part
    const b = assignChannels(graph(['in', 'a', { id: 'cat', merge: 'concat' }], ['in>a:c', 'a>cat:n', 'in>cat:c']));
    assert.equal(b.nodeChannels.cat.length, 2);
    assert.ok(b.nodeChannels.cat.includes(b.nodeChannels.a[0]));
    // a concatenated map summed with another map: that map's group is derived, not tunable
    const c = assignChannels(graph(['in', 'p', 'q', { id: 'cat', merge: 'concat' }, 'r', 's'], ['in>p:c', 'in>q:c', 'p>cat:c', 'q>cat:c', 'in>r:c', 'r>s:n', 'cat>s:n']));
    const rGroup = c.groups.find((x) => x.nodes.includes('r'))!;
    assert.ok(rGroup.derivedFrom !== null && rGroup.derivedFrom.length === 2);
    assert.ok(!tunableGroups(c).includes(rGroup));
  });

  test('bad graphs are refused with the field named', () => {
    assert.throws(() => assignChannels(graph(['a', 'b'], ['a>b:c', 'b>a:c'])), InvalidInputError);
    assert.throws(() => assignChannels(graph(['a'], ['a>zz:c'])), (e: InvalidInputError) => e.violations[0].field === 'edges[0].to');
    assert.throws(() => assignChannels(graph([{ id: 'a', fixed: 3 }, 'b', { id: 'c', fixed: 4 }], ['a>b:n', 'b>c:n'])), InvalidInputError);
  });
});
