/** One split of an image-classification dataset, images as raw uint8 pixels. */
export interface ImageSplit {
  count: number;
  height: number;
  width: number;
  channels: number;
  /** count*height*width*channels bytes, HWC order per image (pixel-major, channels interleaved). */
  images: Uint8Array;
  /** count bytes, class index per image. */
  labels: Uint8Array;
}

export interface ImageDataset {
  name: string;
  numClasses: number;
  train: ImageSplit;
  test: ImageSplit;
  /** Where it came from, e.g. 'builtin:cifar10-subset (data/images/cifar10, 4000 train / 846 test)'. */
  source: string;
}
