/** Training loss and throughput over the steps since the last progress report. */
export class ProgressWindow {
  private loss = 0;
  private weight = 0;
  private images = 0;
  private since = performance.now();

  /** `loss` counts with `weight` (a per-image loss sum with the image count, or a step mean with 1). */
  add(loss: number, weight: number, images: number): void {
    this.loss += loss;
    this.weight += weight;
    this.images += images;
  }

  get empty(): boolean {
    return this.weight === 0;
  }

  /** Weighted mean loss (null before any step) and images/s of this window; then starts a new one. */
  take(): { loss: number | null; throughput: number } {
    const seconds = (performance.now() - this.since) / 1000;
    const out = { loss: this.weight ? this.loss / this.weight : null, throughput: seconds > 0 ? this.images / seconds : 0 };
    this.reset();
    return out;
  }

  /** Starts a new window without reporting (e.g. evaluation time is not training time). */
  reset(): void {
    this.loss = 0;
    this.weight = 0;
    this.images = 0;
    this.since = performance.now();
  }
}
