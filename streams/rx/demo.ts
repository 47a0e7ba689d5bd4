// Demo prescriptions (电子处方) for orders with an Rx line: issued by the platform's internet hospital after a
// short online consultation, or uploaded by the buyer; then a pharmacist reviews them (审方). Review times are
// log-normal around a 3–4 minute median and always finish within 12 minutes of issue, so only an injected
// breach (RX_REVIEW_SLA: 16–40 minutes of waiting) ever exceeds the 15-minute SLA.
import { between, logNormal, pickOf, type Rng } from '../demo/random.ts';
import type { RX_SOURCES } from './schema.ts';

export interface RxPlan {
  readonly rx_id: string;
  readonly source: (typeof RX_SOURCES)[number];
  /** Epoch ms. issued ≥ order created; started > issued; decided > started. */
  readonly issuedAt: number;
  readonly startedAt: number;
  readonly decidedAt: number;
  readonly approved: boolean;
  readonly pharmacist_id: string;
  readonly reason?: string;
  /** Waited longer than the SLA (an injected RX_REVIEW_SLA violation). */
  readonly slaBreach: boolean;
}

/** Limits of the natural distribution, in seconds (the SLA breach is the only way past them). */
export const RX_TIMING = {
  issueMaxS: 120, waitMedianS: 150, waitMinS: 10, waitMaxS: 540, reviewMedianS: 60, reviewMinS: 20, reviewMaxS: 180,
  breachMinS: 960, breachMaxS: 2400, slaS: 900,
} as const;
const REJECT_SHARE = 0.06;
const PHARMACISTS = 24;
const REJECT_REASONS = ['处方已超过有效期', '诊断与所购药品不符', '用法用量超出常规', '处方信息不完整', '存在配伍禁忌'];

/**
 * The review of one prescription. Always makes the same number of draws, so switching a breach on or off
 * changes nothing else. `load` (the day curve, ~0.2 at night to ~10 at midnight) sets how many pharmacists
 * are on shift: more at the peaks, a skeleton crew at 4 a.m.
 */
export function planPrescription(rng: Rng, rxId: string, createdAt: number, breach: boolean, load: number): RxPlan {
  const hospital = rng() < 0.7;
  const issueS = hospital ? 20 + rng() * (RX_TIMING.issueMaxS - 20) : rng() * 8; // consultation vs photo upload
  const waitS = logNormal(rng, RX_TIMING.waitMedianS, 0.7, RX_TIMING.waitMinS, RX_TIMING.waitMaxS);
  const breachS = RX_TIMING.breachMinS + rng() * (RX_TIMING.breachMaxS - RX_TIMING.breachMinS);
  const reviewS = logNormal(rng, RX_TIMING.reviewMedianS, 0.5, RX_TIMING.reviewMinS, RX_TIMING.reviewMaxS);
  const approved = rng() >= REJECT_SHARE;
  const reason = pickOf(rng, REJECT_REASONS);
  const onShift = Math.min(PHARMACISTS, 4 + Math.round(4 * Math.min(load, 5)));
  const pharmacist = between(rng, 1, onShift);
  const issuedAt = createdAt + Math.round(issueS * 1000);
  const startedAt = issuedAt + Math.round((breach ? breachS : waitS) * 1000);
  const decidedAt = startedAt + Math.round(reviewS * 1000);
  const base = { rx_id: rxId, source: hospital ? 'internet_hospital' as const : 'upload' as const, issuedAt, startedAt,
    decidedAt, approved, pharmacist_id: `PH-${String(pharmacist).padStart(3, '0')}`, slaBreach: breach };
  return approved ? base : { ...base, reason };
}

type Head<T extends string> = { event_id: string; type: T; ts: string };
export type RxIssuedEvent = Head<'rx.issued'> & { rx_id: string; order_id: string; source: RxPlan['source'] };
export type RxReviewStartedEvent = Head<'rx.review_started'> & { rx_id: string; pharmacist_id: string };
export type RxApprovedEvent = Head<'rx.approved'> & { rx_id: string; pharmacist_id: string };
export type RxRejectedEvent = Head<'rx.rejected'> & { rx_id: string; pharmacist_id: string; reason?: string };
export type RxEvent = RxIssuedEvent | RxReviewStartedEvent | RxApprovedEvent | RxRejectedEvent;

export const RX_STEPS = ['issued', 'started', 'decided'] as const;
export type RxStep = (typeof RX_STEPS)[number];

/** The event of one step of a plan; `idBase` is the order's event-id stem. */
export function rxEvent(step: RxStep, plan: RxPlan, orderId: string, idBase: string, ts: string): RxEvent {
  if (step === 'issued') {
    return { event_id: `${idBase}-rx-issued`, type: 'rx.issued', ts, rx_id: plan.rx_id, order_id: orderId, source: plan.source };
  }
  if (step === 'started') {
    return { event_id: `${idBase}-rx-review`, type: 'rx.review_started', ts, rx_id: plan.rx_id, pharmacist_id: plan.pharmacist_id };
  }
  return plan.approved
    ? { event_id: `${idBase}-rx-approved`, type: 'rx.approved', ts, rx_id: plan.rx_id, pharmacist_id: plan.pharmacist_id }
    : { event_id: `${idBase}-rx-rejected`, type: 'rx.rejected', ts, rx_id: plan.rx_id, pharmacist_id: plan.pharmacist_id,
      reason: plan.reason };
}
