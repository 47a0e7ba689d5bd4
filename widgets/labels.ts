// Display names of the codes metric values carry (channels, categories, rules, severities, backlog buckets),
// in zh-CN and English. Widgets map a code through `labelOf(dict, code, lang)`; an unknown code shows as is.
import { normalizeLang, type Lang } from './format.js';

type Dict = Record<string, { 'zh-CN': string; en: string }>;

export const CHANNEL_LABELS: Dict = {
  tmall: { 'zh-CN': '天猫', en: 'Tmall' },
  jd: { 'zh-CN': '京东', en: 'JD' },
  pdd: { 'zh-CN': '拼多多', en: 'Pinduoduo' },
  douyin: { 'zh-CN': '抖音', en: 'Douyin' },
  // Short forms: they stand in legends and axis labels of narrow cards.
  meituan: { 'zh-CN': '美团', en: 'Meituan' },
  own: { 'zh-CN': '自营', en: 'Own app' },
};

export const CATEGORY_LABELS: Dict = {
  rx: { 'zh-CN': '处方药', en: 'Rx' },
  otc_a: { 'zh-CN': '甲类OTC', en: 'OTC (A)' },
  otc_b: { 'zh-CN': '乙类OTC', en: 'OTC (B)' },
  device: { 'zh-CN': '医疗器械', en: 'Devices' },
  supplement: { 'zh-CN': '保健食品', en: 'Supplements' },
  herbal: { 'zh-CN': '中药饮片', en: 'Herbal' },
};

/** Rule names, the one source for walls and for the rules API (server/rules uses them as titles). */
export const RULE_LABELS: Dict = {
  RX_WITHOUT_PRESCRIPTION: { 'zh-CN': '处方药无处方发货', en: 'Rx shipped without prescription' },
  RX_REVIEW_SLA: { 'zh-CN': '处方审核超时', en: 'Rx review over SLA' },
  CONTROLLED_QTY: { 'zh-CN': '含麻黄碱类超量购买', en: 'Controlled item over quantity' },
  EXPIRED_OUTBOUND: { 'zh-CN': '过期批次出库', en: 'Expired batch picked' },
  NEAR_EXPIRY_STOCK: { 'zh-CN': '近效期库存', en: 'Near-expiry stock' },
  TRACE_CODE_MISSING: { 'zh-CN': '追溯码漏扫', en: 'Trace code missing' },
  TRACE_CODE_DUPLICATE: { 'zh-CN': '追溯码重复出库', en: 'Trace code scanned out twice' },
  COLD_CHAIN_EXCURSION: { 'zh-CN': '冷链温度超限', en: 'Cold-chain excursion' },
  PRICE_ANOMALY: { 'zh-CN': '价格异常', en: 'Price anomaly' },
  STOCKOUT_RISK: { 'zh-CN': '缺货风险', en: 'Stock-out risk' },
  LICENCE_EXPIRY: { 'zh-CN': '证照即将到期', en: 'Licence expiring' },
  ORDER_SPIKE: { 'zh-CN': '异常下单', en: 'Order spike' },
  DISPLAY_OFFLINE: { 'zh-CN': '大屏离线', en: 'Wall display offline' },
};

export const SEVERITY_LABELS: Dict = {
  critical: { 'zh-CN': '严重', en: 'Critical' },
  major: { 'zh-CN': '重要', en: 'Major' },
  minor: { 'zh-CN': '一般', en: 'Minor' },
};

/** Kinds of the thing an alert is about (`batch:B-1`, `order:O-1`…): the part before the first colon. */
export const ENTITY_LABELS: Dict = {
  batch: { 'zh-CN': '批次', en: 'Batch' },
  sku: { 'zh-CN': '商品', en: 'SKU' },
  order: { 'zh-CN': '订单', en: 'Order' },
  rx: { 'zh-CN': '处方', en: 'Rx' },
  trace: { 'zh-CN': '追溯码', en: 'Trace code' },
  sensor: { 'zh-CN': '温控点', en: 'Sensor' },
  shop: { 'zh-CN': '店铺', en: 'Shop' },
  // Pseudonyms (a hash), never the person's or device's own identifiers.
  buyer: { 'zh-CN': '买家', en: 'Buyer' },
  device: { 'zh-CN': '设备', en: 'Device' },
  address: { 'zh-CN': '地址', en: 'Address' },
};

export const BACKLOG_LABELS: Dict = {
  '<1h': { 'zh-CN': '1小时内', en: '< 1 h' },
  '1-4h': { 'zh-CN': '1–4小时', en: '1–4 h' },
  '4-24h': { 'zh-CN': '4–24小时', en: '4–24 h' },
  '>24h': { 'zh-CN': '超24小时', en: '> 24 h' },
};

export const RX_STAGE_LABELS: Dict = {
  issued: { 'zh-CN': '开方', en: 'Issued' },
  review_started: { 'zh-CN': '审方中', en: 'In review' },
  approved: { 'zh-CN': '审核通过', en: 'Approved' },
  rejected: { 'zh-CN': '驳回', en: 'Rejected' },
  pending: { 'zh-CN': '待审', en: 'Pending' },
};

export const RX_QUEUE_LABELS: Dict = {
  waiting: { 'zh-CN': '待审核', en: 'Waiting' },
  in_review: { 'zh-CN': '审核中', en: 'In review' },
};

/** Named dictionaries a screen file can refer to in widget options (`"labels": "channel"`). */
export const LABEL_SETS = {
  channel: CHANNEL_LABELS,
  category: CATEGORY_LABELS,
  rule: RULE_LABELS,
  severity: SEVERITY_LABELS,
  backlog: BACKLOG_LABELS,
  rx_stage: RX_STAGE_LABELS,
  rx_queue: RX_QUEUE_LABELS,
} as const;
export type LabelSet = keyof typeof LABEL_SETS;

export function labelOf(dict: Dict | undefined, code: string, lang: Lang): string {
  return dict?.[code]?.[normalizeLang(lang)] ?? code;
}

/** An alert entity for people: `batch:B-1` → `批次 B-1` / `Batch B-1`; an unknown kind or no kind shows as is. */
export function entityText(entity: string, lang: Lang): string {
  const i = entity.indexOf(':');
  const kind = i > 0 && Object.hasOwn(ENTITY_LABELS, entity.slice(0, i)) ? ENTITY_LABELS[entity.slice(0, i)] : undefined;
  return kind ? `${kind[normalizeLang(lang)]} ${entity.slice(i + 1)}` : entity;
}
