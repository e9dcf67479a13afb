/**
 * The ten canonical tables of DESIGN.md §3 and the two reference tables
 * (`calendar`, `contribution_limits`; see reference.ts), as data: column
 * names, types, header aliases, code lists and which columns hold personal data.
 *
 * Everything that needs to know the data model reads it from here: the loader
 * (recognition, header mapping, typing), the rule validator (unknown tables or
 * columns), the engine (which tables a rule needs), masking, and the docs.
 */

/** How a column's values are typed when loaded. */
export type ColumnType = 'text' | 'id' | 'date' | 'month' | 'datetime' | 'money' | 'int' | 'enum';

/** Kind of personal data a column holds; drives masking in every output. */
export type PiiKind = 'id' | 'name' | 'account' | 'phone' | 'address';

/** The canonical value of a code list and the raw spellings that mean it. */
export interface CodeValue {
  /** Canonical value stored in the column (what rules compare against). */
  value: string;
  /** Other spellings found in exports (codes, labels, English). Matched after trimming, case-insensitively. */
  aliases: string[];
}

export interface ColumnDef {
  name: string;
  type: ColumnType;
  /** Header spellings that map to this column (the canonical name always does too). */
  aliases: string[];
  /** Canonical values for `enum` columns. Unknown values are kept as written and reported as a warning. */
  codes?: CodeValue[];
  pii?: PiiKind;
  /** Chinese label for reports and docs. */
  label: string;
  /**
   * An identifier held as text (account, phone, code, serial number): when loaded, a spreadsheet's leading
   * apostrophe is stripped and a value in scientific notation (`6.22848E+18`) is rejected, never guessed.
   */
  identifier?: true;
}

export interface TableDef {
  name: string;
  label: string;
  /** Substrings of a file name that hint at this table (lower-case or Chinese). */
  fileHints: string[];
  /**
   * Columns that identify this table when recognising a header. A file is
   * recognised as this table only if all of these are present.
   */
  keyColumns: string[];
  columns: ColumnDef[];
  /** A money column whose direction another column holds, and the two-sided form it may come in (bank statements). */
  directed?: DirectedAmount;
  /** Reference data rather than an export: supplied from reference/ (or empty) when no input provides it (reference.ts). */
  reference?: true;
}

/**
 * An amount with a direction (bank_flows: amount and direction). Exports write it in one of three ways, all
 * loaded as a positive amount and a direction: an amount column beside a direction column; a signed amount
 * (negative = out) with or without a direction column; or two source columns, one per side (借方金额 / 贷方金额,
 * 支出 / 收入), the amount taken from the side that is filled and the direction from which side it is.
 */
export interface DirectedAmount {
  /** The canonical money column. */
  amount: string;
  /** The canonical enum column whose codes include `out` and `in`. */
  direction: string;
  /** Header spellings of the outgoing side (借方 on a statement of one's own account: money paid out). */
  outAliases: string[];
  /** Header spellings of the incoming side (贷方: money received). */
  inAliases: string[];
}

/** 险种类型 (aae140). */
export const SCHEME_CODES: CodeValue[] = [
  { value: '110', aliases: ['企业职工基本养老保险', '企业养老', '企业职工养老保险', '职工养老'] },
  { value: '120', aliases: ['机关事业单位养老保险', '机关事业单位基本养老保险', '机关养老'] },
  { value: '170', aliases: ['城乡居民基本养老保险', '城乡居民养老保险', '居民养老', '城乡居民养老'] },
  { value: '210', aliases: ['失业保险', '失业'] },
  { value: '310', aliases: ['职工基本医疗保险', '城镇职工基本医疗保险', '职工医保', '基本医疗保险'] },
  { value: '390', aliases: ['城乡居民基本医疗保险', '居民医保'] },
  { value: '410', aliases: ['工伤保险', '工伤'] },
  { value: '510', aliases: ['生育保险', '生育'] },
];

export const GENDER_CODES: CodeValue[] = [
  { value: '男', aliases: ['1', 'M', 'male'] },
  { value: '女', aliases: ['2', 'F', 'female'] },
];

/** 缴费类别 (aae143). */
export const CONTRIB_TYPE_CODES: CodeValue[] = [
  { value: '10', aliases: ['正常应缴', '正常缴费', '正常'] },
  { value: '21', aliases: ['稽核补收', '稽核补缴'] },
  { value: '31', aliases: ['补缴', '补收', '欠费补缴'] },
  { value: '40', aliases: ['一次性缴费', '趸缴'] },
];

