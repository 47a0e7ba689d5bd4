// Reference data of the demo retailer (康瑞大药房): SKUs, shops, warehouses, channels. streams/demo/reference.ts
// turns it into the rows PUT to /api/v1/reference/{kind} (with dates relative to the demo day); the generators
// draw orders from it by weight. Money is integer fen (CONTRACT); weights are relative.

// Channel and province codes are CONTRACT vocabulary, declared once in streams/common.ts; re-exported here so
// the demo's reference data reads as one module.
import { CHANNELS, PROVINCES, type Channel, type Province } from '../common.ts';
import { CATEGORIES, STORAGE_CLASSES } from '../reference/schema.ts';
import { SKU_ROWS } from './skus.ts';
export { CHANNELS, PROVINCES, CATEGORIES, STORAGE_CLASSES, type Channel, type Province };
export * from './geo.ts';
import type { WarehouseId } from './geo.ts';

export type Category = (typeof CATEGORIES)[number];
export type StorageClass = (typeof STORAGE_CLASSES)[number];

export interface Sku {
  readonly sku_id: string;
  readonly name: string;
  readonly category: Category;
  readonly is_rx: boolean;
  readonly storage_class: StorageClass;
  /** 含麻黄碱类复方制剂: at most 2 packs per order (CONTROLLED_QTY). */
  readonly controlled: boolean;
  /** Carries a 20-digit 追溯码 per pack; drugs do, devices, supplements and 饮片 here don't. */
  readonly traced: boolean;
  readonly list_price_fen: number;
  readonly cost_fen: number;
  /** Relative popularity on a 双11 day; drives how often the SKU lands in an order. */
  readonly weight: number;
}

// Cost as a share of list by category (distributor margins), plus up to 10 points per SKU. The maximum,
// 60 %, stays below the lowest normal sale price (list −15 % markdown, −8 % line discount, −17 % coupon), so
// ordinary prices never trip PRICE_ANOMALY: only injected ones do.
const COST_SHARE: Readonly<Record<Category, number>> = {
  rx: 0.48, otc_a: 0.44, otc_b: 0.42, device: 0.46, supplement: 0.36, herbal: 0.48,
};

export const SKUS: readonly Sku[] = SKU_ROWS.map(([num, name, category, storage, listFen, weight, flag]) => {
  const isDrug = category === 'rx' || category === 'otc_a' || category === 'otc_b';
  const jitter = ((num * 0.6180339887) % 1) * 0.1; // fixed per SKU, not per seed: the price list is one
  return {
    sku_id: `SKU-${num}`, name, category, is_rx: category === 'rx', storage_class: storage,
    controlled: flag === 'controlled', traced: isDrug, list_price_fen: listFen,
    cost_fen: Math.round((listFen * (COST_SHARE[category] + jitter)) / 10) * 10, weight,
  };
});

export interface Shop {
  readonly shop_id: string;
  readonly channel: Channel;
  readonly name: string;
  /** 药品经营许可证 number, in the provincial 粤AA… pattern; its dates are set per demo day. */
  readonly licence_no: string;
  /** Relative share of its channel's orders. */
  readonly weight: number;
  /** O2O stores (美团买药, 30-minute delivery) only serve buyers of their own city. */
  readonly home?: { readonly province: Province; readonly city: string };
}

function shop(shop_id: string, channel: Channel, name: string, licence_no: string, weight: number,
  home?: Shop['home']): Shop {
  return home ? { shop_id, channel, name, licence_no, weight, home } : { shop_id, channel, name, licence_no, weight };
}

