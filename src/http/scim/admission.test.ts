import { describe, expect, it } from 'vitest';
import { Admission, Overloaded } from './admission.ts';

const limits = { maxInFlight: 2, maxInFlightPerDirectory: 2, maxQueued: 4, maxQueuedPerDirectory: 3, maxWaitMs: 1000 };

describe('Admission', () => {
  it('admits up to the limit, queues beyond it, and hands a freed slot to the next waiter', async () => {
    const a = new Admission(limits);
    const r1 = await a.acquire('d1');
    await a.acquire('d1');
    let third = false;
    const waiting = a.acquire('d1').then((release) => ((third = true), release));
    expect(a.stats).toMatchObject({ inFlight: 2, queued: 1 });
    await Promise.resolve();
    expect(third).toBe(false);
    r1();
    r1(); // releasing twice frees one slot only
    await waiting;
    expect(third).toBe(true);
    expect(a.stats).toMatchObject({ inFlight: 2, queued: 0 });
  });

  it('refuses with Overloaded when the directory queue or the whole queue is full', async () => {
    const a = new Admission(limits);
    await a.acquire('d1');
    await a.acquire('d1');
    const queued = [a.acquire('d1'), a.acquire('d1'), a.acquire('d1')];
    queued.forEach((p) => p.catch(() => {}));
    await expect(a.acquire('d1')).rejects.toMatchObject({ reason: 'directory_queue_full' });
    const other = a.acquire('d2');
    other.catch(() => {});
    await expect(a.acquire('d3')).rejects.toBeInstanceOf(Overloaded);
    expect(a.rejected).toMatchObject({ directory_queue_full: 1, queue_full: 1 });
  });

  it('serves directories in turn: a burst in one does not starve another', async () => {
    const a = new Admission({ ...limits, maxInFlight: 1, maxQueued: 100, maxQueuedPerDirectory: 100 });
    const admitted: { name: string; release: () => void }[] = [{ name: 'busy', release: await a.acquire('busy') }];
    for (let i = 0; i < 5; i++) void a.acquire('busy').then((release) => admitted.push({ name: 'busy', release }));
    void a.acquire('quiet').then((release) => admitted.push({ name: 'quiet', release }));
    for (let i = 0; i < 6; i++) {
      admitted[admitted.length - 1]!.release();
      await new Promise((r) => setImmediate(r));
    }
    expect(admitted.map((x) => x.name)).toEqual(['busy', 'busy', 'quiet', 'busy', 'busy', 'busy', 'busy']);
  });

  it('caps each directory even when the total has room', async () => {
    const a = new Admission({ ...limits, maxInFlight: 10, maxInFlightPerDirectory: 1 });
    await a.acquire('d1');
    let admitted = false;
    a.acquire('d1').then(() => (admitted = true));
    await a.acquire('d2');
    await Promise.resolve();
    expect(admitted).toBe(false);
    expect(a.stats.inFlight).toBe(2);
  });

  it('refuses a request that waited longer than maxWaitMs, with a Retry-After', async () => {
    const a = new Admission({ ...limits, maxWaitMs: 20 });
    await a.acquire('d1');
    await a.acquire('d1');
    const error = await a.acquire('d1').catch((e) => e);
    expect(error).toBeInstanceOf(Overloaded);
    expect(error.reason).toBe('wait_timeout');
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(a.stats.queued).toBe(0);
  });

  it('takes a free slot at once with tryAcquire, and takes nothing when the caller would have to wait', async () => {
    const a = new Admission(limits);
    const r1 = a.tryAcquire('d1')!;
    expect(a.tryAcquire('d1')).toBeTypeOf('function');
    expect(a.stats).toMatchObject({ inFlight: 2, queued: 0 });
    // Full: nothing is taken and nothing queued.
    expect(a.tryAcquire('d1')).toBeUndefined();
    expect(a.tryAcquire('d2')).toBeUndefined();
    expect(a.stats).toMatchObject({ inFlight: 2, queued: 0 });
    // A waiter of the directory keeps its turn: a slot freed goes to it, not to a later tryAcquire.
    let waited = false;
    const waiting = a.acquire('d1').then((release) => ((waited = true), release));
    r1();
    expect(a.tryAcquire('d1')).toBeUndefined();
    await waiting;
    expect(waited).toBe(true);
    expect(a.stats).toMatchObject({ inFlight: 2, queued: 0 });
  });
});
