// What the CONet trial runner needs of a preset (ResNet, NB201 cell network): its channel groups (Alg. 1), the conv
// layers it measures, and a network at any group sizes.
import type * as tf from '@tensorflow/tfjs-core';
import type { TrainableNetwork } from '../../../trainer/engine/network';
import type { ChannelAssignment } from '../science/channel-graph';

/** A trainable network whose conv kernels ([kh, kw, cin, cout]) CONet reads by layer name. */
export interface ConetNetwork extends TrainableNetwork {
  kernel(name: string): tf.Variable;
  paramCount(): number;
  dispose(): void;
}

export interface ConetNetworkSpec {
  /** the preset's DAG groups (Alg. 1) */
  assignment: ChannelAssignment;
  /** starting size of every tunable group */
  initialSizes: ReadonlyMap<number, number>;
  /** measured conv layers (Sec. 3.1) with their output group */
  measured: ReadonlyArray<{ name: string; group: number }>;
  build(sizes: ReadonlyMap<number, number>, seed: number): ConetNetwork;
  paramCount(sizes: ReadonlyMap<number, number>): number;
}
