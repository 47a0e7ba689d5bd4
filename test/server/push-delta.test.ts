// Deltas for long values: a patch applied to the previous value gives exactly the new value, and it is much
// shorter than the value when only the tail of a day of minutes moved.
import { describe, expect, it } from 'vitest';
import { applyPatch, diffValue } from '../../server/push/delta.ts';

const minutes = (n: number, f: (i: number) => number) =>
  Array.from({ length: n }, (_, i) => ({ minute: `${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`, orders: f(i) }));

describe('value deltas', () => {
  it('sends the changed tail of a day of minutes, and applying it gives the new value', () => {
    const before = minutes(1_000, (i) => i % 7);
    const after = [...minutes(1_000, (i) => (i === 999 ? 50 : i % 7)), { minute: '16:40', orders: 3 }];
    const patch = diffValue(before, after);
    expect(patch).toEqual([{ path: [], at: 999, items: after.slice(999) }]);
    expect(applyPatch(before, patch!)).toEqual(after);
    expect(JSON.stringify(patch).length).toBeLessThan(JSON.stringify(after).length / 100);
  });

  it('patches each array of an object value (today and yesterday) and replaces other fields', () => {
    const before = { today: minutes(10, () => 1), yesterday: minutes(1_440, () => 2), total: 10 };
    const after = { today: minutes(11, () => 1), yesterday: before.yesterday, total: 11 };
    const patch = diffValue(before, after)!;
    expect(patch).toEqual([
      { path: ['today'], at: 10, items: [after.today[10]] },
      { path: ['total'], set: 11 },
    ]);
    expect(applyPatch(before, patch)).toEqual(after);
    expect(before.today).toHaveLength(10); // the previous value is not changed in place
  });

  it('handles a series that got shorter or changed at its start', () => {
    const before = minutes(500, () => 1);
    const shorter = minutes(100, () => 1);
    expect(applyPatch(before, diffValue(before, shorter) ?? [{ path: [], set: shorter }])).toEqual(shorter);
    const headChanged = minutes(500, (i) => (i === 0 ? 9 : 1));
    expect(diffValue(before, headChanged)).toBeNull(); // as long as the value: sent whole
  });

  it('sends scalars and reshaped values whole', () => {
    expect(diffValue(1, 2)).toBeNull();
    expect(diffValue({ a: 1 }, { b: 1 })).toBeNull();
    expect(diffValue([1], { a: 1 })).toBeNull();
  });

  it('round-trips random edits of random series', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let t = 0; t < 300; t++) {
      const before = { s: minutes(rnd(300), () => rnd(5)), n: rnd(3) };
      const cut = rnd(before.s.length + 1);
      const after = { s: [...before.s.slice(0, cut), ...minutes(rnd(20), () => rnd(5))], n: rnd(3) };
      const patch = diffValue(before, after);
      if (patch) expect(applyPatch(before, patch)).toEqual(after);
    }
  });
});
