// Prescription metrics (rx.funnel, rx.review_time, rx.pending_queue) against a real server and chDB.
// Expected values are worked out by hand from the events below, never by the code under test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock, getJson, postEvents, removeDir, startServer, type Running } from '../../helpers/server.ts';

// Pinned at 10:00:00 Shanghai on 2026-11-11 (02:00 UTC): "today" is 2026-11-11 there, and the pending
// queue's 7-day window starts at 2026-11-04T10:00:00+08:00.
const clock = fixedClock('2026-11-11T10:00:00.000+08:00');
let s: Running;

const ev = (rx_id: string, type: string, ts: string, extra: Record<string, unknown> = {}) => ({
  event_id: `${rx_id}-${type}`,
  type,
  ts,
  rx_id,
  ...(type === 'rx.issued' ? { order_id: `O-${rx_id}`, source: 'internet_hospital' } : { pharmacist_id: 'PH-1' }),
  ...extra,
});
const day = (hms: string) => `2026-11-11T${hms}+08:00`;

beforeAll(async () => {
  s = await startServer({ clock });
  // Out of order: RX-C's approval arrives before its rx.issued (posted in the next request).
  expect((await postEvents(s.url, [ev('RX-C', 'rx.approved', day('00:02:00.000'))])).status).toBe(200);
  const batch = [
    ev('RX-A', 'rx.issued', day('09:00:00.000')),
    ev('RX-A', 'rx.review_started', day('09:01:00.000')),
    ev('RX-A', 'rx.approved', day('09:05:30.000')),
    ev('RX-B', 'rx.issued', day('09:10:00.000')),
    ev('RX-B', 'rx.review_started', day('09:12:00.000')),
    ev('RX-B', 'rx.rejected', day('09:20:00.000'), { reason: '处方超期' }),
    // First instant of the business day (16:00 UTC the day before).
    ev('RX-C', 'rx.issued', '2026-11-10T16:00:00.000Z'),
    ev('RX-D', 'rx.issued', day('09:50:00.000')),
    ev('RX-D', 'rx.review_started', day('09:52:00.000')),
    ev('RX-E', 'rx.issued', day('09:58:00.000')),
    // Last instant of yesterday; decided today after 20 min 0.501 s.
    ev('RX-F', 'rx.issued', '2026-11-10T23:59:59.999+08:00'),
    ev('RX-F', 'rx.approved', day('00:20:00.500')),
    // Approved, then (wrongly) also rejected: decided once, by the first decision.
    ev('RX-H', 'rx.issued', day('09:30:00.000')),
    ev('RX-H', 'rx.approved', day('09:40:00.000')),
    ev('RX-H', 'rx.rejected', day('09:45:00.000')),
    // Issued tomorrow: in no funnel of today, not in the queue before its time.
    ev('RX-I', 'rx.issued', '2026-11-12T00:00:00.000+08:00'),
    // A decision whose rx.issued never arrived: no cohort, no duration.
    ev('RX-J', 'rx.approved', day('09:00:00.000')),
    // Undecided, issued 7 days + 1 s ago (outside the queue window) and 7 days − 1 s ago (inside).
    ev('RX-K', 'rx.issued', '2026-11-04T09:59:59.000+08:00'),
    ev('RX-L', 'rx.issued', '2026-11-04T10:00:01.000+08:00'),
    ev('RX-M', 'rx.issued', '2026-11-10T20:00:00.000+08:00'),
    ev('RX-M', 'rx.review_started', '2026-11-10T20:05:00.000+08:00'),
    // Decision stamped 5 s before the issue (skewed source clock): counts as 0 s.
    ev('RX-N', 'rx.issued', day('08:00:10.000')),
    ev('RX-N', 'rx.approved', day('08:00:05.000')),
    // SLA edge: 900 s old is not over a 15-minute SLA, 901 s is.
    ev('RX-P', 'rx.issued', day('09:45:00.000')),
    ev('RX-Q', 'rx.issued', day('09:44:59.000')),
  ];
  expect((await postEvents(s.url, batch)).body).toEqual({ accepted: batch.length, duplicates: 0 });
  // Retries of RX-A's events: counted once.
  expect((await postEvents(s.url, batch.slice(0, 3))).body).toEqual({ accepted: 0, duplicates: 3 });
});
afterAll(async () => {
  await s?.close();
  if (s) removeDir(s.dataDir);
});

