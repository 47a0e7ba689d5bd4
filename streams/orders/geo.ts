// Where the demo's buyers live and what their orders look like on paper: provinces (with their order share,
// cities and serving warehouse) and the words buyers and addresses are built from. Clear text on purpose:
// ingest masks it for display.
import type { Province } from '../common.ts';

export const WAREHOUSE_IDS = ['WH-GZ', 'WH-SH', 'WH-BJ', 'WH-CD', 'WH-WH'] as const;
export type WarehouseId = (typeof WAREHOUSE_IDS)[number];

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

// Words the generator builds buyers and addresses from.
export const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹';
export const GIVEN_NAMES: readonly string[] = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英',
  '华', '慧', '建国', '婷', '玉兰', '桂英', '志强', '晓东', '欣怡', '子涵', '浩然', '雨萱'];
export const PHONE_PREFIXES: readonly string[] = ['138', '139', '137', '136', '135', '150', '151', '158', '159', '182', '187', '188', '130',
  '131', '132', '155', '156', '186', '133', '153', '177', '180', '181', '189', '199'];
export const DISTRICTS: readonly string[] = ['东城区', '西城区', '南山区', '高新区', '经开区', '新城区', '滨江区', '城关区'];
export const STREETS: readonly string[] = ['人民路', '中山路', '解放路', '建设路', '和平路', '新华路', '长江路', '文化路', '学府路', '迎宾大道'];
