// Alerts (CONTRACT "Alerts"): one open alert per (rule, entity); new evidence (event_ids) and a later
// last_seen update it; a severity may only rise. open → acknowledged → resolved, each change with who, when and
// a note. Every version of an alert is a row of `alerts` (ReplacingMergeTree: the latest wins when read with
// FINAL) and every change of state or severity a row of `alert_audit`, which is only ever appended to.
// After a resolve, new evidence for the same rule and entity opens a new alert.
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { toInt, type Storage } from '../plugins/clickhouse.ts';
import { rows } from '../metrics/query.ts';
import { chTime } from '../store/projections.ts';
import { RxpError } from '../errors.ts';
import type { Clock } from '../time.ts';
import { SEVERITIES, type Hit, type Severity } from './rule.ts';

export type AlertState = 'open' | 'acknowledged' | 'resolved';

export interface Alert {
  alert_id: string;
  rule: string;
  severity: Severity;
  entity: string;
  first_seen: number;
  last_seen: number;
  state: AlertState;
  /** The first MAX_EVIDENCE event ids; evidence_count counts them all. */
  evidence: string[];
  evidence_count: number;
  detail: Record<string, unknown>;
  version: number;
}

export interface AuditEntry {
  alert_id: string;
  at: number;
  action: 'opened' | 'escalated' | 'acknowledged' | 'resolved';
  by: string;
  note: string;
  state: AlertState;
  severity: Severity;
}

/** Event ids kept per alert (a cold room out of band for hours sends hundreds of readings). */
export const MAX_EVIDENCE = 1_000;
/** Who acts for the engine in the audit trail. */
export const ENGINE_ACTOR = 'rxpulse';
const rank = (s: Severity): number => SEVERITIES.indexOf(s);

interface Row {
  alert_id: string;
  rule: string;
  severity: Severity;
  entity: string;
  first_ms: string;
  last_ms: string;
  state: AlertState;
  evidence: string[];
  evidence_count: string;
  detail: string;
  version: string;
}

const fromRow = (r: Row): Alert => ({
  alert_id: r.alert_id,
  rule: r.rule,
  severity: r.severity,
  entity: r.entity,
  first_seen: toInt(r.first_ms),
  last_seen: toInt(r.last_ms),
  state: r.state,
  evidence: r.evidence,
  evidence_count: Math.max(toInt(r.evidence_count), r.evidence.length),
  detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : {},
  version: toInt(r.version),
});

const SELECT = `SELECT alert_id, rule, severity, entity, toUnixTimestamp64Milli(first_seen) AS first_ms,
  toUnixTimestamp64Milli(last_seen) AS last_ms, state, evidence, evidence_count, detail, version`;

