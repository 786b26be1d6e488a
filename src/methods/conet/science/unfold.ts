// Unfolding of a 4-way convolution kernel into a matrix (CONet Sec. 2.1).
//
// Layout: a conv kernel is stored in TensorFlow.js order [kh, kw, cin, cout] = [N1, N2, N3, N4] (row-major,
// cout fastest), i.e. element W[i1, i2, i3, i4] sits at ((i1 * N2 + i2) * N3 + i3) * N4 + i4. The paper's
// W ∈ R^{N1×N2×N3×N4} has exactly this axis order (N1, N2 kernel height/width, N3 input, N4 output channels),
// so d = 3 is the input-channel mode and d = 4 the output-channel mode in both.
//
// unfold(W, d) gives W_d ∈ R^{N_d × (product of the other three sizes)} (Sec. 2.1: W_4 ∈ R^{N4 × N1N2N3}); the
// order of the columns is fixed here (remaining axes in increasing order, last fastest) but does not change the
// singular values, which are all CONet reads.

/** Shape of a conv kernel in TensorFlow.js layout: [kernel height N1, kernel width N2, input N3, output N4]. */
export type KernelShape = readonly [number, number, number, number];

/** A dense row-major matrix of doubles. */
export interface DenseMatrix {
  readonly rows: number;
  readonly cols: number;
  /** row-major, length rows * cols */
  readonly data: Float64Array;
}

/** Unfolding mode: 3 = input channels, 4 = output channels (the paper's d). */
export type UnfoldMode = 3 | 4;

function checkKernel(kernel: ArrayLike<number>, shape: KernelShape): void {
  if (shape.length !== 4 || shape.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new RangeError(`kernel shape must be four positive integers, got [${shape.join(', ')}]`);
  }
  const size = shape[0] * shape[1] * shape[2] * shape[3];
  if (kernel.length !== size) throw new RangeError(`kernel has ${kernel.length} values, shape [${shape.join(', ')}] needs ${size}`);
}

/** Unfold a [N1, N2, N3, N4] kernel along mode d ∈ {3, 4} (Sec. 2.1) into an N_d × (rest) matrix. */
export function unfoldKernel(kernel: ArrayLike<number>, shape: KernelShape, d: UnfoldMode): DenseMatrix {
  checkKernel(kernel, shape);
  const [n1, n2, n3, n4] = shape;
  const spatial = n1 * n2;
  if (d === 4) {
    // row i4, column (i1 * N2 + i2) * N3 + i3
    const cols = spatial * n3;
    const data = new Float64Array(n4 * cols);
    for (let s = 0; s < cols; s++) {
      const base = s * n4;
      for (let i4 = 0; i4 < n4; i4++) data[i4 * cols + s] = kernel[base + i4];
    }
    return { rows: n4, cols, data };
  }
  // d === 3: row i3, column (i1 * N2 + i2) * N4 + i4
  const cols = spatial * n4;
  const data = new Float64Array(n3 * cols);
  for (let s = 0; s < spatial; s++) {
    for (let i3 = 0; i3 < n3; i3++) {
      const src = (s * n3 + i3) * n4;
      const dst = i3 * cols + s * n4;
      for (let i4 = 0; i4 < n4; i4++) data[dst + i4] = kernel[src + i4];
    }
  }
  return { rows: n3, cols, data };
}

/** Inverse of unfoldKernel: fold an N_d × (rest) matrix back into a [N1, N2, N3, N4] kernel. */
export function foldKernel(matrix: DenseMatrix, shape: KernelShape, d: UnfoldMode): Float64Array {
  const [n1, n2, n3, n4] = shape;
  const out = new Float64Array(n1 * n2 * n3 * n4);
  checkKernel(out, shape);
  const spatial = n1 * n2;
  const expectRows = d === 4 ? n4 : n3;
  const expectCols = d === 4 ? spatial * n3 : spatial * n4;
  if (matrix.rows !== expectRows || matrix.cols !== expectCols) {
    throw new RangeError(`matrix ${matrix.rows}x${matrix.cols} does not unfold shape [${shape.join(', ')}] along d=${d}`);
  }
  for (let i1 = 0; i1 < n1; i1++) {
    for (let i2 = 0; i2 < n2; i2++) {
      const s = i1 * n2 + i2;
      for (let i3 = 0; i3 < n3; i3++) {
        for (let i4 = 0; i4 < n4; i4++) {
          const k = ((i1 * n2 + i2) * n3 + i3) * n4 + i4;
          out[k] = d === 4 ? matrix.data[i4 * matrix.cols + s * n3 + i3] : matrix.data[i3 * matrix.cols + s * n4 + i4];
        }
      }
    }
  }
  return out;
}
