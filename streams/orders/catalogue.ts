// Reference data for the demo order stream: SKUs, shops, provinces and warehouses of a fictitious
// pharma retailer (康瑞大药房). The same rows can be PUT to /api/v1/reference/{kind} so the demo screens
// show names, margins and licences; the generator in ./demo.ts draws orders from them by weight.
// Money is integer fen (CONTRACT); weights are relative (they need not sum to anything).

// Channel and province codes are CONTRACT vocabulary, declared once in streams/common.ts; re-exported here so
// the demo's reference data reads as one module.
import { CHANNELS, PROVINCES, type Channel, type Province } from '../common.ts';
export { CHANNELS, PROVINCES, type Channel, type Province };

export const CATEGORIES = ['rx', 'otc_a', 'otc_b', 'device', 'supplement', 'herbal'] as const;
export type Category = (typeof CATEGORIES)[number];

export const STORAGE_CLASSES = ['normal', 'shady', 'cold'] as const;
export type StorageClass = (typeof STORAGE_CLASSES)[number];

export interface Sku {
  readonly sku_id: string;
  readonly name: string;
  readonly category: Category;
  readonly is_rx: boolean;
  readonly storage_class: StorageClass;
  /** 含麻黄碱类复方制剂: at most 2 packs per order (CONTROLLED_QTY). */
  readonly controlled: boolean;
  /** Carries a 20-digit 追溯码 per box; drugs do, devices, supplements and 饮片 here don't. */
  readonly traced: boolean;
  readonly list_price_fen: number;
  readonly cost_fen: number;
  /** Relative popularity on a 双11 day; drives how often the SKU lands in an order. */
  readonly weight: number;
}

interface SkuFlags {
  controlled?: boolean;
}

// A builder keeps each SKU on one readable line and derives what follows from the category, so is_rx
// and traced can never disagree with it. Costs stay ≤ 70 % of list so demo prices never trip PRICE_ANOMALY.
function sku(
  id: number, name: string, category: Category, storage: StorageClass,
  listFen: number, costFen: number, weight: number, flags: SkuFlags = {},
): Sku {
  const isDrug = category === 'rx' || category === 'otc_a' || category === 'otc_b';
  return {
    sku_id: `SKU-${id}`, name, category, is_rx: category === 'rx', storage_class: storage,
    controlled: flags.controlled ?? false, traced: isDrug, list_price_fen: listFen, cost_fen: costFen, weight,
  };
}

const C: SkuFlags = { controlled: true };

