// Business terms of a deployment that numbers on the walls depend on, in one place: the platforms' commission
// and settlement terms per channel (a settings file, `RXPULSE_SETTINGS_FILE`, JSON or YAML, checked at start
// like the rules file), and the cold-chain band, which is COLD_CHAIN_EXCURSION's `minC`/`maxC` from the rules
// file: the band a wall draws is the band the rule judges.
//
//   # settings.yaml — only what differs from the defaults
//   channels:
//     tmall: { commission_bp: 450 }
//     pdd: { commission_bp: 250, settlement_days: 15 }
import { readFileSync } from 'node:fs';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { parse as parseYaml } from 'yaml';
import { CHANNELS, type Channel } from '../streams/common.ts';
import { RxpError } from './errors.ts';
import { describeErrors } from './ingest/validate.ts';
import type { ConfiguredRule } from './rules/index.ts';

export interface ChannelTerms {
  /** Platform commission in basis points of GMV (500 = 5 %). */
  commission_bp: number;
  /** Days after delivery (签收) at which the platform pays the order out (T+N, 24-hour days). */
  settlement_days: number;
}

export interface BusinessSettings {
  readonly channels: Readonly<Record<Channel, ChannelTerms>>;
  /** The cold-chain band (°C, inclusive), as COLD_CHAIN_EXCURSION judges it. */
  readonly coldBand: { readonly min_c: number; readonly max_c: number };
}

/**
 * Defaults from typical platform terms; the real ones depend on each shop's contract and category, so a
 * deployment sets them in its settings file. `own` (the company's mini-program) has no platform: no
 * commission, collected on delivery.
 */
export const DEFAULT_CHANNEL_TERMS: Readonly<Record<Channel, ChannelTerms>> = {
  tmall: { commission_bp: 500, settlement_days: 7 },
  jd: { commission_bp: 600, settlement_days: 7 },
  pdd: { commission_bp: 300, settlement_days: 10 },
  douyin: { commission_bp: 500, settlement_days: 7 },
  meituan: { commission_bp: 800, settlement_days: 3 },
  own: { commission_bp: 0, settlement_days: 0 },
};

/** DOMAIN: a cold-chain sensor outside 2–8 °C (COLD_CHAIN_EXCURSION's defaults). */
export const DEFAULT_COLD_BAND = { min_c: 2, max_c: 8 } as const;

export const DEFAULT_SETTINGS: BusinessSettings = { channels: DEFAULT_CHANNEL_TERMS, coldBand: DEFAULT_COLD_BAND };

const Terms = Type.Object(
  {
    commission_bp: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, description: 'commission in basis points of GMV, 0 … 10,000' })),
    settlement_days: Type.Optional(Type.Integer({ minimum: 0, maximum: 365, description: 'days after delivery until payout, 0 … 365' })),
  },
  { additionalProperties: false },
);
export const SettingsFile = Type.Object(
  { channels: Type.Optional(Type.Object(Object.fromEntries(CHANNELS.map((c) => [c, Type.Optional(Terms)])), { additionalProperties: false })) },
  { additionalProperties: false },
);
const checkFile = Compile(SettingsFile);

/** Settings from a parsed file (null: none) and the configured rules; throws RXP_ERR_CONFIG_INVALID naming `source`, the path and the reason. */
export function configureSettings(parsed: unknown, rules: readonly ConfiguredRule[], source = 'settings'): BusinessSettings {
  const given = parsed ?? {};
  if (!checkFile.Check(given)) {
    const [first] = describeErrors(SettingsFile, checkFile, given);
    throw new RxpError('RXP_ERR_CONFIG_INVALID', `${source}: /${(first?.field ?? '').replaceAll('.', '/')}: ${first?.reason ?? 'invalid'}`);
  }
  const file = given as Static<typeof SettingsFile>;
  const channels = Object.fromEntries(CHANNELS.map((c) => [c, { ...DEFAULT_CHANNEL_TERMS[c], ...file.channels?.[c] }])) as Record<Channel, ChannelTerms>;
  const cold = rules.find((r) => r.rule.id === 'COLD_CHAIN_EXCURSION')?.params as { minC?: number; maxC?: number } | undefined;
  return { channels, coldBand: { min_c: cold?.minC ?? DEFAULT_COLD_BAND.min_c, max_c: cold?.maxC ?? DEFAULT_COLD_BAND.max_c } };
}

/** Reads and checks a settings file (JSON or YAML); no file means every default. */
export function loadSettingsFile(path: string | null, rules: readonly ConfiguredRule[]): BusinessSettings {
  return path ? configureSettings(readDeploymentFile(path), rules, path) : configureSettings(null, rules);
}

/** The parsed content of a deployment file (rules, settings): YAML by its extension, else JSON; a file that
 *  cannot be read or parsed stops the start (RXP_ERR_CONFIG_INVALID naming the file and why). */
export function readDeploymentFile(path: string): unknown {
  const yaml = /\.ya?ml$/i.test(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new RxpError('RXP_ERR_CONFIG_INVALID', `${path}: cannot be read (${(err as Error).message})`);
  }
  try {
    return yaml ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new RxpError('RXP_ERR_CONFIG_INVALID', `${path}: not valid ${yaml ? 'YAML' : 'JSON'} (${(err as Error).message})`);
  }
}
