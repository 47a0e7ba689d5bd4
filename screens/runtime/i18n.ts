// Runtime labels in zh-CN (default) and English; widget labels come from the screen definition.
export type Lang = 'zh-CN' | 'en';

const TEXT = {
  live: { 'zh-CN': '实时', en: 'Live' },
  stale: { 'zh-CN': '数据延迟', en: 'Data delayed' },
  down: { 'zh-CN': '连接中断 · 重连中', en: 'Disconnected · reconnecting' },
  connecting: { 'zh-CN': '连接中', en: 'Connecting' },
  updated: { 'zh-CN': '更新于', en: 'Updated' },
  noToken: { 'zh-CN': '缺少访问令牌：请用 ?token=… 打开本页', en: 'No access token: open this page with ?token=…' },
  loadFailed: { 'zh-CN': '大屏配置加载失败', en: 'Could not load the screen' },
} as const;

export type TextKey = keyof typeof TEXT;

export function t(key: TextKey, lang: Lang): string {
  return TEXT[key][lang];
}

export function pick(labels: Record<string, string> | undefined, lang: Lang): string {
  return labels?.[lang] ?? labels?.['zh-CN'] ?? '';
}