export const SKUS: readonly Sku[] = [
  // 处方药: chronic-disease refills dominate online Rx; insulin and biologics are cold chain.
  sku(100023, '阿莫西林胶囊 0.25g*24粒', 'rx', 'normal', 1280, 620, 9),
  sku(100031, '头孢克肟分散片 0.1g*6片', 'rx', 'normal', 2850, 1560, 5),
  sku(100047, '苯磺酸氨氯地平片 5mg*28片', 'rx', 'normal', 4850, 2900, 7),
  sku(100052, '盐酸二甲双胍缓释片 0.5g*30片', 'rx', 'normal', 2500, 1350, 7),
  sku(100068, '门冬胰岛素注射液 3ml:300单位', 'rx', 'cold', 7500, 4800, 4),
  sku(100074, '甘精胰岛素注射液 3ml:300单位', 'rx', 'cold', 17800, 11900, 3),
  sku(100089, '阿托伐他汀钙片 20mg*7片', 'rx', 'normal', 5900, 3600, 6),
  sku(100095, '瑞舒伐他汀钙片 10mg*28片', 'rx', 'normal', 8500, 5400, 4),
  sku(100103, '硫酸氢氯吡格雷片 75mg*7片', 'rx', 'normal', 11800, 7900, 3),
  sku(100118, '缬沙坦胶囊 80mg*28粒', 'rx', 'normal', 4500, 2700, 4),
  sku(100126, '奥美拉唑肠溶胶囊 20mg*14粒', 'rx', 'normal', 3200, 1700, 5),
  sku(100134, '左甲状腺素钠片 50μg*100片', 'rx', 'shady', 2600, 1500, 4),
  sku(100141, '枸橼酸西地那非片 100mg*5片', 'rx', 'normal', 39800, 22000, 4),
  sku(100157, '他达拉非片 20mg*4片', 'rx', 'normal', 26800, 15800, 3),
  sku(100162, '恩替卡韦分散片 0.5mg*28片', 'rx', 'normal', 16800, 10500, 2),
  sku(100179, '非布司他片 40mg*16片', 'rx', 'normal', 8800, 5200, 3),
  sku(100185, '阿卡波糖片 50mg*30片', 'rx', 'normal', 6800, 4100, 3),
  sku(100193, '硝苯地平控释片 30mg*7片', 'rx', 'shady', 3500, 2100, 4),
  sku(100207, '孟鲁司特钠片 10mg*5片', 'rx', 'normal', 3800, 2200, 3),
  sku(100214, '阿达木单抗注射液 40mg/0.8ml', 'rx', 'cold', 79800, 55000, 1),
  sku(100226, '司美格鲁肽注射液 1.5ml:2mg', 'rx', 'cold', 68000, 46000, 2),
  sku(100238, '磷酸奥司他韦胶囊 75mg*10粒', 'rx', 'normal', 6500, 3900, 5),
  // 甲类/乙类 OTC: cold and flu carry the ephedrine-type combinations.
  sku(200011, '布洛芬缓释胶囊 0.3g*20粒', 'otc_a', 'normal', 2200, 1100, 14),
  sku(200028, '复方盐酸伪麻黄碱缓释胶囊 10粒', 'otc_a', 'normal', 1980, 1050, 8, C),
  sku(200035, '氨酚伪麻美芬片II/氨麻苯美片 16片', 'otc_a', 'normal', 1580, 820, 6, C),
  sku(200043, '酚麻美敏片 10片', 'otc_a', 'normal', 1650, 880, 5, C),
  sku(200056, '连花清瘟胶囊 24粒', 'otc_a', 'shady', 1480, 760, 15),
  sku(200062, '对乙酰氨基酚片 0.5g*12片', 'otc_a', 'normal', 1390, 640, 10),
  sku(200077, '蒙脱石散 3g*10袋', 'otc_a', 'normal', 2200, 1150, 7),
  sku(200084, '多潘立酮片 10mg*30片', 'otc_a', 'normal', 2600, 1400, 5),
  sku(200091, '铝碳酸镁咀嚼片 0.5g*20片', 'otc_a', 'normal', 3200, 1800, 4),
  sku(200105, '复方氨酚烷胺片 10片', 'otc_a', 'normal', 1400, 700, 6),
  sku(200119, '氯雷他定片 10mg*6片', 'otc_b', 'normal', 2800, 1500, 6),
  sku(200127, '双氯芬酸二乙胺乳胶剂 20g', 'otc_b', 'shady', 2600, 1450, 5),
  sku(200136, '硝酸咪康唑乳膏 20g', 'otc_b', 'shady', 1800, 900, 4),
  sku(200142, '葡萄糖酸钙锌口服溶液 10ml*24支', 'otc_b', 'shady', 4500, 2600, 4),
  sku(200158, '板蓝根颗粒 10g*20袋', 'otc_b', 'shady', 1500, 720, 8),
  sku(200163, '藿香正气水 10ml*10支', 'otc_b', 'shady', 1200, 560, 6),
  sku(200171, '健胃消食片 0.8g*32片', 'otc_b', 'normal', 1350, 650, 6),
  sku(200189, '叶酸片 0.4mg*93片', 'otc_b', 'normal', 3600, 2000, 4),
  // 医疗器械: test strips are recurring diabetic purchases; masks and thermometers spike in flu season.
  sku(300016, '血糖试纸 50片', 'device', 'normal', 9800, 5600, 8),
  sku(300024, '一次性采血针 100支', 'device', 'normal', 2500, 1200, 5),
  sku(300039, '电子血压计 臂式', 'device', 'normal', 22900, 14500, 4),
  sku(300045, '血糖仪 套装', 'device', 'normal', 19900, 12000, 3),
  sku(300053, '医用外科口罩 50只', 'device', 'normal', 1990, 900, 12),
  sku(300061, '电子体温计', 'device', 'normal', 2990, 1600, 6),
  sku(300078, '红外额温枪', 'device', 'normal', 12900, 7800, 2),
  sku(300082, '医用酒精 75% 500ml', 'device', 'normal', 990, 450, 7),
  sku(300097, '碘伏消毒液 500ml', 'device', 'normal', 1200, 560, 5),
  sku(300104, '家用雾化器', 'device', 'normal', 29900, 18800, 2),
  // 保健食品: the 双11 gift-basket staples.
  sku(400013, '维生素C咀嚼片 100片', 'supplement', 'normal', 3900, 1800, 12),
  sku(400027, '钙维生素D软胶囊 100粒', 'supplement', 'normal', 8800, 4500, 7),
  sku(400034, '深海鱼油软胶囊 100粒', 'supplement', 'normal', 12800, 6900, 6),
  sku(400048, '蛋白粉 400g', 'supplement', 'normal', 29800, 16000, 4),
  sku(400055, '褪黑素片 60片', 'supplement', 'normal', 6800, 3200, 5),
  sku(400069, '辅酶Q10软胶囊 60粒', 'supplement', 'normal', 19800, 11000, 3),
  sku(400076, '复合维生素片 100片', 'supplement', 'normal', 11800, 6500, 5),
  sku(400083, '益生菌粉 2g*30袋', 'supplement', 'cold', 15800, 8800, 4),
  // 中药饮片: sold by weight, shady storage against moisture and insects.
  sku(500012, '枸杞子 250g', 'herbal', 'shady', 3900, 2100, 6),
  sku(500029, '三七粉 100g', 'herbal', 'shady', 12800, 7600, 3),
  sku(500037, '西洋参片 100g', 'herbal', 'shady', 16800, 10200, 3),
  sku(500044, '黄芪片 200g', 'herbal', 'shady', 2800, 1500, 4),
  sku(500051, '灵芝切片 250g', 'herbal', 'shady', 8800, 5100, 2),
  sku(500066, '川贝母 10g', 'herbal', 'shady', 9800, 6200, 2),
];

