import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/common/rng';
import { hypervolume2d, paretoFront2d } from '../../src/search/core/hypervolume';

/** Unit cells [i,i+1]x[j,j+1] below ref dominated by some point (integer coordinates): the exact area, by counting. */
function countCells(points: number[][], ref: [number, number]): number {
  let n = 0;
  for (let i = 0; i < ref[0]; i++) for (let j = 0; j < ref[1]; j++) if (points.some((p) => p[0] <= i && p[1] <= j)) n++;
  return n;
}

describe('exact 2-D hypervolume (minimisation)', () => {
  test('staircase of three points, ref (4,4): 1*1 + 1*2 + 1*3 = 6', () => {
    assert.equal(hypervolume2d([[1, 3], [2, 2], [3, 1]], [4, 4]), 6);
  });

  test('one point: the rectangle to the reference point', () => {
    assert.equal(hypervolume2d([[0, 0]], [2, 3]), 6);
    assert.equal(hypervolume2d([[1.5, 0.5]], [2, 3]), 0.5 * 2.5);
  });

  test('dominated points, duplicates and input order change nothing', () => {
    const base = hypervolume2d([[1, 3], [2, 2], [3, 1]], [4, 4]);
    assert.equal(hypervolume2d([[3, 1], [2.5, 2.5], [1, 3], [2, 2], [2, 2], [3, 3]], [4, 4]), base);
    assert.equal(hypervolume2d([[3, 1], [1, 3], [2, 2]], [4, 4]), base);
  });

  test('points that do not strictly dominate the reference point add nothing; empty set = 0', () => {
    assert.equal(hypervolume2d([], [4, 4]), 0);
    assert.equal(hypervolume2d([[5, 0], [4, 0], [0, 4]], [4, 4]), 0);
    assert.equal(hypervolume2d([[5, 0], [1, 3]], [4, 4]), 3);
  });

  test('equal first objective: only the lower point counts', () => {
    assert.equal(hypervolume2d([[1, 3], [1, 1]], [4, 4]), 9);
  });

  test('equals the count of dominated unit cells on random integer point sets', () => {
    const rng = Rng.fromSeed(7);
    for (let t = 0; t < 200; t++) {
      const pts = Array.from({ length: 1 + rng.int(8) }, () => [rng.int(12), rng.int(12)]);
      assert.equal(hypervolume2d(pts, [10, 10]), countCells(pts, [10, 10]), JSON.stringify(pts));
    }
  });

  test('rejects a non-finite reference point or a point with the wrong dimension', () => {
    assert.throws(() => hypervolume2d([[1, 1]], [Infinity, 4]), RangeError);
    assert.throws(() => hypervolume2d([[1, 1, 1]], [4, 4]), RangeError);
  });

  test('paretoFront2d keeps the non-dominated points sorted by the first objective', () => {
    assert.deepEqual(paretoFront2d([[3, 1], [2.5, 2.5], [1, 3], [2, 2], [2, 2], [1, 4]]), [[1, 3], [2, 2], [3, 1]]);
  });
});
