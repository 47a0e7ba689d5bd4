// The rx.* events (电子处方): issued by an internet hospital or uploaded, then reviewed by a pharmacist.
import { Type } from 'typebox';
import { Id, Text, eventSchema } from '../common.ts';

export const RX_SOURCES = ['internet_hospital', 'upload'] as const;

export const RxIssued = eventSchema('rx.issued', { rx_id: Id, order_id: Id, source: Type.Enum([...RX_SOURCES]) });
export const RxReviewStarted = eventSchema('rx.review_started', { rx_id: Id, pharmacist_id: Id });
export const RxApproved = eventSchema('rx.approved', { rx_id: Id, pharmacist_id: Id });
export const RxRejected = eventSchema('rx.rejected', { rx_id: Id, pharmacist_id: Id, reason: Type.Optional(Text) });