export class AlertStore {
  /** Open and acknowledged alerts by `rule|entity`. */
  private readonly open = new Map<string, Alert>();
  private readonly evidenceSets = new Map<string, Set<string>>();
  private dirty = new Set<Alert>();
  private audit: AuditEntry[] = [];
  private lastVersion = 0;
  private writing: Promise<void> = Promise.resolve();
  private flushTimer: NodeJS.Timeout | undefined;
  readonly stats = { opened: 0, updated: 0, flushes: 0, failedFlushes: 0 };

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly logger: FastifyBaseLogger,
    /** Called after alerts reached ClickHouse (the push hub recomputes alerts.open). */
    private readonly onWritten: () => void,
  ) {}

  /** The open and acknowledged alerts, and the last version written (versions keep growing across restarts). */
  async load(): Promise<void> {
    const db = this.storage.db;
    const list = await rows<Row>({ storage: this.storage }, `${SELECT} FROM ${db}.alerts FINAL WHERE state != 'resolved'`);
    for (const r of list) {
      const a = fromRow(r);
      this.open.set(`${a.rule}|${a.entity}`, a);
    }
    const [v] = await rows<{ v: string }>({ storage: this.storage }, `SELECT max(version) AS v FROM ${db}.alerts`);
    this.lastVersion = toInt(v?.v ?? 0);
  }

  get openCount(): number {
    return this.open.size;
  }

  private nextVersion(): number {
    this.lastVersion = Math.max(this.lastVersion + 1, this.clock.now() * 1000);
    return this.lastVersion;
  }

  private evidenceOf(a: Alert): Set<string> {
    let set = this.evidenceSets.get(a.alert_id);
    if (!set) this.evidenceSets.set(a.alert_id, (set = new Set(a.evidence)));
    return set;
  }

  /** A rule's hit: a new alert, or new evidence, a later last_seen or a higher severity for the open one. */
  fire(rule: string, defaultSeverity: Severity, hit: Hit): void {
    const key = `${rule}|${hit.entity}`;
    const severity = hit.severity ?? defaultSeverity;
    const a = this.open.get(key);
    if (!a) {
      const alert: Alert = {
        alert_id: randomUUID(),
        rule,
        severity,
        entity: hit.entity,
        first_seen: hit.atMs,
        last_seen: hit.atMs,
        state: 'open',
        evidence: hit.evidence.slice(0, MAX_EVIDENCE),
        evidence_count: new Set(hit.evidence).size,
        detail: hit.detail ?? {},
        version: 0,
      };
      this.open.set(key, alert);
      this.dirty.add(alert);
      this.audit.push({ alert_id: alert.alert_id, at: this.clock.now(), action: 'opened', by: ENGINE_ACTOR, note: '', state: 'open', severity });
      this.stats.opened++;
      return;
    }
    const seen = this.evidenceOf(a);
    let changed = false;
    for (const id of hit.evidence) {
      if (seen.has(id)) continue;
      seen.add(id);
      a.evidence_count++;
      if (a.evidence.length < MAX_EVIDENCE) a.evidence.push(id);
      changed = true;
    }
    if (hit.atMs > a.last_seen) {
      a.last_seen = hit.atMs;
      changed = true;
    }
    if (rank(severity) > rank(a.severity)) {
      a.severity = severity;
      this.audit.push({ alert_id: a.alert_id, at: this.clock.now(), action: 'escalated', by: ENGINE_ACTOR, note: '', state: a.state, severity });
      changed = true;
    }
    if (hit.detail && JSON.stringify(hit.detail) !== JSON.stringify(a.detail)) {
      a.detail = hit.detail;
      changed = true;
    }
    if (changed) {
      this.dirty.add(a);
      this.stats.updated++;
    }
  }

  /** Writes what changed soon (within `delayMs`), once. */
  scheduleFlush(delayMs = 50): void {
    if (this.flushTimer || (this.dirty.size === 0 && this.audit.length === 0)) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush().catch(() => this.scheduleFlush(1_000)); // logged in flush; retried
    }, delayMs);
  }

  /** Writes every changed alert and audit entry (serialized: one write at a time, in order). */
  flush(): Promise<void> {
    const run = this.writing.then(() => this.write());
    this.writing = run.catch(() => undefined);
    return run;
  }

  private async write(): Promise<void> {
    if (this.dirty.size === 0 && this.audit.length === 0) return;
    const alerts = [...this.dirty];
    const audit = this.audit;
    this.dirty = new Set();
    this.audit = [];
    for (const a of alerts) a.version = this.nextVersion();
    const db = this.storage.db;
    try {
      if (alerts.length > 0) {
        await this.storage.write.insert({
          table: `${db}.alerts`,
          format: 'JSONEachRow',
          values: alerts.map((a) => ({
            alert_id: a.alert_id, rule: a.rule, severity: a.severity, entity: a.entity, first_seen: chTime(a.first_seen), last_seen: chTime(a.last_seen),
            state: a.state, evidence: a.evidence, evidence_count: a.evidence_count, detail: JSON.stringify(a.detail), version: a.version,
          })),
        });
      }
      if (audit.length > 0) {
        await this.storage.write.insert({
          table: `${db}.alert_audit`,
          format: 'JSONEachRow',
          values: audit.map((e) => ({ ...e, at: chTime(e.at), seq: this.nextVersion() })),
        });
      }
      this.stats.flushes++;
    } catch (err) {
      // Put them back (unless changed again meanwhile, which re-added them) and retry later.
      for (const a of alerts) this.dirty.add(a);
      this.audit = [...audit, ...this.audit];
      this.stats.failedFlushes++;
      this.logger.error({ err }, 'alerts could not be written; retrying');
      throw err;
    }
    this.onWritten();
  }

  /** Acknowledge or resolve: checked, applied, written, audited; the new alert. */
  async transition(alertId: string, action: 'acknowledge' | 'resolve', by: string, note: string): Promise<Alert> {
    await this.writing;
    let a = [...this.open.values()].find((x) => x.alert_id === alertId);
    if (!a) {
      const stored = await this.get(alertId);
      if (!stored) throw new RxpError('RXP_ERR_ALERT_UNKNOWN', `no alert ${alertId}`);
      a = stored.alert;
    }
    const to: AlertState = action === 'acknowledge' ? 'acknowledged' : 'resolved';
    if (a.state === 'resolved') throw new RxpError('RXP_ERR_ALERT_STATE', `alert ${alertId} is already resolved`, { state: a.state });
    if (a.state === to) throw new RxpError('RXP_ERR_ALERT_STATE', `alert ${alertId} is already ${to}`, { state: a.state });
    a.state = to;
    if (to === 'resolved') {
      this.open.delete(`${a.rule}|${a.entity}`);
      this.evidenceSets.delete(a.alert_id);
    }
    this.dirty.add(a);
    this.audit.push({ alert_id: a.alert_id, at: this.clock.now(), action: to, by, note, state: to, severity: a.severity });
    await this.flush();
    return a;
  }

  /** Alerts from ClickHouse (latest version of each), newest activity first. */
  async list(filter: { state?: AlertState; rule?: string; limit: number }): Promise<Alert[]> {
    const where = [filter.state ? 'state = {state:String}' : '', filter.rule ? 'rule = {rule:String}' : ''].filter(Boolean);
    const list = await rows<Row>(
      { storage: this.storage },
      `${SELECT} FROM ${this.storage.db}.alerts FINAL ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY last_seen DESC, alert_id LIMIT {limit:UInt32}`,
      { state: filter.state ?? '', rule: filter.rule ?? '', limit: filter.limit },
    );
    return list.map(fromRow);
  }

  /** One alert and its audit trail (oldest first), or null. */
  async get(alertId: string): Promise<{ alert: Alert; audit: AuditEntry[] } | null> {
    const db = this.storage.db;
    const [r] = await rows<Row>({ storage: this.storage }, `${SELECT} FROM ${db}.alerts FINAL WHERE alert_id = {id:String}`, { id: alertId });
    if (!r) return null;
    const audit = await rows<Omit<AuditEntry, 'at'> & { at_ms: string }>(
      { storage: this.storage },
      `SELECT alert_id, toUnixTimestamp64Milli(at) AS at_ms, action, by, note, state, severity FROM ${db}.alert_audit
       WHERE alert_id = {id:String} ORDER BY seq`,
      { id: alertId },
    );
    return { alert: fromRow(r), audit: audit.map(({ at_ms, ...e }) => ({ ...e, at: toInt(at_ms) })) };
  }

  close(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }
}
