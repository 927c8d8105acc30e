import ExcelJS from 'exceljs';
import { EDUCATION, GENDERS, MEMBER_CATEGORIES, MEMBER_STATES, type Dict } from '@tongxin/contracts';
import { AppError } from '../../platform/errors.js';
import type { MemberView } from './members.schema.js';

// The roster workbook (花名册): one column layout for the template, the import and the export, so an
// exported file can be corrected and imported again.

type Locale = 'zh-CN' | 'en';
const STATUS_OPTIONS = { full: { zh: '正式', en: 'Full' }, probationary: { zh: '预备', en: 'Probationary' } } as const satisfies Dict;

export interface RosterColumn {
  key: string;
  zh: string;
  en: string;
  required?: boolean;
  /** Enumerated values: a dropdown in the template. */
  options?: Dict;
  /** Stored as text so Excel keeps every digit (an 18-digit number loses the last ones). */
  text?: boolean;
  date?: boolean;
  note?: string;
  width?: number;
}

export const ROSTER_COLUMNS: RosterColumn[] = [
  { key: 'name', zh: '姓名', en: 'Name', required: true, width: 12 },
  { key: 'gender', zh: '性别', en: 'Gender', required: true, options: GENDERS, width: 8 },
  { key: 'idNumber', zh: '身份证号', en: 'ID number', required: true, text: true, width: 22, note: '18 位居民身份证号，请以文本格式填写' },
  { key: 'phone', zh: '手机号', en: 'Mobile', text: true, width: 14 },
  { key: 'status', zh: '党员状态', en: 'Status', required: true, options: STATUS_OPTIONS, width: 10, note: '正式 / 预备' },
  { key: 'joinedOn', zh: '入党日期', en: 'Joined on', required: true, date: true, width: 12, note: '例：2015-07-01' },
  { key: 'fullOn', zh: '转正日期', en: 'Full member since', date: true, width: 12, note: '预备党员不填' },
  { key: 'category', zh: '人员类别', en: 'Category', required: true, options: MEMBER_CATEGORIES, width: 14 },
  { key: 'education', zh: '学历', en: 'Education', options: EDUCATION, width: 12 },
  { key: 'occupation', zh: '职业', en: 'Occupation', width: 12 },
  { key: 'workUnit', zh: '工作单位', en: 'Work unit', width: 24, note: '与系统中楼宇或企业名称完全一致时自动关联' },
  { key: 'skills', zh: '技能特长', en: 'Skills', width: 18, note: '多项用顿号、逗号或空格分隔' },
  { key: 'interests', zh: '兴趣爱好', en: 'Interests', width: 18, note: '多项用顿号、逗号或空格分隔' },
  { key: 'org', zh: '所在党组织', en: 'Organisation', required: true, width: 30, note: '党组织全称或编号（id）' },
  { key: 'residence', zh: '居住社区', en: 'Residential community', width: 14, note: '社区、小区或楼栋的名称或编号' },
];
export const columnLabel = (c: RosterColumn, locale: Locale) => (locale === 'en' ? c.en : c.zh);

export const MAX_IMPORT_ROWS = 10_000;
const TEMPLATE_ROWS = 2_000;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export { XLSX as XLSX_MIME };

/** Labels a user may type for an option: the Chinese label with or without 党员 (在职, 正式党员), the English label, the code. */
export function optionLookup(options: Dict): Map<string, string> {
  const map = new Map<string, string>();
  for (const [code, label] of Object.entries(options)) {
    const bare = label.zh.replace(/党员$/, '');
    for (const s of [code, label.zh, bare, `${bare}党员`, label.en]) map.set(s.toLowerCase(), code);
  }
  return map;
}

function headerRow(ws: ExcelJS.Worksheet) {
  ws.columns = ROSTER_COLUMNS.map((c) => ({ header: c.zh, key: c.key, width: c.width ?? 12, style: c.text ? { numFmt: '@' } : {} }));
  const header = ws.getRow(1);
  header.font = { bold: true };
  ROSTER_COLUMNS.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    if (c.required) cell.font = { bold: true, color: { argb: 'FFC00000' } };
    if (c.note) cell.note = c.note;
  });
  ws.views = [{ state: 'frozen', ySplit: 1 }];
}

/** The import template: headers, text format for numbers, dropdowns for the enumerated columns. */
export async function templateWorkbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('党员花名册');
  headerRow(ws);
  // exceljs writes a range validation as one element; the typings do not declare the collection.
  const validations = (ws as unknown as { dataValidations: { add(range: string, v: ExcelJS.DataValidation): void } }).dataValidations;
  ROSTER_COLUMNS.forEach((c, i) => {
    if (!c.options) return;
    const letter = ws.getColumn(i + 1).letter;
    const list = Object.values(c.options).map((o) => o.zh).join(',');
    validations.add(`${letter}2:${letter}${TEMPLATE_ROWS + 1}`, {
      type: 'list', allowBlank: !c.required, formulae: [`"${list}"`], showErrorMessage: true, errorTitle: c.zh, error: `请从下拉列表中选择${c.zh}`,
    });
  });
  const help = wb.addWorksheet('填写说明');
  help.columns = [{ header: '列', key: 'col', width: 16 }, { header: '必填', key: 'required', width: 8 }, { header: '说明', key: 'note', width: 70 }];
  help.getRow(1).font = { bold: true };
  for (const c of ROSTER_COLUMNS) {
    const allowed = c.options ? `可选值：${Object.values(c.options).map((o) => o.zh).join('、')}` : '';
    help.addRow({ col: c.zh, required: c.required ? '是' : '', note: [c.note, allowed].filter(Boolean).join('；') });
  }
  help.addRow({});
  help.addRow({ col: '说明', note: '表头在第 1 行，数据从第 2 行开始；出生日期和性别以身份证号为准；任何一行有误时整个文件都不会导入。' });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A cell value reduced to what the import reads: text, a number, a date, or nothing. */