describe('rx.funnel', () => {
  it('counts the prescriptions issued that business day and how far they got', async () => {
    const r = await getJson(s.url, '/api/v1/metrics/rx.funnel');
    expect(r.status).toBe(200);
    // Cohort A B C D E H N P Q; started A B D; approved A C H N; rejected B; pending D E P Q.
    expect(r.body).toMatchObject({ metric: 'rx.funnel', params: { date: '2026-11-11' } });
    expect(r.body.value).toEqual({ issued: 9, review_started: 3, approved: 4, rejected: 1, pending: 4 });
  });

  it('puts the last millisecond of yesterday in yesterday, and tomorrow in tomorrow', async () => {
    // Cohort F (approved today) and M (review started, undecided).
    expect((await getJson(s.url, '/api/v1/metrics/rx.funnel?date=2026-11-10')).body.value).toEqual({ issued: 2, review_started: 1, approved: 1, rejected: 0, pending: 1 });
    expect((await getJson(s.url, '/api/v1/metrics/rx.funnel?date=2026-11-12')).body.value).toEqual({ issued: 1, review_started: 0, approved: 0, rejected: 0, pending: 1 });
    expect((await getJson(s.url, '/api/v1/metrics/rx.funnel?date=2026-10-01')).body.value).toEqual({ issued: 0, review_started: 0, approved: 0, rejected: 0, pending: 0 });
  });
});

describe('rx.review_time', () => {
  it('takes p50/p95 over prescriptions decided that day, in whole seconds', async () => {
    // Decided today with a known issue: N 0 ms, C 120000, A 330000, B 600000, H 600000, F 1200501.
    // quantileExact picks index floor(6 × 0.5) = 3 → 600000 ms and floor(6 × 0.95) = 5 → 1200.501 s → 1201.
    const r = await getJson(s.url, '/api/v1/metrics/rx.review_time');
    expect(r.body.value).toEqual({ reviewed: 6, p50_s: 600, p95_s: 1201 });
  });

  it('is empty with nulls on a day without decisions', async () => {
    expect((await getJson(s.url, '/api/v1/metrics/rx.review_time?date=2026-11-10')).body.value).toEqual({ reviewed: 0, p50_s: null, p95_s: null });
  });
});

describe('rx.pending_queue', () => {
  it('lists undecided prescriptions of the last 7 days, oldest first, with the SLA count', async () => {
    const r = await getJson(s.url, '/api/v1/metrics/rx.pending_queue');
    expect(r.body.params).toEqual({ limit: 20, sla_min: 15 });
    expect(r.body.value).toEqual({
      count: 6,
      over_sla: 3,
      items: [
        { rx_id: 'RX-L', order_id: 'O-RX-L', state: 'waiting', issued_at: '2026-11-04T10:00:01.000+08:00', age_s: 604_799 },
        { rx_id: 'RX-M', order_id: 'O-RX-M', state: 'in_review', issued_at: '2026-11-10T20:00:00.000+08:00', age_s: 50_400 },
        { rx_id: 'RX-Q', order_id: 'O-RX-Q', state: 'waiting', issued_at: '2026-11-11T09:44:59.000+08:00', age_s: 901 },
        { rx_id: 'RX-P', order_id: 'O-RX-P', state: 'waiting', issued_at: '2026-11-11T09:45:00.000+08:00', age_s: 900 },
        { rx_id: 'RX-D', order_id: 'O-RX-D', state: 'in_review', issued_at: '2026-11-11T09:50:00.000+08:00', age_s: 600 },
        { rx_id: 'RX-E', order_id: 'O-RX-E', state: 'waiting', issued_at: '2026-11-11T09:58:00.000+08:00', age_s: 120 },
      ],
    });
  });

  it('applies limit and sla_min, and keeps counting past the limit', async () => {
    const r = await getJson(s.url, '/api/v1/metrics/rx.pending_queue?limit=2&sla_min=1');
    // Older than 60 s: L M Q P D E; RX-E is 120 s old.
    expect(r.body.value.count).toBe(6);
    expect(r.body.value.over_sla).toBe(6);
    expect(r.body.value.items.map((i: { rx_id: string }) => i.rx_id)).toEqual(['RX-L', 'RX-M']);
  });

  it('ages with the clock and drops what leaves the window', async () => {
    clock.set('2026-11-11T10:00:02.000+08:00');
    try {
      const r = await getJson(s.url, '/api/v1/metrics/rx.pending_queue?limit=1');
      // RX-L is now 7 days + 1 s old: out. RX-P turns 902 s: over the SLA with M Q.
      expect(r.body.value).toEqual({
        count: 5,
        over_sla: 3,
        items: [{ rx_id: 'RX-M', order_id: 'O-RX-M', state: 'in_review', issued_at: '2026-11-10T20:00:00.000+08:00', age_s: 50_402 }],
      });
    } finally {
      clock.set('2026-11-11T10:00:00.000+08:00');
    }
  });

  it('refuses out-of-range params, naming them', async () => {
    for (const q of ['limit=0', 'limit=201', 'sla_min=abc', 'limit=1.5']) {
      const r = await getJson(s.url, `/api/v1/metrics/rx.pending_queue?${q}`);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ code: 'RXP_ERR_METRIC_PARAM', param: q.split('=')[0] });
    }
  });
});

