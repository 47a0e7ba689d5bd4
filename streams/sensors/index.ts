import type { StreamDef } from '../stream.ts';
import { SensorReading } from './schema.ts';

export const sensorStream: StreamDef = { name: 'sensor', events: [SensorReading], toStored: () => {} };
