import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS, RxpError } from '../../server/errors.ts';
import { loadConfig } from '../../server/config.ts';
import { redactUrl } from '../../server/app.ts';

describe('error catalogue', () => {
  it('is documented: every code stands in the README errors table with its status', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const [code, { status }] of Object.entries(ERRORS)) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${code}\``));
      expect(row, code).toBeDefined();
      if (code !== 'RXP_ERR_CONFIG_INVALID') expect(row).toContain(`| ${status} |`);
    }
  });
});

describe('config', () => {
  it('refuses invalid values with a coded error naming the variable', () => {
    for (const env of [{ PORT: 'abc' }, { TZ_BUSINESS: 'Mars/Olympus' }, { RXPULSE_DEMO: 'maybe' }, { RXPULSE_ADMIN_TOKEN: 'short' }]) {
      let err: unknown;
      try {
        loadConfig(env);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RxpError);
      expect((err as RxpError).code).toBe('RXP_ERR_CONFIG_INVALID');
      expect((err as RxpError).message).toContain(Object.keys(env)[0]);
    }
  });

  it('never runs open: unset tokens are generated, random and distinct', () => {
    const a = loadConfig({});
    const b = loadConfig({});
    expect(a.tokens.generated).toEqual(['ingest', 'admin']);
    expect(a.tokens.admin).not.toBe(b.tokens.admin);
    expect(a.tokens.admin).not.toBe(a.tokens.ingest);
    expect(a.tokens.admin.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({}, { RXPULSE_DEMO: 'on' }).demo).toBe(true);
    expect(loadConfig({ RXPULSE_DEMO: 'off' }, { RXPULSE_DEMO: 'on' }).demo).toBe(false);
  });

  it('keeps screen tokens out of logged URLs', () => {
    expect(redactUrl('/screens/war-room?token=abc123&lang=en')).toBe('/screens/war-room?token=[redacted]&lang=en');
  });
});

describe('metric catalogue in the README', () => {
  it('lists every metric id', async () => {
    const { METRICS } = await import('../../server/metrics/index.ts');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const id of METRICS.keys()) expect(readme, id).toContain(`| \`${id}\` |`);
  });
});