describe('prescriptions issued or decided more than once', () => {
  // Found by the time of any rx.issued (or decision), counted by the first: a re-issue on another day does not
  // move a prescription into that day's cohort or the queue, a second decision does not re-time it. Days
  // before the window (2026-11-04 10:00) that no other test reads.
  it('counts each by its first rx.issued and its first decision', async () => {
    const more = [
      ev('RX-R', 'rx.issued', '2026-11-01T10:00:00.000+08:00'),
      { ...ev('RX-R', 'rx.issued', '2026-11-02T10:00:00.000+08:00'), event_id: 'RX-R-rx.issued-again' },
      ev('RX-R', 'rx.approved', '2026-11-03T10:00:00.000+08:00'),
      ev('RX-S', 'rx.issued', '2026-11-02T09:00:00.000+08:00'),
      ev('RX-S', 'rx.approved', '2026-11-02T09:10:00.000+08:00'),
      ev('RX-S', 'rx.rejected', '2026-11-03T09:00:00.000+08:00'),
      // First issued before the queue window, issued again inside it, never decided: not pending.
      ev('RX-T', 'rx.issued', '2026-11-03T12:00:00.000+08:00'),
      { ...ev('RX-T', 'rx.issued', '2026-11-05T12:00:00.000+08:00'), event_id: 'RX-T-rx.issued-again' },
    ];
    expect((await postEvents(s.url, more)).body).toEqual({ accepted: more.length, duplicates: 0 });
    const funnel = async (date: string) => (await getJson(s.url, `/api/v1/metrics/rx.funnel?date=${date}`)).body.value;
    expect(await funnel('2026-11-01')).toEqual({ issued: 1, review_started: 0, approved: 1, rejected: 0, pending: 0 });
    expect(await funnel('2026-11-02')).toEqual({ issued: 1, review_started: 0, approved: 1, rejected: 0, pending: 0 });
    expect(await funnel('2026-11-03')).toEqual({ issued: 1, review_started: 0, approved: 0, rejected: 0, pending: 1 });
    expect(await funnel('2026-11-05')).toEqual({ issued: 0, review_started: 0, approved: 0, rejected: 0, pending: 0 });
    // S: 600 s on 2026-11-02 (its rejection the next day is no second review); R: 2 days from its first issue.
    const review = async (date: string) => (await getJson(s.url, `/api/v1/metrics/rx.review_time?date=${date}`)).body.value;
    expect(await review('2026-11-02')).toEqual({ reviewed: 1, p50_s: 600, p95_s: 600 });
    expect(await review('2026-11-03')).toEqual({ reviewed: 1, p50_s: 172_800, p95_s: 172_800 });
    const queue = (await getJson(s.url, '/api/v1/metrics/rx.pending_queue?limit=200')).body.value;
    expect(queue.count).toBe(6);
    expect(queue.items.map((i: { rx_id: string }) => i.rx_id)).toEqual(['RX-L', 'RX-M', 'RX-Q', 'RX-P', 'RX-D', 'RX-E']);
  });
});