export type CellValue = string | number | Date | boolean | null;

function plain(v: ExcelJS.CellValue): CellValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  if (typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  if (typeof v === 'object') {
    if ('richText' in v) return plain(v.richText.map((t) => t.text).join(''));
    if ('formula' in v || 'sharedFormula' in v) return plain((v as { result?: ExcelJS.CellValue }).result ?? null);
    if ('text' in v) return plain((v as { text: ExcelJS.CellValue }).text);
  }
  return null;
}

const headerKey = (text: string) => text.replace(/[（(][^）)]*[）)]/g, '').replace(/[*＊\s]/g, '').toLowerCase();

export interface RosterRow {
  /** The row number as Excel shows it (the header is row 1). */
  row: number;
  values: Record<string, CellValue>;
}

const reasonText = {
  unreadable: { zh: '不是有效的 .xlsx 文件', en: 'not a valid .xlsx file' },
  empty: { zh: '文件中没有工作表', en: 'the file has no worksheet' },
  columns: { zh: '缺少必填列：{cols}', en: 'required columns missing: {cols}' },
  tooMany: { zh: `数据超过 ${MAX_IMPORT_ROWS} 行，请分批导入`, en: `more than ${MAX_IMPORT_ROWS} rows; split the file` },
  noRows: { zh: '没有数据行', en: 'no data rows' },
};
const fileInvalid = (locale: Locale, key: keyof typeof reasonText, cols = '') =>
  new AppError('FILE_INVALID', { reason: reasonText[key][locale === 'en' ? 'en' : 'zh'].replace('{cols}', cols) });

/** Reads the first worksheet of an uploaded roster into rows keyed by column; blank rows are skipped. */
export async function readRoster(buf: Buffer, locale: Locale): Promise<RosterRow[]> {
  const wb = new ExcelJS.Workbook();
  try {
    // Validations and formatting of user files are ignored: a whole-column rule would expand to a million cells.
    await wb.xlsx.load(buf as unknown as ArrayBuffer, { ignoreNodes: ['dataValidations', 'conditionalFormatting', 'hyperlinks', 'extLst'], maxRows: MAX_IMPORT_ROWS + 50 } as Partial<ExcelJS.XlsxReadOptions>);
  } catch (e) {
    if (/Max row count/i.test(String((e as Error).message))) throw fileInvalid(locale, 'tooMany');
    throw fileInvalid(locale, 'unreadable');
  }
  const ws = wb.worksheets[0];
  if (!ws) throw fileInvalid(locale, 'empty');
  const byHeader = new Map<string, number>();
  ws.getRow(1).eachCell((cell, col) => {
    const v = plain(cell.value);
    if (typeof v === 'string') byHeader.set(headerKey(v), col);
  });
  const colOf = new Map<string, number>();
  for (const c of ROSTER_COLUMNS) {
    const col = byHeader.get(headerKey(c.zh)) ?? byHeader.get(headerKey(c.en));
    if (col) colOf.set(c.key, col);
  }
  const missing = ROSTER_COLUMNS.filter((c) => c.required && !colOf.has(c.key));
  if (missing.length) throw fileInvalid(locale, 'columns', missing.map((c) => columnLabel(c, locale)).join(locale === 'en' ? ', ' : '、'));
  const rows: RosterRow[] = [];
  ws.eachRow({ includeEmpty: false }, (r, n) => {
    if (n === 1) return;
    const values: Record<string, CellValue> = {};
    let any = false;
    for (const [key, col] of colOf) {
      values[key] = plain(r.getCell(col).value);
      if (values[key] !== null) any = true;
    }
    if (any) rows.push({ row: n, values });
  });
  if (rows.length > MAX_IMPORT_ROWS) throw fileInvalid(locale, 'tooMany');
  if (rows.length === 0) throw fileInvalid(locale, 'noRows');
  return rows;
}

const label = (d: Dict, key: string | null) => (key === null ? '' : (d[key]?.zh ?? key));

/** The filtered roster in the template's layout, followed by birth date and roll state. */
export async function exportWorkbook(items: (MemberView & { idNumber?: string; phone?: string | null })[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('党员花名册');
  headerRow(ws);
  const extra = ws.columns.length;
  ws.getColumn(extra + 1).width = 12;
  ws.getColumn(extra + 2).width = 10;
  ws.getRow(1).getCell(extra + 1).value = '出生日期';
  ws.getRow(1).getCell(extra + 2).value = '在册状态';
  for (const m of items) {
    const row = ws.addRow({
      name: m.name,
      gender: label(GENDERS, m.gender),
      idNumber: m.idNumber ?? m.idNumberMasked,
      phone: m.phone !== undefined ? (m.phone ?? '') : (m.phoneMasked ?? ''),
      status: label(STATUS_OPTIONS, m.status),
      joinedOn: m.joinedOn,
      fullOn: m.fullOn ?? '',
      category: label(MEMBER_CATEGORIES, m.category),
      education: label(EDUCATION, m.education),
      occupation: m.occupation ?? '',
      workUnit: m.workUnit ?? '',
      skills: m.skills.join('、'),
      interests: m.interests.join('、'),
      org: m.orgName,
      residence: m.residenceName ?? '',
    });
    row.getCell(extra + 1).value = m.birthDate;
    row.getCell(extra + 2).value = label(MEMBER_STATES, m.state);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
