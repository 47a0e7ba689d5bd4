// sensor.reading: temperature (and humidity) of cold rooms, shady rooms and vehicles (冷链温湿度).
import { Type } from 'typebox';
import { Id, Percent, TempC, eventSchema } from '../common.ts';

export const SensorReading = eventSchema('sensor.reading', {
  sensor_id: Id,
  temp_c: TempC,
  humidity_pct: Type.Optional(Percent),
});
