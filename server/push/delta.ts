// Deltas for long values (a day of minutes is 1,440 points; each update changes the last one or two). Pure
// and dependency-free: the server diffs, the screen runtime applies (both import this file).
//
// A patch is a list of operations on the previous value, each at a path of object keys:
//   { path, at, items }  the array at `path` keeps its first `at` elements, then `items` follow
//   { path, set }        the value at `path` is replaced
// Only arrays at the top or one object level down are patched element-wise; anything else is replaced.

export type TailOp = { path: string[]; at: number; items: unknown[] };
export type SetOp = { path: string[]; set: unknown };
export type PatchOp = TailOp | SetOp;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function tail(path: string[], before: unknown[], after: unknown[]): TailOp {
  let at = 0;
  const n = Math.min(before.length, after.length);
  while (at < n && JSON.stringify(before[at]) === JSON.stringify(after[at])) at++;
  return { path, at, items: after.slice(at) };
}

/** The operations that turn `before` into `after`, or null when sending `after` whole is as short. */
export function diffValue(before: unknown, after: unknown): PatchOp[] | null {
  let ops: PatchOp[];
  if (Array.isArray(before) && Array.isArray(after)) {
    ops = [tail([], before, after)];
  } else if (isObject(before) && isObject(after) && sameKeys(before, after)) {
    ops = [];
    for (const k of Object.keys(after)) {
      const b = before[k];
      const a = after[k];
      if (Array.isArray(b) && Array.isArray(a)) {
        const op = tail([k], b, a);
        if (op.at < b.length || op.items.length > 0) ops.push(op);
      } else if (JSON.stringify(b) !== JSON.stringify(a)) {
        ops.push({ path: [k], set: a });
      }
    }
  } else {
    return null;
  }
  return JSON.stringify(ops).length * 2 < JSON.stringify(after).length ? ops : null;
}

function sameKeys(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => k in b);
}

/** Applies a patch to a value without changing the value (a new value comes back). */
export function applyPatch(value: unknown, patch: readonly PatchOp[]): unknown {
  let out: unknown = value;
  for (const op of patch) {
    if (op.path.length === 0) {
      out = 'set' in op ? op.set : [...(out as unknown[]).slice(0, op.at), ...op.items];
      continue;
    }
    const [k] = op.path;
    const obj = { ...(out as Record<string, unknown>) };
    obj[k] = 'set' in op ? op.set : [...(obj[k] as unknown[]).slice(0, op.at), ...op.items];
    out = obj;
  }
  return out;
}
