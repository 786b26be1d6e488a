/**
 * The weights a configuration of an elastic MBConv space uses, in forward order, with the shapes that configuration
 * implies. For the largest configuration (maxConfig) they are the supernet's variables; for any other configuration
 * they are the slices it inherits (OFA, Cai et al. 2020: a sub-network's weights are the first channels / centre
 * kernel crop of the supernet's). Names are checkpoint keys: `stem`, `s<i>.b<j>.{expand,dw,project}`, `head`,
 * `classifier`, with `.w` (conv / linear weight), `.b` (linear bias), `.bn.{gamma,beta,runMean,runVar}`.
 */
import type { WeightStore } from '../nb201/weights';
import { MbconvConfig, MbconvSpace, hiddenChannels } from '../../search/spaces/mbconv';

/** One MBConv block of a configuration (OFA / MobileNetV2 inverted residual). */
export interface BlockPlan {
  /** Weight prefix `s<stage>.b<block>`. */
  name: string;
  cin: number;
  hidden: number;
  cout: number;
  kernel: number;
  stride: number;
  /** Identity shortcut: stride 1 and cin == cout (of this configuration). */
  residual: boolean;
}

export type MbconvWeightSpec =
  | { kind: 'conv'; name: string; k: number; cin: number; cout: number }
  | { kind: 'depthwise'; name: string; k: number; c: number }
  | { kind: 'bn'; name: string; c: number }
  | { kind: 'linear'; name: string; cin: number; cout: number };

/** The blocks of each stage (the first `depth` of the stage) with the channel counts `config` implies. */
export function blockPlans(space: MbconvSpace, config: MbconvConfig): BlockPlan[][] {
  let cin = space.stemWidth;
  return config.stages.map((s, i) =>
    s.blocks.map((b, j) => {
      const stride = j === 0 ? space.stages[i].stride : 1;
      const plan: BlockPlan = { name: `s${i}.b${j}`, cin, hidden: hiddenChannels(cin, b.expandRatio), cout: s.width, kernel: b.kernel, stride, residual: stride === 1 && cin === s.width };
      cin = s.width;
      return plan;
    }),
  );
}

/** Every weight `config` uses, in forward order, with its (sliced) shape. */
export function mbconvWeightSpecs(space: MbconvSpace, config: MbconvConfig): MbconvWeightSpec[] {
  const specs: MbconvWeightSpec[] = [
    { kind: 'conv', name: 'stem', k: 3, cin: space.inputShape[2], cout: space.stemWidth },
    { kind: 'bn', name: 'stem.bn', c: space.stemWidth },
  ];
  let last = space.stemWidth;
  for (const stage of blockPlans(space, config)) {
    for (const p of stage) {
      specs.push(
        { kind: 'conv', name: `${p.name}.expand`, k: 1, cin: p.cin, cout: p.hidden },
        { kind: 'bn', name: `${p.name}.expand.bn`, c: p.hidden },
        { kind: 'depthwise', name: `${p.name}.dw`, k: p.kernel, c: p.hidden },
        { kind: 'bn', name: `${p.name}.dw.bn`, c: p.hidden },
        { kind: 'conv', name: `${p.name}.project`, k: 1, cin: p.hidden, cout: p.cout },
        { kind: 'bn', name: `${p.name}.project.bn`, c: p.cout },
      );
      last = p.cout;
    }
  }
  specs.push(
    { kind: 'conv', name: 'head', k: 1, cin: last, cout: space.headWidth },
    { kind: 'bn', name: 'head.bn', c: space.headWidth },
    { kind: 'linear', name: 'classifier', cin: space.headWidth, cout: space.numClasses },
  );
  return specs;
}

/** Names of a spec's trainable parameters. */
export function specParamNames(s: MbconvWeightSpec): string[] {
  if (s.kind === 'bn') return [`${s.name}.gamma`, `${s.name}.beta`];
  if (s.kind === 'linear') return [`${s.name}.w`, `${s.name}.b`];
  return [`${s.name}.w`];
}

/** Names of a spec's buffers (BN running statistics). */
export function specBufferNames(s: MbconvWeightSpec): string[] {
  return s.kind === 'bn' ? [`${s.name}.runMean`, `${s.name}.runVar`] : [];
}

/** Trainable parameter count of a spec (BN affine parameters included, running statistics not). */
export function specParamCount(s: MbconvWeightSpec): number {
  switch (s.kind) {
    case 'conv':
      return s.k * s.k * s.cin * s.cout;
    case 'depthwise':
      return s.k * s.k * s.c;
    case 'bn':
      return 2 * s.c;
    case 'linear':
      return s.cin * s.cout + s.cout;
  }
}

/** Trainable parameters of the sub-network `config` (what a standalone copy of it owns). */
export function mbconvParamCount(space: MbconvSpace, config: MbconvConfig): number {
  return mbconvWeightSpecs(space, config).reduce((n, s) => n + specParamCount(s), 0);
}

/** Creates freshly initialised variables (PyTorch default init) for `specs` in `store`, in order. */
export function createWeights(store: WeightStore, specs: readonly MbconvWeightSpec[]): void {
  for (const s of specs) {
    if (s.kind === 'conv') store.convW(s.name, s.k, s.cin, s.cout);
    else if (s.kind === 'depthwise') store.depthwiseW(s.name, s.k, s.c);
    else if (s.kind === 'bn') store.bn(s.name, s.c);
    else store.linear(s.name, s.cin, s.cout);
  }
}
