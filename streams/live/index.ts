import type { StreamDef } from '../stream.ts';
import { LiveStats } from './schema.ts';

export const liveStream: StreamDef = { name: 'live', events: [LiveStats], toStored: () => {} };