export interface Shop {
  readonly shop_id: string;
  readonly channel: Channel;
  readonly name: string;
  /** 药品网络销售 needs a 药品经营许可证; numbers follow the provincial 粤AA… pattern. */
  readonly licence_no: string;
  /** ISO dates (business zone). One GSP date falls inside 30 days of 双11 2026 so LICENCE_EXPIRY shows. */
  readonly licence_expires: string;
  readonly gsp_expires: string;
  /** Relative share of its channel's orders. */
  readonly weight: number;
  /** O2O stores (美团买药, 30-minute delivery) only serve buyers of their own city. */
  readonly home?: { readonly province: Province; readonly city: string };
}

function shop(
  shop_id: string, channel: Channel, name: string, licence_no: string, licence_expires: string,
  gsp_expires: string, weight: number, home?: Shop['home'],
): Shop {
  return home ? { shop_id, channel, name, licence_no, licence_expires, gsp_expires, weight, home }
    : { shop_id, channel, name, licence_no, licence_expires, gsp_expires, weight };
}

export const SHOPS: readonly Shop[] = [
  shop('tmall-flagship-01', 'tmall', '康瑞大药房旗舰店', '粤AA0200101', '2029-06-30', '2028-03-31', 6),
  shop('tmall-flagship-02', 'tmall', '康瑞医药健康旗舰店', '粤AA0200102', '2029-06-30', '2028-03-31', 3),
  shop('tmall-speciality-01', 'tmall', '康瑞器械专营店', '沪AA0210203', '2028-09-30', '2027-09-30', 1),
  shop('jd-flagship-01', 'jd', '康瑞大药房京东旗舰店', '京AA0110304', '2030-01-31', '2028-12-31', 7),
  shop('jd-flagship-02', 'jd', '康瑞慢病管理京东专营店', '京AA0110305', '2027-04-30', '2027-02-28', 3),
  shop('pdd-flagship-01', 'pdd', '康瑞大药房拼多多旗舰店', '沪AA0210406', '2029-08-31', '2028-05-31', 3),
  shop('pdd-flagship-02', 'pdd', '康瑞百亿补贴专营店', '沪AA0210407', '2027-10-31', '2027-06-30', 2),
  shop('douyin-flagship-01', 'douyin', '康瑞大药房抖音旗舰店', '粤AA0200508', '2029-03-31', '2028-01-31', 3),
  shop('douyin-live-01', 'douyin', '康瑞健康直播间', '粤AA0200509', '2027-01-31', '2026-12-05', 2),
  shop('meituan-store-01', 'meituan', '康瑞大药房(美团买药·广州天河店)', '粤AA0200610', '2028-11-30', '2027-11-30', 2,
    { province: '广东', city: '广州' }),
  shop('meituan-store-02', 'meituan', '康瑞大药房(美团买药·上海徐汇店)', '沪AA0210611', '2028-07-31', '2027-07-31', 2,
    { province: '上海', city: '上海' }),
  shop('meituan-store-03', 'meituan', '康瑞大药房(美团买药·北京朝阳店)', '京AA0110612', '2029-02-28', '2028-02-29', 1,
    { province: '北京', city: '北京' }),
  shop('own-miniapp-01', 'own', '康瑞健康小程序', '粤AA0200713', '2030-06-30', '2029-06-30', 3),
  shop('own-app-01', 'own', '康瑞健康App', '粤AA0200714', '2030-06-30', '2029-06-30', 1),
];

