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
  pair: { 'zh-CN': '大屏配对码', en: 'Pairing code' },
  pairHow: { 'zh-CN': '在 RxPulse 控制台「大屏」中输入此码，或由管理员调用 POST /api/v1/displays', en: 'Enter this code under “Walls” in the RxPulse console, or an admin calls POST /api/v1/displays' },
  pairUntil: { 'zh-CN': '有效期至', en: 'Valid until' },
  pairWaiting: { 'zh-CN': '正在连接服务器…', en: 'Connecting to the server…' },
  noScreen: { 'zh-CN': '此大屏尚未指定画面', en: 'No screen is set for this wall' },
} as const;

export type TextKey = keyof typeof TEXT;

export function t(key: TextKey, lang: Lang): string {
  return TEXT[key][lang];
}

export function pick(labels: Record<string, string> | undefined, lang: Lang): string {
  return labels?.[lang] ?? labels?.['zh-CN'] ?? '';
}
