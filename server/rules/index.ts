// The rule registry: the twelve DOMAIN rules, ids exactly as written there, and their parameters for this
// deployment. Defaults live in each rule's schema; a deployment changes them in a rules file (JSON or YAML,
// `RXPULSE_RULES_FILE`), checked at start: an unknown rule, an unknown parameter or a bad value stops the
// start with the file, the path and the reason.
//
//   # rules.yaml
//   RX_REVIEW_SLA: { slaMinutes: 20 }
//   COLD_CHAIN_EXCURSION: { minutes: 10 }
//   ORDER_SPIKE: { enabled: false }
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import type { Static, TObject } from 'typebox';
import { RULE_IDS } from '../../streams/demo/options.ts';
import { RxpError } from '../errors.ts';
import { describeErrors } from '../ingest/validate.ts';
import { readDeploymentFile } from '../settings.ts';
import { controlledQty, orderSpike, priceAnomaly, rxReviewSla, rxWithoutPrescription } from './orders.ts';
import { coldChainExcursion, expiredOutbound, traceCodeDuplicate, traceCodeMissing } from './warehouse.ts';
import { licenceExpiry, nearExpiryStock, stockoutRisk } from './daily.ts';
import type { Rule } from './rule.ts';

/** Every rule, in the DOMAIN table's order. */
export const RULES: readonly Rule[] = [
  rxWithoutPrescription, rxReviewSla, controlledQty, expiredOutbound, nearExpiryStock, traceCodeMissing,
  traceCodeDuplicate, coldChainExcursion, priceAnomaly, stockoutRisk, licenceExpiry, orderSpike,
] as unknown as readonly Rule[];

export const RULE_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.id, r]));

// The registry and the DOMAIN list (which the demo injects) must name the same twelve rules.
if (RULES.length !== RULE_IDS.length || RULE_IDS.some((id) => !RULE_BY_ID.has(id))) throw new Error('rule registry and DOMAIN rule ids differ');

/** A rule with this deployment's parameters (defaults filled), or switched off. */
export interface ConfiguredRule {
  rule: Rule;
  enabled: boolean;
  params: Static<TObject>;
}

/**
 * Each rule's parameters: its schema's defaults, overridden by `overrides` (the parsed rules file). Throws
 * RXP_ERR_CONFIG_INVALID naming `source`, the path and the reason.
 */
export function configureRules(overrides: unknown, source = 'rules'): ConfiguredRule[] {
  const fail = (path: string, reason: string): never => {
    throw new RxpError('RXP_ERR_CONFIG_INVALID', `${source}: ${path || '/'}: ${reason}`);
  };
  const given = overrides ?? {};
  if (typeof given !== 'object' || Array.isArray(given)) fail('', 'must be an object of rule id → parameters');
  const entries = given as Record<string, unknown>;
  for (const id of Object.keys(entries)) if (!RULE_BY_ID.has(id)) fail(`/${id}`, `unknown rule; one of ${RULES.map((r) => r.id).join(', ')}`);
  return RULES.map((rule) => {
    const raw = entries[rule.id] ?? {};
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`/${rule.id}`, 'must be an object of parameters');
    const { enabled = true, ...rest } = raw as Record<string, unknown>;
    if (typeof enabled !== 'boolean') fail(`/${rule.id}/enabled`, 'must be true or false');
    const params = Value.Default(rule.params, structuredClone(rest)) as Record<string, unknown>;
    const check = Compile(rule.params);
    if (!check.Check(params)) {
      const [first] = describeErrors(rule.params, check, params);
      fail(`/${rule.id}${first?.field ? `/${first.field.replaceAll('.', '/')}` : ''}`, first?.reason ?? 'invalid');
    }
    return { rule, enabled: enabled as boolean, params: params as Static<TObject> };
  });
}

/** Reads and checks a rules file (JSON or YAML); no file means every default. */
export function loadRulesFile(path: string | null): ConfiguredRule[] {
  return path ? configureRules(readDeploymentFile(path), path) : configureRules({});
}
