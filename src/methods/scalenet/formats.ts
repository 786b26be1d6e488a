/** Model file formats of scalenet, shared by its job ring (artefact metadata) and its training ring (writing). No tfjs. */

/**
 * A retrained family member: one JSON file `{ format, stage, member, numClasses, imageShape, input, modelJson,
 * weightsBase64, info }`. `modelJson` is a TensorFlow.js LayersModel model.json whose weightsManifest names
 * `weights.bin`, and `weightsBase64` is that file: split into the two files, tf.loadLayersModel reads it. `input`
 * says how to prepare an image: resize bilinearly to `input.shape` (tf.image.resizeBilinear defaults, Eq. 30),
 * then x = (pixel/255 - mean[c]) / std[c].
 */
export const SCALENET_MEMBER_FORMAT = 'scalenet-layers-model/1';
export const SCALENET_MEMBER_MEDIA_TYPE = 'application/json';
