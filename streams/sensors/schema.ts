// sensor.reading: temperature (and humidity) of cold rooms, shady rooms and vehicles (冷链温湿度).
import { Type } from 'typebox';
import { Id, eventSchema } from '../common.ts';

export const SensorReading = eventSchema('sensor.reading', {
  sensor_id: Id,
  temp_c: Type.Number({ minimum: -100, maximum: 150, description: 'degrees Celsius' }),
  humidity_pct: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
});