/** Share of a 双11 day's orders per channel (relative). */
export const CHANNEL_WEIGHTS: Readonly<Record<Channel, number>> = {
  tmall: 34, jd: 26, pdd: 14, douyin: 12, meituan: 8, own: 6,
};

export const WAREHOUSE_IDS = ['WH-GZ', 'WH-SH', 'WH-BJ', 'WH-CD', 'WH-WH'] as const;
export type WarehouseId = (typeof WAREHOUSE_IDS)[number];

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

export interface ProvinceInfo {
  readonly province: Province;
  /** Official name, used to start a postal address (北京市, 广西壮族自治区…). */
  readonly full_name: string;
  /** Relative share of online pharmacy orders; the coastal provinces buy most. */
  readonly weight: number;
  /** Prefecture-level cities, short names; municipalities list themselves. */
  readonly cities: readonly string[];
  /** The warehouse that ships to this province. */
  readonly warehouse_id: WarehouseId;
}

function prov(
  province: Province, full: string, weight: number, cities: readonly string[], wh: WarehouseId,
): ProvinceInfo {
  return { province, full_name: full, weight, cities, warehouse_id: wh };
}

export const PROVINCE_INFO: readonly ProvinceInfo[] = [
  prov('北京', '北京市', 4.0, ['北京'], 'WH-BJ'),
  prov('天津', '天津市', 1.6, ['天津'], 'WH-BJ'),
  prov('河北', '河北省', 3.5, ['石家庄', '保定', '唐山', '廊坊'], 'WH-BJ'),
  prov('山西', '山西省', 1.6, ['太原', '大同'], 'WH-BJ'),
  prov('内蒙古', '内蒙古自治区', 1.0, ['呼和浩特', '包头'], 'WH-BJ'),
  prov('辽宁', '辽宁省', 2.5, ['沈阳', '大连'], 'WH-BJ'),
  prov('吉林', '吉林省', 1.1, ['长春', '吉林'], 'WH-BJ'),
  prov('黑龙江', '黑龙江省', 1.5, ['哈尔滨', '大庆'], 'WH-BJ'),
  prov('上海', '上海市', 4.5, ['上海'], 'WH-SH'),
  prov('江苏', '江苏省', 9.0, ['南京', '苏州', '无锡', '常州', '南通'], 'WH-SH'),
  prov('浙江', '浙江省', 8.5, ['杭州', '宁波', '温州', '绍兴', '金华'], 'WH-SH'),
  prov('安徽', '安徽省', 3.5, ['合肥', '芜湖'], 'WH-SH'),
  prov('福建', '福建省', 4.0, ['福州', '厦门', '泉州'], 'WH-GZ'),
  prov('江西', '江西省', 2.3, ['南昌', '赣州'], 'WH-WH'),
  prov('山东', '山东省', 6.5, ['济南', '青岛', '烟台', '潍坊', '临沂'], 'WH-BJ'),
  prov('河南', '河南省', 5.0, ['郑州', '洛阳', '南阳'], 'WH-WH'),
  prov('湖北', '湖北省', 4.0, ['武汉', '宜昌', '襄阳'], 'WH-WH'),
  prov('湖南', '湖南省', 3.5, ['长沙', '株洲', '衡阳'], 'WH-WH'),
  prov('广东', '广东省', 11.0, ['广州', '深圳', '东莞', '佛山', '珠海'], 'WH-GZ'),
  prov('广西', '广西壮族自治区', 2.2, ['南宁', '柳州', '桂林'], 'WH-GZ'),
  prov('海南', '海南省', 0.7, ['海口', '三亚'], 'WH-GZ'),
  prov('重庆', '重庆市', 2.5, ['重庆'], 'WH-CD'),
  prov('四川', '四川省', 5.0, ['成都', '绵阳', '宜宾'], 'WH-CD'),
  prov('贵州', '贵州省', 1.4, ['贵阳', '遵义'], 'WH-CD'),
  prov('云南', '云南省', 2.0, ['昆明', '大理'], 'WH-CD'),
  prov('西藏', '西藏自治区', 0.15, ['拉萨'], 'WH-CD'),
  prov('陕西', '陕西省', 2.5, ['西安', '咸阳'], 'WH-CD'),
  prov('甘肃', '甘肃省', 0.9, ['兰州', '天水'], 'WH-CD'),
  prov('青海', '青海省', 0.25, ['西宁'], 'WH-CD'),
  prov('宁夏', '宁夏回族自治区', 0.3, ['银川'], 'WH-CD'),
  prov('新疆', '新疆维吾尔自治区', 0.9, ['乌鲁木齐', '喀什'], 'WH-CD'),
];

