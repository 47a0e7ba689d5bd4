// Rule parameters per deployment: defaults from each rule's declaration, overrides from a rules file checked
// at start (unknown rule, unknown parameter, a value out of range → the file, the path and the reason).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configureRules, loadRulesFile, RULES } from '../../server/rules/index.ts';
import { RULE_IDS } from '../../streams/demo/options.ts';
import { loadConfig } from '../../server/config.ts';
import { buildApp } from '../../server/app.ts';

const dir = mkdtempSync(join(tmpdir(), 'rxpulse-rules-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return `${(e as { code?: string }).code}: ${(e as Error).message}`;
  }
  return 'no error';
};

describe('rule parameters', () => {
  it('the registry holds the twelve DOMAIN rule ids, each with a severity and zh-CN/English titles', () => {
    expect(RULES.map((r) => r.id)).toEqual([...RULE_IDS]);
    for (const r of RULES) {
      expect(['minor', 'major', 'critical']).toContain(r.severity);
      expect(r.title['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('fills defaults and takes overrides from YAML or JSON', () => {
    const byId = (list: ReturnType<typeof configureRules>) => Object.fromEntries(list.map((c) => [c.rule.id, c]));
    const defaults = byId(configureRules({}));
    expect(defaults.RX_REVIEW_SLA.params).toEqual({ slaMinutes: 15 });
    expect(defaults.COLD_CHAIN_EXCURSION.params).toEqual({ minC: 2, maxC: 8, minutes: 15 });
    const yaml = byId(loadRulesFile(file('r.yaml', 'RX_REVIEW_SLA: { slaMinutes: 20 }\nORDER_SPIKE: { enabled: false }\n')));
    expect(yaml.RX_REVIEW_SLA.params).toEqual({ slaMinutes: 20 });
    expect(yaml.ORDER_SPIKE.enabled).toBe(false);
    expect(byId(loadRulesFile(file('r.json', '{"COLD_CHAIN_EXCURSION":{"minutes":10}}'))).COLD_CHAIN_EXCURSION.params).toEqual({ minC: 2, maxC: 8, minutes: 10 });
  });

  it('refuses what it cannot use, naming the file, the path and the reason', () => {
    const f = file('bad.yaml', 'RX_REVIEW_SLA: { slaMinutes: 0 }\n');
    expect(code(() => loadRulesFile(f))).toMatch(/^RXP_ERR_CONFIG_INVALID: .*bad\.yaml: \/RX_REVIEW_SLA\/slaMinutes: /);
    expect(code(() => configureRules({ NOT_A_RULE: {} }))).toMatch(/\/NOT_A_RULE: unknown rule/);
    expect(code(() => configureRules({ RX_REVIEW_SLA: { sla: 5 } }))).toMatch(/\/RX_REVIEW_SLA/);
    expect(code(() => configureRules({ ORDER_SPIKE: { enabled: 'no' } }))).toMatch(/\/ORDER_SPIKE\/enabled: must be true or false/);
    expect(code(() => loadRulesFile(file('broken.json', '{')))).toMatch(/broken\.json: not valid JSON/);
    expect(code(() => loadRulesFile(join(dir, 'missing.yaml')))).toMatch(/missing\.yaml: cannot be read/);
  });

  it('a bad rules file stops the server before it opens anything', async () => {
    const config = loadConfig({ RXPULSE_DATA_DIR: join(dir, 'data'), RXPULSE_ADMIN_TOKEN: 'a'.repeat(20), RXPULSE_INGEST_TOKEN: 'i'.repeat(20), RXPULSE_RULES_FILE: file('stop.yaml', 'LICENCE_EXPIRY: { warnDays: -1 }\n') });
    await expect(buildApp(config, { logger: false })).rejects.toMatchObject({ code: 'RXP_ERR_CONFIG_INVALID', message: expect.stringMatching(/stop\.yaml: \/LICENCE_EXPIRY\/warnDays/) });
  });
});