export const PAY_STATUS_CODES: CodeValue[] = [
  { value: '成功', aliases: ['支付成功', '发放成功', '已发放', 'success', 'paid', '1'] },
  { value: '退回', aliases: ['银行退回', '已退回', 'returned', '2'] },
  { value: '失败', aliases: ['支付失败', '发放失败', 'failed', '3'] },
];

export const DIRECTION_CODES: CodeValue[] = [
  { value: 'in', aliases: ['收', '收入', '贷', '贷方', 'C', 'credit', '+'] },
  { value: 'out', aliases: ['付', '支出', '借', '借方', 'D', 'debit', '-'] },
];

export const ACCOUNT_TYPE_CODES: CodeValue[] = [
  { value: '收入户', aliases: ['收入户', '收入账户', 'income'] },
  { value: '支出户', aliases: ['支出户', '支出账户', 'expense'] },
  { value: '财政专户', aliases: ['财政专户', '社保基金财政专户', 'fiscal'] },
];

export const RETIRE_TYPE_CODES: CodeValue[] = [
  { value: '正常退休', aliases: ['正常', '1'] },
  { value: '提前退休', aliases: ['提前', '2'] },
  { value: '因病退休', aliases: ['病退', '因病提前退休', '3'] },
  { value: '特殊工种', aliases: ['特殊工种提前退休', '特殊工种退休', '4'] },
];

export const POLICY_STATUS_CODES: CodeValue[] = [
  { value: '有效', aliases: ['现行有效', '在用', 'valid', 'active'] },
  { value: '废止', aliases: ['已废止', '失效', '作废', 'revoked', 'repealed'] },
];

export const INSURED_STATUS_CODES: CodeValue[] = [
  { value: '参保缴费', aliases: ['正常参保', '在职', '缴费', '1'] },
  { value: '暂停缴费', aliases: ['中断缴费', '暂停', '2'] },
  { value: '终止参保', aliases: ['终止', '注销', '3'] },
  { value: '领取待遇', aliases: ['离退休', '退休', '享受待遇', '4'] },
];

/** Kind of a calendar day (calendar.kind): an official rest day, or a working day on a weekend (调休). */
export const DAY_KIND_CODES: CodeValue[] = [
  { value: 'holiday', aliases: ['休', '休息', '休息日', '放假', '节假日', '假日', '法定节假日', 'off', 'rest', 'rest day'] },
  { value: 'workday', aliases: ['班', '上班', '工作日', '调休上班', '补班', 'work', 'working day'] },
];

const c = (name: string, type: ColumnType, label: string, aliases: string[] = [], extra: Partial<ColumnDef> = {}): ColumnDef => ({
  name,
  type,
  label,
  aliases,
  ...extra,
});

// Columns shared by several tables, spelled once.
const personId = c('person_id', 'text', '个人编号', ['个人编号', '人员编号', '参保个人编号', 'aac001']);
const idNumber = c('id_number', 'id', '公民身份号码', ['公民身份号码', '身份证号码', '身份证号', '证件号码', '社会保障号码', 'aac002'], { pii: 'id' });
const name = c('name', 'text', '姓名', ['姓名', 'aac003'], { pii: 'name' });
const employerId = c('employer_id', 'text', '单位编号', ['单位编号', '单位编码', 'aab001']);
const scheme = c('scheme', 'enum', '险种类型', ['险种类型', '险种', 'aae140'], { codes: SCHEME_CODES });
const bankAccount = c('bank_account', 'text', '银行账号', ['银行账号', '银行卡号', '账号'], { pii: 'account' });
const operatorId = c('operator_id', 'text', '经办人', ['经办人', '经办人编号', 'aae011']);
const opTime = c('op_time', 'datetime', '经办时间', ['经办时间', 'aae036']);