export const SHOPS: readonly Shop[] = [
  shop('tmall-flagship-01', 'tmall', '康瑞大药房旗舰店', '粤AA0200101', 6),
  shop('tmall-flagship-02', 'tmall', '康瑞医药健康旗舰店', '粤AA0200102', 3),
  shop('tmall-speciality-01', 'tmall', '康瑞器械专营店', '沪AA0210203', 1),
  shop('tmall-speciality-02', 'tmall', '康瑞慢病关爱专营店', '浙AA5710204', 1.5),
  shop('jd-flagship-01', 'jd', '康瑞大药房京东旗舰店', '京AA0110304', 7),
  shop('jd-flagship-02', 'jd', '康瑞慢病管理京东专营店', '京AA0110305', 3),
  shop('jd-speciality-01', 'jd', '康瑞器械京东专营店', '京AA0110306', 1),
  shop('jd-speciality-02', 'jd', '康瑞滋补保健京东专营店', '鄂AA0270307', 1),
  shop('pdd-flagship-01', 'pdd', '康瑞大药房拼多多旗舰店', '沪AA0210406', 3),
  shop('pdd-flagship-02', 'pdd', '康瑞百亿补贴专营店', '沪AA0210407', 2),
  shop('pdd-speciality-01', 'pdd', '康瑞家庭药箱专营店', '川AA0280408', 1),
  shop('douyin-flagship-01', 'douyin', '康瑞大药房抖音旗舰店', '粤AA0200508', 3),
  shop('douyin-live-01', 'douyin', '康瑞健康直播间', '粤AA0200509', 2),
  shop('douyin-speciality-01', 'douyin', '康瑞药师说专营店', '鄂AA0270510', 1),
  shop('meituan-store-01', 'meituan', '康瑞大药房(美团买药·广州天河店)', '粤AA0200610', 2, { province: '广东', city: '广州' }),
  shop('meituan-store-02', 'meituan', '康瑞大药房(美团买药·上海徐汇店)', '沪AA0210611', 2, { province: '上海', city: '上海' }),
  shop('meituan-store-03', 'meituan', '康瑞大药房(美团买药·北京朝阳店)', '京AA0110612', 1, { province: '北京', city: '北京' }),
  shop('meituan-store-04', 'meituan', '康瑞大药房(美团买药·深圳南山店)', '粤AA0755613', 1.5, { province: '广东', city: '深圳' }),
  shop('meituan-store-05', 'meituan', '康瑞大药房(美团买药·成都高新店)', '川AA0280614', 1, { province: '四川', city: '成都' }),
  shop('meituan-store-06', 'meituan', '康瑞大药房(美团买药·武汉光谷店)', '鄂AA0270615', 1, { province: '湖北', city: '武汉' }),
  shop('own-miniapp-01', 'own', '康瑞健康小程序', '粤AA0200713', 3),
  shop('own-app-01', 'own', '康瑞健康App', '粤AA0200714', 1),
];

/** Share of a 双11 day's orders per channel (relative). */
export const CHANNEL_WEIGHTS: Readonly<Record<Channel, number>> = {
  tmall: 34, jd: 26, pdd: 14, douyin: 12, meituan: 8, own: 6,
};

export interface Warehouse {
  readonly warehouse_id: WarehouseId;
  readonly name: string;
  readonly province: Province;
}

export const WAREHOUSES: readonly Warehouse[] = [
  { warehouse_id: 'WH-GZ', name: '华南仓(广州)', province: '广东' },
  { warehouse_id: 'WH-SH', name: '华东仓(上海)', province: '上海' },
  { warehouse_id: 'WH-BJ', name: '华北仓(北京)', province: '北京' },
  { warehouse_id: 'WH-CD', name: '西南仓(成都)', province: '四川' },
  { warehouse_id: 'WH-WH', name: '华中仓(武汉)', province: '湖北' },
];

/** Campaign tags a platform puts on 双11 orders (the finance screen splits margin by campaign). */
export const CAMPAIGNS: Readonly<Record<Channel, readonly string[]>> = {
  tmall: ['双11主会场', '天猫健康节'], jd: ['双11主会场', '京东健康超级品类日'], pdd: ['百亿补贴', '双11主会场'],
  douyin: ['双11直播专场', '双11主会场'], meituan: ['美团买药夜间送'], own: ['会员日', '双11主会场'],
};
