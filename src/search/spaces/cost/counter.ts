import { LayerCost, LayerKind, LayerSpec, Shape, layerCost } from './layers';

/** Which layer kinds a published FLOPs figure counts (params are always all counted). */
export interface FlopsConvention {
  readonly name: string;
  readonly countedKinds: ReadonlySet<LayerKind>;
}

/**
 * NAS-Bench-201 / NATS-Bench `get_cost_info`: FLOPs = multiply-adds of Conv2d and Linear layers (bias adds
 * included), in millions; BatchNorm, pooling, activations and sums are not counted. Established by matching
 * all 15,625 x 3 official values exactly (see test/unit/nb201-cost.test.ts).
 */
export const NB201_FLOPS_CONVENTION: FlopsConvention = { name: 'nb201', countedKinds: new Set<LayerKind>(['conv2d', 'linear']) };

/** Every layer's multiply-adds (convolutions, linear, batchnorm, pooling, sums). */
export const ALL_LAYERS_CONVENTION: FlopsConvention = {
  name: 'all-layers',
  countedKinds: new Set<LayerKind>(['conv2d', 'linear', 'batchnorm2d', 'avgpool2d', 'maxpool2d', 'globalavgpool', 'add']),
};

/** One layer of a network with its input shape (how the network definition is handed to the counter). */
export interface LayerInstance {
  name: string;
  spec: LayerSpec;
  input: Shape;
}

export interface NetworkCost {
  /** Total parameters (count, not millions). */
  params: number;
  /** Multiply-adds counted under the convention (count, not millions). */
  macs: number;
  /** Multiply-adds per layer kind, all kinds (for inspection). */
  macsByKind: Partial<Record<LayerKind, number>>;
  paramsByKind: Partial<Record<LayerKind, number>>;
}

/** Sum params and counted multiply-adds of a list of layers. */
export function countNetwork(layers: Iterable<LayerInstance>, convention: FlopsConvention): NetworkCost {
  let params = 0;
  let macs = 0;
  const macsByKind: Partial<Record<LayerKind, number>> = {};
  const paramsByKind: Partial<Record<LayerKind, number>> = {};
  for (const l of layers) {
    const c: LayerCost = layerCost(l.spec, l.input);
    params += c.params;
    if (convention.countedKinds.has(c.kind)) macs += c.macs;
    macsByKind[c.kind] = (macsByKind[c.kind] ?? 0) + c.macs;
    paramsByKind[c.kind] = (paramsByKind[c.kind] ?? 0) + c.params;
  }
  return { params, macs, macsByKind, paramsByKind };
}

/**
 * Helper to write a network definition layer by layer: `seq` applies layers in sequence, tracking the shape;
 * `branch` records a side path from a given shape without changing the current one.
 */
export class LayerRecorder {
  readonly layers: LayerInstance[] = [];
  constructor(public shape: Shape) {}

  /** Apply layers in sequence to the current shape. */
  seq(name: string, specs: readonly LayerSpec[]): Shape {
    this.shape = this.path(name, this.shape, specs);
    return this.shape;
  }

  /** Record layers applied to `from` (a side branch); returns the branch output, leaves the current shape. */
  path(name: string, from: Shape, specs: readonly LayerSpec[]): Shape {
    let s = from;
    specs.forEach((spec, i) => {
      this.layers.push({ name: `${name}.${i}`, spec, input: s });
      s = layerCost(spec, s).output;
    });
    return s;
  }
}