export const TABLES: TableDef[] = [
  {
    name: 'persons',
    label: '参保人员信息',
    fileHints: ['persons', 'person', '参保人员', '人员信息', 'ac01'],
    keyColumns: ['person_id', 'id_number', 'name'],
    columns: [
      personId,
      idNumber,
      name,
      c('gender', 'enum', '性别', ['性别', 'aac004'], { codes: GENDER_CODES }),
      c('birth_date', 'date', '出生日期', ['出生日期', 'aac006']),
      employerId,
      scheme,
      c('insured_status', 'enum', '参保状态', ['参保状态', '人员参保状态', 'aac008'], { codes: INSURED_STATUS_CODES }),
      c('insured_date', 'date', '参保日期', ['参保日期', '首次参保年月', '首次参保日期']),
      c('work_start_date', 'date', '参加工作日期', ['参加工作日期']),
      c('retire_date', 'date', '离退休日期', ['离退休日期', '退休日期']),
      c('retire_type', 'enum', '离退休类别', ['离退休类别', '退休类别'], { codes: RETIRE_TYPE_CODES }),
      c('paid_months', 'int', '实际缴费月数', ['实际缴费月数', '缴费月数']),
      c('deemed_months', 'int', '视同缴费月数', ['视同缴费月数']),
      bankAccount,
      c('phone', 'text', '联系电话', ['联系电话', '手机号码', '电话'], { pii: 'phone' }),
      c('address', 'text', '居住地址', ['居住地址', '户籍地址', '地址'], { pii: 'address' }),
      c('region', 'text', '所属镇街', ['所属镇街', '行政区划']),
    ],
  },
  {
    name: 'employers',
    label: '参保单位信息',
    fileHints: ['employers', 'employer', '参保单位', '单位信息', 'ab01'],
    keyColumns: ['employer_id', 'employer_name'],
    columns: [
      employerId,
      c('employer_name', 'text', '单位名称', ['单位名称']),
      c('credit_code', 'text', '统一社会信用代码', ['统一社会信用代码', '信用代码']),
      c('founded_date', 'date', '成立日期', ['成立日期']),
      c('insured_date', 'date', '单位参保日期', ['单位参保日期', '参保日期']),
      c('bank_account', 'text', '银行账号', ['银行账号', '基本户账号']),
    ],
  },
  {
    name: 'contributions',
    label: '缴费明细',
    fileHints: ['contributions', 'contribution', '缴费', '征收', 'ac43'],
    keyColumns: ['period', 'paid_amount'],
    columns: [
      c('record_id', 'text', '缴费流水号', ['缴费流水号', '流水号']),
      personId,
      idNumber,
      name,
      employerId,
      scheme,
      c('period', 'month', '费款所属期', ['费款所属期', '所属期', 'aae002']),
      c('contrib_type', 'enum', '缴费类别', ['缴费类别', 'aae143'], { codes: CONTRIB_TYPE_CODES }),
      c('base', 'money', '缴费基数', ['缴费基数', 'aae180']),
      c('due_amount', 'money', '应缴金额', ['应缴金额']),
      c('paid_amount', 'money', '实缴金额', ['实缴金额']),
      c('received_date', 'date', '到账日期', ['到账日期']),
      c('receipt_no', 'text', '票据号', ['票据号', '票据号码']),
      c('pay_method', 'text', '缴费方式', ['缴费方式']),
      operatorId,
      opTime,
    ],
  },
  {
    name: 'payouts',
    label: '待遇发放明细',
    fileHints: ['payouts', 'payout', '待遇发放', '发放明细', '支付明细', 'ic'],
    keyColumns: ['period', 'amount'],
    columns: [
      c('payout_id', 'text', '发放流水号', ['发放流水号', '支付单号']),
      personId,
      idNumber,
      name,
      scheme,
      c('item', 'text', '待遇项目', ['待遇项目', '待遇项目名称']),
      c('item_code', 'text', '待遇项目代码', ['待遇项目代码']),
      c('period', 'month', '待遇年月', ['待遇年月', '发放年月', '待遇所属期']),
      c('amount', 'money', '发放金额', ['发放金额', '待遇金额', '本月养老金合计']),
      c('pay_date', 'date', '发放日期', ['发放日期', '支付日期']),
      c('status', 'enum', '发放状态', ['发放状态', '支付状态'], { codes: PAY_STATUS_CODES }),
      c('bank_name', 'text', '开户银行', ['开户银行']),
      c('bank_account', 'text', '银行账号', ['银行账号', 'aae010'], { pii: 'account' }),
      c('account_holder', 'text', '户名', ['户名', '银行账户名称', 'aae009'], { pii: 'name' }),
      c('policy_ref', 'text', '政策依据', ['政策依据', '文件文号']),
      operatorId,
      opTime,
      c('reviewer_id', 'text', '复核人', ['复核人', '审核人', 'aae014']),
      c('review_time', 'datetime', '复核时间', ['复核时间', '审核时间', 'aae015']),
    ],
  },
  {
    name: 'deaths',
    label: '死亡人员信息',
    fileHints: ['deaths', 'death', '死亡', '火化'],
    keyColumns: ['id_number', 'death_date'],
    columns: [
      c('id_number', 'id', '身份证号', ['身份证号', '公民身份号码', '身份证号码'], { pii: 'id' }),
      c('name', 'text', '姓名', ['姓名', '死者姓名'], { pii: 'name' }),
      c('death_date', 'date', '死亡日期', ['死亡日期', '火化时间', '火化日期']),
      c('source', 'text', '数据来源', ['数据来源']),
    ],
  },
  {
    name: 'prisoners',
    label: '服刑人员信息',
    fileHints: ['prisoners', 'prisoner', '服刑', '在押'],
    keyColumns: ['id_number', 'sentence_start'],
    columns: [
      c('id_number', 'id', '身份证号', ['身份证号', '公民身份号码', '身份证号码'], { pii: 'id' }),
      c('name', 'text', '姓名', ['姓名'], { pii: 'name' }),
      c('sentence_start', 'date', '服刑开始日期', ['起日', '服刑开始日期', '刑期起日']),
      c('sentence_end', 'date', '刑期止日', ['止日', '刑期止日', '服刑结束日期']),
      c('release_date', 'date', '离监日期', ['离监日期', '释放日期']),
    ],
  },
  {
    name: 'staff',
    label: '经办人员信息',
    fileHints: ['staff', '经办人员', '工作人员', '人员名册'],
    keyColumns: ['staff_id', 'roles'],
    columns: [
      c('staff_id', 'text', '工号', ['工号', '经办人编号']),
      c('name', 'text', '姓名', ['姓名'], { pii: 'name' }),
      c('id_number', 'id', '身份证号', ['身份证号', '公民身份号码', '身份证号码'], { pii: 'id' }),
      c('roles', 'text', '岗位', ['岗位', '岗位角色']),
      c('department', 'text', '科室', ['科室', '部门']),
      c('start_date', 'date', '上岗日期', ['上岗日期']),
      c('end_date', 'date', '离岗日期', ['离岗日期']),
      c('bank_account', 'text', '银行账号', ['银行账号'], { pii: 'account' }),
      c('phone', 'text', '联系电话', ['联系电话', '手机号码'], { pii: 'phone' }),
    ],
  },
  {
    name: 'bank_flows',
    label: '基金账户流水',
    fileHints: ['bank_flows', 'bank', 'flows', '流水', '银行'],
    keyColumns: ['account_no', 'direction', 'amount'],
    columns: [
      c('txn_id', 'text', '交易流水号', ['交易流水号', '交易号', '流水号']),
      c('account_no', 'text', '本方账号', ['本方账号', '账号', '本方账户']),
      c('account_type', 'enum', '账户类型', ['账户类型'], { codes: ACCOUNT_TYPE_CODES }),
      c('txn_date', 'date', '交易日期', ['交易日期', '记账日期', '交易时间', '交易创建时间']),
      c('direction', 'enum', '借贷标志', ['借贷标志', '收支方向', '借贷方向', '收/支', '收支', '资金方向'], { codes: DIRECTION_CODES }),
      c('amount', 'money', '发生额', ['发生额', '交易金额', '金额']),
      c('counterparty_account', 'text', '对方账号', ['对方账号', '对方账户'], { pii: 'account' }),
      c('counterparty_name', 'text', '对方户名', ['对方户名', '对方账户名称', '对方名称', '交易对方'], { pii: 'name' }),
      c('summary', 'text', '摘要', ['摘要', '用途', '交易摘要']),
      c('voucher_no', 'text', '凭证号', ['凭证号']),
    ],
    directed: {
      amount: 'amount',
      direction: 'direction',
      outAliases: ['借方金额', '借方发生额', '借方', '发生额(借方)', '借方发生额(支出)', '支出金额', '支出', '付款金额', '出账金额', '转出金额'],
      inAliases: ['贷方金额', '贷方发生额', '贷方', '发生额(贷方)', '贷方发生额(收入)', '收入金额', '收入', '收款金额', '入账金额', '转入金额'],
    },
  },
  {
    name: 'policies',
    label: '政策文件与待遇标准',
    fileHints: ['policies', 'policy', '政策', '文件', '标准'],
    keyColumns: ['doc_no', 'effective_from'],
    columns: [
      c('doc_no', 'text', '文号', ['文号']),
      c('title', 'text', '文件名称', ['文件名称']),
      scheme,
      c('item', 'text', '待遇项目', ['待遇项目']),
      c('effective_from', 'date', '生效日期', ['生效日期']),
      c('effective_to', 'date', '失效日期', ['失效日期']),
      c('status', 'enum', '状态', ['状态'], { codes: POLICY_STATUS_CODES }),
      c('standard_amount', 'money', '标准金额', ['标准金额']),
      c('min_amount', 'money', '最低标准', ['最低标准']),
      c('max_amount', 'money', '最高标准', ['最高标准']),
    ],
  },
  {
    name: 'certifications',
    label: '待遇资格认证',
    fileHints: ['certifications', 'certification', '认证', '资格认证'],
    keyColumns: ['id_number', 'cert_date'],
    columns: [
      c('id_number', 'id', '身份证号', ['身份证号', '公民身份号码', '身份证号码'], { pii: 'id' }),
      c('cert_date', 'date', '认证日期', ['认证日期']),
      c('method', 'text', '认证方式', ['认证方式']),
    ],
  },
  // Reference tables: not exports of the fund, but data the rules need (reference.ts supplies them when no input does).
  {
    name: 'calendar',
    label: '节假日安排',
    reference: true,
    fileHints: ['calendar', 'holiday', '节假日', '日历', '调休'],
    keyColumns: ['date', 'kind'],
    columns: [
      c('date', 'date', '日期', ['日期', '公历日期']),
      c('kind', 'enum', '休班类型', ['休班类型', '日期类型', '放假或上班', '休班'], { codes: DAY_KIND_CODES }),
      c('holiday', 'text', '节日名称', ['节日名称', '节日', '节假日名称', '假期']),
      c('source', 'text', '依据', ['依据', '来源', '文件依据', '数据来源']),
    ],
  },
  {
    name: 'contribution_limits',
    label: '缴费基数上下限',
    reference: true,
    fileHints: ['contribution_limits', 'limits', '上下限', '缴费基数'],
    keyColumns: ['year', 'floor', 'ceiling'],
    columns: [
      c('year', 'int', '缴费年度', ['缴费年度', '年度', '年份']),
      c('region', 'text', '统筹地区', ['统筹地区', '地区', '统筹区', '行政区划']),
      c('floor', 'money', '缴费基数下限', ['缴费基数下限', '基数下限', '下限']),
      c('ceiling', 'money', '缴费基数上限', ['缴费基数上限', '基数上限', '上限']),
      c('source', 'text', '依据', ['依据', '来源', '文件依据', '发布文件']),
    ],
  },
];

