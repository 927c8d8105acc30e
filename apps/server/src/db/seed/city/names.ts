import type { Rng } from './rng.js';

// Surnames with rough frequencies (per thousand) from published national statistics; given-name
// characters common in the generations born 1935–2005.
const SURNAMES: Record<string, number> = {
  王: 72, 李: 71, 张: 68, 刘: 54, 陈: 53, 杨: 31, 黄: 23, 赵: 22, 吴: 20, 周: 19, 徐: 15, 孙: 15, 马: 12, 朱: 12, 胡: 11, 郭: 11, 何: 10,
  林: 10, 罗: 9, 高: 9, 郑: 8, 梁: 8, 谢: 7, 宋: 6, 唐: 6, 许: 6, 韩: 6, 冯: 5, 邓: 5, 曹: 5, 彭: 5, 曾: 5, 肖: 5, 田: 5, 董: 4,
  袁: 4, 潘: 4, 于: 4, 蒋: 4, 蔡: 4, 余: 4, 杜: 4, 叶: 4, 程: 4, 苏: 3, 魏: 3, 吕: 3, 丁: 3, 任: 3, 沈: 3, 姚: 3, 卢: 3, 姜: 3,
  崔: 3, 钟: 3, 谭: 3, 陆: 3, 汪: 2, 范: 2, 金: 2, 石: 2, 廖: 2, 贾: 2, 夏: 2, 韦: 2, 付: 2, 方: 2, 白: 2, 邹: 2, 孟: 2, 熊: 2,
  秦: 2, 邱: 2, 江: 2, 尹: 2, 薛: 2, 闫: 2, 段: 2, 雷: 2, 侯: 2, 龙: 2, 史: 2, 陶: 2, 黎: 2, 贺: 2, 顾: 2, 毛: 2, 郝: 2, 龚: 2,
  邵: 2, 万: 1, 钱: 1, 严: 1, 覃: 1, 武: 1, 戴: 1, 莫: 1, 孔: 1, 向: 1, 汤: 1, 欧阳: 1, 司马: 0.2, 诸葛: 0.1,
};
const MALE = '伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欢阳建国志文斌德福海东峰亮成新春永庆';
const FEMALE = '芳娜敏静丽艳娟霞秀英燕玲桂兰红梅琳雪婷倩慧颖佳怡晶洁莉萍琴蓉月凤丹薇瑶璐';

export function chineseName(rng: Rng, gender: 'male' | 'female'): string {
  const surname = rng.weighted(SURNAMES);
  const pool = gender === 'male' ? MALE : FEMALE;
  const given = rng.chance(0.35) ? rng.pick([...pool]) : rng.pick([...pool]) + rng.pick([...pool]);
  return surname + given;
}

const PLACE_CHARS = [...'新华东西南北湖山景园桂松竹莲福安康宁和兴盛荣泰丰源泉林岭湾港翠锦怡悦春秋明德富贵祥瑞金银玉龙凤鹏'];
/** A two-character place name not yet in `used`. */
export function placeName(rng: Rng, used: Set<string>): string {
  for (;;) {
    const n = rng.pick(PLACE_CHARS) + rng.pick(PLACE_CHARS);
    if (n[0] !== n[1] && !used.has(n)) {
      used.add(n);
      return n;
    }
  }
}

export const COMPOUND_SUFFIX = ['花园', '苑', '小区', '家园', '新村', '公寓', '雅居', '名苑'];
export const BUILDING_SUFFIX = ['大厦', '中心', '广场', '金融中心', '商务中心'];
export const ENTERPRISE_SUFFIX = ['科技有限公司', '贸易有限公司', '物流有限公司', '建设工程有限公司', '信息技术有限公司', '餐饮管理有限公司', '物业服务有限公司', '电子有限公司', '文化传播有限公司', '医疗器械有限公司'];
