import type { StreamDef } from '../stream.ts';
import { TraceScan } from './schema.ts';

export const traceStream: StreamDef = { name: 'trace', events: [TraceScan], toStored: () => {} };