/** Text columns that hold identifiers (see ColumnDef.identifier), by canonical name in every table. */
const IDENTIFIER_COLUMNS = new Set([
  'bank_account', 'account_no', 'counterparty_account', 'phone', 'credit_code', 'person_id', 'employer_id',
  'receipt_no', 'payout_id', 'record_id', 'txn_id', 'staff_id', 'voucher_no',
]);
for (const t of TABLES) for (const col of t.columns) if (IDENTIFIER_COLUMNS.has(col.name)) col.identifier = true;

export const TABLE_NAMES = TABLES.map((t) => t.name);

const byName = new Map(TABLES.map((t) => [t.name, t]));

/** The definition of a canonical table, or undefined for an unknown name. */
export function tableDef(name: string): TableDef | undefined {
  return byName.get(name);
}

/** The definition of a canonical column, or undefined. */
export function columnDef(table: string, column: string): ColumnDef | undefined {
  return byName.get(table)?.columns.find((col) => col.name === column);
}

/** PII kind of a canonical column name in any table (e.g. `account_holder` → `name`). */
export function piiKindOfColumn(column: string): PiiKind | undefined {
  for (const t of TABLES) {
    const col = t.columns.find((x) => x.name === column);
    if (col?.pii) return col.pii;
  }
  return undefined;
}
