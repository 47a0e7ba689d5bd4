// One source of parameters (issue 16): the cold band a wall draws is the band COLD_CHAIN_EXCURSION judges
// (the rules file), and the platforms' commission and settlement terms are deployment data (a settings
// file checked at start), not code constants.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureRules } from '../../server/rules/index.ts';
import { configureSettings, DEFAULT_CHANNEL_TERMS, loadSettingsFile } from '../../server/settings.ts';
import { fixedClock, getJson, postEvents, putReference, removeDir, startServer, tempDataDir, type Running } from '../helpers/server.ts';
import { paid } from '../helpers/events.ts';

const DATE = '2026-11-11';
const dir = tempDataDir();
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const failure = (fn: () => unknown) => {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return `${(e as { code?: string }).code}: ${(e as Error).message}`;
  }
};

describe('the settings file', () => {
  it('no file: the default terms and the rule’s default band (2–8 °C)', () => {
    expect(configureSettings(null, configureRules({}))).toEqual({ channels: DEFAULT_CHANNEL_TERMS, coldBand: { min_c: 2, max_c: 8 } });
  });

  it('overrides only what it names; the cold band follows the rules file', () => {
    const s = configureSettings({ channels: { pdd: { settlement_days: 15 }, tmall: { commission_bp: 450 } } }, configureRules({ COLD_CHAIN_EXCURSION: { minC: 0, maxC: 6 } }));
    expect(s.channels.pdd).toEqual({ commission_bp: DEFAULT_CHANNEL_TERMS.pdd.commission_bp, settlement_days: 15 });
    expect(s.channels.tmall).toEqual({ commission_bp: 450, settlement_days: DEFAULT_CHANNEL_TERMS.tmall.settlement_days });
    expect(s.channels.jd).toEqual(DEFAULT_CHANNEL_TERMS.jd);
    expect(s.coldBand).toEqual({ min_c: 0, max_c: 6 });
  });

  it('refuses an unknown channel, an unknown term, a value out of range, bad YAML: the file, the path, the reason', () => {
    const rules = configureRules({});
    expect(failure(() => loadSettingsFile(write('a.json', '{"channels":{"taobao":{"commission_bp":1}}}'), rules))).toMatch(/^RXP_ERR_CONFIG_INVALID: .*a\.json: \/channels.*taobao/);
    expect(failure(() => loadSettingsFile(write('b.yaml', 'channels:\n  jd: { rate: 3 }\n'), rules))).toMatch(/^RXP_ERR_CONFIG_INVALID: .*b\.yaml: \/channels\/jd/);
    expect(failure(() => loadSettingsFile(write('c.json', '{"channels":{"jd":{"commission_bp":10001}}}'), rules))).toMatch(/^RXP_ERR_CONFIG_INVALID: .*c\.json: \/channels\/jd\/commission_bp: .*10,?000/);
    expect(failure(() => loadSettingsFile(write('d.yaml', 'channels: [\n'), rules))).toMatch(/^RXP_ERR_CONFIG_INVALID: .*d\.yaml: not valid YAML/);
    expect(failure(() => loadSettingsFile(join(dir, 'missing.json'), rules))).toMatch(/^RXP_ERR_CONFIG_INVALID: .*missing\.json: cannot be read/);
  });
});

describe('a server with a rules file and a settings file', () => {
  let s: Running;
  beforeAll(async () => {
    s = await startServer({
      clock: fixedClock(`${DATE}T10:00:00+08:00`),
      env: {
        RXPULSE_RULES_FILE: write('rules.yaml', 'COLD_CHAIN_EXCURSION: { minC: 0, maxC: 6, minutes: 10 }\n'),
        RXPULSE_SETTINGS_FILE: write('settings.yaml', 'channels:\n  tmall: { commission_bp: 450 }\n'),
      },
    });
  });
  afterAll(async () => {
    await s?.close();
    removeDir(dir);
  });

  it('draws the band the rule judges, and the rule fires on it', async () => {
    expect((await putReference(s.url, 'sensors', [{ sensor_id: 'SN-1', warehouse_id: 'WH-1', location: '冷库', storage_class: 'cold' }])).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300)); // the rules reload reference data asynchronously
    // 7 °C: inside the DOMAIN's default 2–8 °C, outside this deployment's 0–6 °C, for 12 minutes.
    const readings = [0, 4, 8, 12].map((m) => ({ event_id: `rd-${m}`, type: 'sensor.reading', ts: `${DATE}T09:${String(40 + m).padStart(2, '0')}:00+08:00`, sensor_id: 'SN-1', temp_c: 7 }));
    expect((await postEvents(s.url, readings)).status).toBe(200);
    await s.app.rules.idle();
    const [sensor] = (await getJson(s.url, '/api/v1/metrics/sensors.cold_chain')).body.value as { band: unknown; status: string }[];
    expect(sensor.band).toEqual({ min_c: 0, max_c: 6 });
    expect(sensor.status).toBe('out');
    const alerts = (await getJson(s.url, '/api/v1/alerts?rule=COLD_CHAIN_EXCURSION')).body as { entity: string; evidence: string[] }[];
    expect(alerts.map((a) => [a.entity, a.evidence.length])).toEqual([['sensor:SN-1', 4]]);
  });

  it('charges the commission the settings file sets', async () => {
    const order = (n: number, channel: string) => paid({ ts: `${DATE}T09:00:00+08:00`, paid_fen: 100_000, event_id: `pay-${n}`, order_id: `O-${n}`, channel });
    expect((await postEvents(s.url, [order(1, 'tmall'), order(2, 'jd')])).status).toBe(200);
    const rows = (await getJson(s.url, `/api/v1/metrics/finance.commission?date=${DATE}`)).body.value as { channel: string; rate_bp: number; commission_fen: number }[];
    expect(rows.find((r) => r.channel === 'tmall')).toMatchObject({ rate_bp: 450, commission_fen: 4_500 });
    expect(rows.find((r) => r.channel === 'jd')).toMatchObject({ rate_bp: DEFAULT_CHANNEL_TERMS.jd.commission_bp, commission_fen: 6_000 });
  });
});
