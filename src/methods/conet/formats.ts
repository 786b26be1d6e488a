/** Model file formats of conet, shared by its job ring (artefact checks) and its training ring (read, write). No tfjs. */

/**
 * The CONet export: one JSON file `{ format, network, groupSizes, numClasses, imageShape, inputNormalisation,
 * modelJson, weightsBase64, info }`; `modelJson` is a TensorFlow.js LayersModel model.json whose weightsManifest names
 * `weights.bin`, and `weightsBase64` is that file. Split into the two files, tf.loadLayersModel reads it.
 */
/** = NB201_MODEL_FORMAT of src/trainer/nb201/model-file.ts (written out: that file loads tfjs; a unit test pins the two equal). */
export const NB201_MODEL_FORMAT_NAME = 'nb201-model/1';
export const CONET_BUNDLE_FORMAT = 'conet-layers-model/1';
export const CONET_BUNDLE_MEDIA_TYPE = 'application/json';
/** Model artefact formats a conet job accepts as its network: nb201-train's exported model, or a CONet bundle. */
export const CONET_INPUT_FORMATS: readonly string[] = [NB201_MODEL_FORMAT_NAME, CONET_BUNDLE_FORMAT];
