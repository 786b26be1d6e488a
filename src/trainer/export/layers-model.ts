/**
 * TensorFlow.js LayersModel files, method-free: a built tfjs-layers model as its two files (model.json with the
 * topology and a weightsManifest naming `weights.bin`, and the binary weights), and back. Methods build their own
 * graphs (CONet's ResNet/NB201 cells, ScaleNet's MBConv members) and store these files in their artefacts.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** The name the weightsManifest gives the binary weights file. */
export const LAYERS_WEIGHTS_FILE = 'weights.bin';

/** The LayersModel artefacts (model.json topology + weight specs, and the binary weights) without touching disk. */
export async function exportArtifacts(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (saved === null) throw new Error('the model was not saved');
  return saved;
}

/** model.json (as tf.io writes it, its weightsManifest naming `weights.bin`) and the bytes of weights.bin. */
export interface LayersModelFiles {
  modelJson: Record<string, unknown>;
  weights: Buffer;
}

/** The two files of saved artefacts. */
export function layersModelFiles(a: tf.io.ModelArtifacts): LayersModelFiles {
  const modelJson = {
    modelTopology: a.modelTopology,
    format: a.format ?? 'layers-model',
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy ?? null,
    weightsManifest: [{ paths: [LAYERS_WEIGHTS_FILE], weights: a.weightSpecs ?? [] }],
  };
  const data = a.weightData;
  const weights = data === undefined ? Buffer.alloc(0) : Array.isArray(data) ? Buffer.concat(data.map((d) => Buffer.from(d))) : Buffer.from(data);
  return { modelJson, weights };
}

/** tf.loadLayersModel over the two files' contents (what a browser does with model.json + weights.bin). */
export async function loadLayersModelFiles(files: LayersModelFiles): Promise<tfl.LayersModel> {
  const json = files.modelJson as { modelTopology: object; weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }> };
  const bin = files.weights;
  return tfl.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer }),
  );
}