// Words the generator builds buyers and addresses from. Clear text on purpose: ingest masks it for display.
export const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹';
export const GIVEN_NAMES: readonly string[] = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英',
  '华', '慧', '建国', '婷', '玉兰', '桂英', '志强', '晓东', '欣怡', '子涵', '浩然', '雨萱'];
export const PHONE_PREFIXES: readonly string[] = ['138', '139', '137', '136', '135', '150', '151', '158', '159', '182', '187', '188', '130',
  '131', '132', '155', '156', '186', '133', '153', '177', '180', '181', '189', '199'];
export const DISTRICTS: readonly string[] = ['东城区', '西城区', '南山区', '高新区', '经开区', '新城区', '滨江区', '城关区'];
export const STREETS: readonly string[] = ['人民路', '中山路', '解放路', '建设路', '和平路', '新华路', '长江路', '文化路', '学府路', '迎宾大道'];
/** Campaign tags a platform puts on 双11 orders (the finance screen splits margin by campaign). */
export const CAMPAIGNS: Readonly<Record<Channel, readonly string[]>> = {
  tmall: ['双11主会场', '天猫健康节'], jd: ['双11主会场', '京东健康超级品类日'], pdd: ['百亿补贴', '双11主会场'],
  douyin: ['双11直播专场', '双11主会场'], meituan: ['美团买药夜间送'], own: ['会员日', '双11主会场'],
};
