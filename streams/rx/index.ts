import type { StreamDef } from '../stream.ts';
import { RxApproved, RxIssued, RxRejected, RxReviewStarted } from './schema.ts';

// Prescription content (diagnosis, drugs per patient) is not part of these events and is never stored.
export const rxStream: StreamDef = { name: 'rx', events: [RxIssued, RxReviewStarted, RxApproved, RxRejected], toStored: () => {} };
