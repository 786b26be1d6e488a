import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TooManyRequestsError } from '../../src/common/errors';
import { UploadSlots } from '../../src/datasets/upload/upload-slots';

describe('UploadSlots', () => {
  test('at most perTeam per team and perProcess in all; 429 with Retry-After beyond; release frees exactly one slot', () => {
    const slots = new UploadSlots(3, 2);
    const a1 = slots.acquire('a');
    slots.acquire('a');
    assert.throws(() => slots.acquire('a'), (e: unknown) => e instanceof TooManyRequestsError && e.status === 429 && e.retryAfterSeconds >= 1 && e.violations[0].rule === 'maxConcurrentUploadsPerTeam');
    slots.acquire('b');
    assert.throws(() => slots.acquire('c'), (e: unknown) => e instanceof TooManyRequestsError && e.violations[0].rule === 'maxConcurrentUploads');
    assert.equal(slots.active, 3);
    a1();
    a1(); // idempotent
    assert.equal(slots.active, 2);
    slots.acquire('c');
    assert.throws(() => slots.acquire('a'), TooManyRequestsError, 'the process limit again');
  });
});
