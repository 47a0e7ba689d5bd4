// The alert API (CONTRACT "Alerts") and the rule catalogue:
//   GET  /api/v1/alerts?state=open|acknowledged|resolved&rule=…&limit=…   alerts with evidence, newest first
//   GET  /api/v1/alerts/{id}                                              one alert with its audit trail
//   POST /api/v1/alerts/{id}/ack | /resolve  {"by":"…","note":"…"}        state change, audited
//   GET  /api/v1/rules                                                    the rules and their parameters here
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { DISPLAY_OFFLINE } from '../displays/presence.ts';
import { RxpError } from '../errors.ts';
import { describeErrors } from '../ingest/validate.ts';
import { toBusinessIso } from '../time.ts';
import type { Alert, AlertStore, AuditEntry } from './alerts.ts';
import type { RulesEngine } from './engine.ts';
import { RULE_BY_ID, type ConfiguredRule } from './index.ts';

const Change = Type.Object(
  {
    by: Type.String({ minLength: 1, maxLength: 128, description: 'who acknowledges or resolves (a name or staff id)' }),
    note: Type.Optional(Type.String({ maxLength: 2_000 })),
  },
  { additionalProperties: false },
);
const checkChange = Compile(Change);

const Query = Type.Object(
  {
    state: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('acknowledged'), Type.Literal('resolved')], { description: 'open, acknowledged or resolved' })),
    rule: Type.Optional(Type.String()),
    limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,4}$', description: 'an integer from 1 to 10000' })),
  },
  { additionalProperties: false },
);
const checkQuery = Compile(Query);

export async function alertRoutes(app: FastifyInstance, opts: { alerts: AlertStore; engine: RulesEngine; rules: readonly ConfiguredRule[]; tz: string }): Promise<void> {
  const iso = (ms: number) => toBusinessIso(ms, opts.tz);
  const view = (a: Alert) => ({
    alert_id: a.alert_id, rule: a.rule, severity: a.severity, entity: a.entity, first_seen: iso(a.first_seen), last_seen: iso(a.last_seen),
    state: a.state, evidence: a.evidence, evidence_count: a.evidence_count, detail: a.detail,
  });
  const auditView = (e: AuditEntry) => ({ at: iso(e.at), action: e.action, by: e.by, note: e.note, state: e.state, severity: e.severity });

  app.get<{ Querystring: Static<typeof Query> }>('/api/v1/alerts', { config: { right: 'read' } }, async (req) => {
    const q = req.query ?? {};
    if (!checkQuery.Check(q)) throw new RxpError('RXP_ERR_ALERT_INVALID', 'invalid query', { errors: describeErrors(Query, checkQuery, q) });
    if (q.rule !== undefined && !RULE_BY_ID.has(q.rule) && q.rule !== DISPLAY_OFFLINE) {
      throw new RxpError('RXP_ERR_ALERT_INVALID', 'invalid query', { errors: [{ field: 'rule', reason: `unknown rule; one of ${[...RULE_BY_ID.keys(), DISPLAY_OFFLINE].join(', ')}` }] });
    }
    const limit = q.limit ? Number(q.limit) : 1_000;
    if (limit > 10_000) throw new RxpError('RXP_ERR_ALERT_INVALID', 'invalid query', { errors: [{ field: 'limit', reason: 'at most 10000' }] });
    await opts.alerts.flush();
    return (await opts.alerts.list({ state: q.state, rule: q.rule, limit })).map(view);
  });

  app.get<{ Params: { id: string } }>('/api/v1/alerts/:id', { config: { right: 'read' } }, async (req) => {
    await opts.alerts.flush();
    const found = await opts.alerts.get(req.params.id);
    if (!found) throw new RxpError('RXP_ERR_ALERT_UNKNOWN', `no alert ${req.params.id}`);
    return { ...view(found.alert), audit: found.audit.map(auditView) };
  });

  for (const [path, action] of [['ack', 'acknowledge'], ['resolve', 'resolve']] as const) {
    app.post<{ Params: { id: string } }>(`/api/v1/alerts/:id/${path}`, { config: { right: 'admin' } }, async (req) => {
      const body = req.body ?? {};
      if (!checkChange.Check(body)) throw new RxpError('RXP_ERR_ALERT_INVALID', 'invalid body', { errors: describeErrors(Change, checkChange, body) });
      const { by, note = '' } = body as Static<typeof Change>;
      if (!by.trim()) throw new RxpError('RXP_ERR_ALERT_INVALID', 'invalid body', { errors: [{ field: 'by', reason: 'must not be blank' }] });
      return view(await opts.alerts.transition(req.params.id, action, by.trim(), note));
    });
  }

  app.get('/api/v1/rules', { config: { right: 'read' } }, async () =>
    opts.rules.map((c) => ({ id: c.rule.id, kind: c.rule.kind, severity: c.rule.severity, title: c.rule.title, enabled: c.enabled, params: c.params })),
  );
}
