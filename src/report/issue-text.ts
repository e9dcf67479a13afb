/**
 * Data issues in the report's language. The loader writes each issue's reason
 * in English and says which message it is (`msg.key`, else its code) with the
 * values it shows (`msg.args`); a Chinese report says the same from here.
 * Every message the loader can give has an entry: test/report/issue-text.test.ts
 * finds the loader's keys in src/data and checks each one.
 */
import type { DataIssue } from '../data/model.js';
import type { Lang } from './model.js';

type Args = Record<string, string | number>;

const DELIMITERS: Record<string, string> = { ',': '逗号', '\t': '制表符', ';': '分号', '|': '竖线' };
const delimiter = (d: string | number | undefined) => DELIMITERS[String(d)] ?? `“${String(d)}”`;

const DATE_SHAPES = '2020-01-05、2020/1/5、20200105 或 2020年1月5日';
const KEPT = '已按原样保留，以便规则识别 —— 请在源系统中更正';
const WORKBOOK_RESAVE = '请用 Excel 或 WPS 打开并另存为 Excel 工作簿（.xlsx）或“CSV UTF-8”，然后重新运行';

/** Chinese text of each message, by key (`code` or `code.variant`). */
export const ZH: Record<string, (a: Args) => string> = {
  // Values that cannot be typed.
  'bad-date': () => `不是日期：请写成 ${DATE_SHAPES}`,
  'bad-date.calendar': () => '不是真实的日历日期（日或月超出范围，如 2 月 30 日）：请在源系统中更正日期',
  'bad-date.month-only': () => `只有年月，没有日：该列需要完整日期（${DATE_SHAPES}）`,
  'date-serial': () => '看起来是电子表格的日期序列号；为免猜错不作转换：请将该列设为日期格式（2020-01-05）后重新导出',
  'bad-datetime': () => '不是日期时间：请写成 2020-01-05 14:03:00（或 2020-01-05T14:03、2020/1/5 14:03、20200105140300）',
  'bad-datetime.calendar': () => '不是真实的日期或时间（日、月、时或分超出范围）：请在源系统中更正',
  'bad-month': () => '不是年月：请写成 202001、2020-01、2020/1 或 2020年01月',
  'bad-month.calendar': () => '不是真实的年月或日期（月份不在 1–12，或日超出范围）：请在源系统中更正',
  'bad-int': () => '不是整数：请只写数字，如 180 或 1,200',
  'bad-int.fraction': () => '含有小数，但该列只能是整数：请更正该值',
  'bad-money': () => '不是金额：请写成最多两位小数的数字，如 1234.50、1,234.56、-12.00 或 ￥1,234.56',
  'bad-money.decimals': () => '小数超过两位；金额以分为单位精确保存，绝不四舍五入：请更正，或按两位小数重新导出',
  'bad-money.too-large': () => '数值过大，不像金额（元的整数部分超过 13 位）：请检查该列',
  'scientific-notation': () => '看起来被电子表格转成了科学计数法，尾部数字已丢失：请将该列按文本（或原格式）重新导出',
  'id-format': () => '不是公民身份号码：应为 18 位（17 位数字加一位数字或 X）或 15 位旧号码；请检查列映射或更正该值',
  'id-checksum': (a) =>
    `校验码错误：按前 17 位应以 ${a.expected} 结尾` +
    (a.birth === 'not-real' ? '，且其中的出生日期（第 7–14 位）不是真实日期' : a.birth === 'impossible' ? '，且其中的出生日期（第 7–14 位）不可能' : '') +
    (a.rounded ? '（以 000 结尾：可能被电子表格舍入为 15 位有效数字）' : '') +
    `；${KEPT}`,
  'id-birth-date': (a) => `其中的出生日期（第 7–14 位）${a.birth === 'not-real' ? '不是真实日期' : '不可能'}；${KEPT}`,
  'id-birth-date.legacy': () => `15 位旧号码中的出生日期（第 7–12 位）不是真实日期，因此未升位为 18 位；${KEPT}`,
  'id-stored-as-number': () => '工作簿把该身份证号存成了数字而非文本，电子表格数字只保留 15 位：不作猜测 —— 请在源文件中把该列设为文本后重新导出',
  'unknown-code': (a) => `不是已知的${a.label}（${a.column}）代码；已知：${a.knownZh}。已按原样保留，但比较该列的规则不会匹配它：请更正该值，或要求扩充代码表`,
  'cell-error': () => '单元格中是电子表格错误值，不是数据；按空白读取 —— 请在工作簿中更正该单元格',

  // Rows.
  'ragged-row.after-quote': (a) =>
    `该行有 ${a.n} 个字段，而表头有 ${a.width} 个；该行已拒收 —— 第 ${a.field} 个字段（${JSON.stringify(String(a.raw))}）的右引号后还有文字：带引号的字段中的引号会提前结束该字段并使后面的字段错位；请在源文件中把内部引号写成两个（""）`,
  'ragged-row.fullwidth': (a) =>
    `该行有 ${a.n} 个字段，而表头有 ${a.width} 个；该行已拒收 —— 看起来用了全角逗号（，）作分隔符；把其中 ${a.fw} 个全角逗号换成半角逗号即得到 ${a.width} 个字段`,
  'ragged-row.other-delimiter': (a) =>
    `该行有 ${a.n} 个字段，而表头有 ${a.width} 个；该行已拒收 —— 它的字段以${delimiter(a.other)}分隔，而不是${delimiter(a.delimiter)}；请重新导出该行`,
  'ragged-row.unquoted': (a) => `该行有 ${a.n} 个字段，而表头有 ${a.width} 个；该行已拒收 —— 某个字段可能含有未加引号的${delimiter(a.delimiter)}；请给该字段加上引号`,
  'ragged-row.missing': (a) => `该行有 ${a.n} 个字段，而表头有 ${a.width} 个；该行已拒收 —— 缺少字段；请重新导出该行`,
  'repeated-header': () => '又是一行表头，不是记录；未加载',
  'total-row': () => '看起来是合计行（合计/总计/小计），不是记录；未加载',
  'cr-line-ends': () =>
    '有回车符（CR）后面没有换行符（LF）：文件各行都只以 CR 结尾（旧 Mac 格式）时按行读取，否则这些回车符作为值的一部分保留、不当作换行 —— 请以 CRLF 或 LF 换行重新保存，或在源系统中删除这些回车符',
  'nul-byte': () => '该行含有 NUL 字节（0x00），说明导出文件已损坏；该行已拒收 —— 请重新导出文件',
  'unclosed-quote': (a) =>
    `第 ${a.line} 行开始的引号一直没有闭合，文件其余部分会变成一个字段；${a.rejected ? '该行已拒收' : '该行已跳过'}，从第 ${Number(a.line) + 1} 行继续读取 —— 请闭合或删除多余的引号`,
  'unclosed-quote.no-header': (a) => `第 ${a.line} 行开始的引号在前 ${a.mb} MB 内没有闭合，读不出表头或任何行；请闭合或删除多余的引号`,
  'stray-quote': (a) =>
    `第 ${a.line} 行开始的引号跨过行尾，在后面某行闭合后还跟着文字，是会合并多行的多余引号；${a.rejected ? '该行已拒收' : '该行已跳过'}，从第 ${Number(a.line) + 1} 行继续读取 —— 请删除该引号或写成两个（""）`,
  'header-only': (a) => `文件有表头（第 ${a.line} 行）但没有数据行`,
  'empty-rows': (a) => (Number(a.n) === 1 ? '空行（所有字段为空），不是记录；已跳过' : `第 ${a.first}–${a.last} 行共 ${a.n} 个空行（所有字段为空），不是记录；已跳过`),
  'text-after-quote': (a) =>
    `该字段的右引号后还有文字，引号没有括住整个值；读作 ${JSON.stringify(String(a.read))}${a.also ? `（第 ${a.also} 列同样如此）` : ''} —— 带引号字段中的引号须写成两个（""），或去掉字段的引号`,
  'space-after-quote': (a) => `该字段的右引号后有空格；空格作为值的一部分保留${a.also ? `（第 ${a.also} 列同样如此）` : ''} —— 请删除这些空格，或把它们放进引号内`,

  // Headers and tables.
  'unknown-table': (a) => `${a.from === '--table' ? '--table' : '映射文件'}指定了未知的表“${a.table}”；可用的表：${a.tables}`,
  'no-header-line': (a) =>
    `${a.from} 指定第 ${a.line} 行为表头，但没有哪一行从该行开始（${a.sheet ? '该工作表' : '该文件'}用于查找表头的行在第 ${a.first ? `${a.first}–${a.last}` : '（无）'} 行）；请给出表头所在的行号`,
  'unrecognised-file': (a) =>
    (a.forcedHeader
      ? `第 ${a.line} 行的表头不符合任何已知的表`
      : `${a.sheet ? '该工作表' : '该文件'}中没有哪一行是已知表的表头（查找了第 ${a.span || '—'} 行，共 ${a.searched} 行）`) +
    (a.closest ? `；最接近的是 ${a.closest}（第 ${a.line} 行），但缺少 ${a.missing}` : '；没有哪张表与其关键列相符') +
    ` —— 请改表头名称、提供 --mapping 映射文件、用 --table 表名=${a.file} 指定表` +
    (a.forcedHeader ? '' : `，或用 --header-line ${a.file}=行号 指定表头行`) +
    (a.readAs !== undefined ? `；按${delimiter(a.readAs)}分隔读取${a.even ? '' : '（没有哪种分隔符能把各行分得一样多）'} —— 若用的是别的分隔符，请用 --delimiter 指定` : ''),
  'no-columns': (a) => `第 ${a.line} 行没有任何表头是表 ${a.table} 的列；请检查 --table 或映射文件是否指定了正确的表，或用 --mapping 补充表头别名`,
  'duplicate-header': (a) => `第 ${a.index} 列（“${a.source}”）与前面的一列同样映射到 ${a.column}；只加载前一列 —— 请改名或删除其中一列`,
  'delimiter-mismatch': (a) =>
    `${a.from === '--delimiter' ? '--delimiter' : String(a.from)} 说字段以${delimiter(a.told)}分隔，但文件看起来是以${delimiter(a.looks)}分隔（按后者表头可映射 ${a.mapped} 列，按指定的只有 ${a.asTold} 列）；已按指定读取 —— 请检查分隔符`,
  'different-audits.region': (a) =>
    `${a.table} 由 ${a.files} 个文件读入；本文件 ${a.share}% 的身份证号以地区码 ${a.code} 开头，而 ${a.first} 有 ${a.firstShare}% 以 ${a.firstCode} 开头：看起来是不同的审计对象 —— 请分开审计；若本属同一批，可忽略此提示`,
  'different-audits.months': (a) =>
    `${a.table} 由 ${a.files} 个文件读入；本文件覆盖 ${a.from} – ${a.to}，而 ${a.first} 覆盖 ${a.firstFrom} – ${a.firstTo}，中间相隔 ${a.gap} 个月：看起来是不同的审计对象 —— 请分开审计；若本属同一批，可忽略此提示`,

  'calendar-years': (a) =>
    `节假日日历覆盖 ${a.first}–${a.last} 年，但没有 ${a.years} 年的节假日安排，而 ${a.table} 的数据到了 ${a.to}：这些年份的工作日按周一至周五计算，不含法定节假日和调休上班 —— 请用 --table calendar=文件 补充这些年份的安排（见 reference/README.md）`,

  // Two-sided and signed bank amounts.
  'both-sides': () => '借贷两方都有金额，无法判断金额和方向；金额与方向留空 —— 请在源文件中拆成每方一行',
  'no-side': () => '借贷两方都没有金额（空白或为零）；金额与方向留空 —— 请检查这是否是余额行或标题行，而非交易',
  'negative-side': (a) => `${a.side === 'out' ? '支出（借方/支出）' : '收入（贷方/收入）'}一方为负数，方向相反：读作${a.side === 'out' ? '收入' : '支出'} ${a.amount} —— 请核实是否为冲正`,
  'direction-from-sign': (a) => `收支方向为空；按符号读作支出 ${a.amount} —— 请在源文件中补填方向`,
  'negative-amount': (a) =>
    a.direction === 'in' ? `方向为“收入”的负数金额读作支出 ${a.amount}（冲正）—— 请核实该行` : `方向为“${a.direction}”的负数金额读作 ${a.amount}；方向按原样保留`,

  // Files.
  'empty-file': () => '文件为空（没有任何行，连表头也没有）；请重新导出',
  'empty-file.workbook': () => '工作簿的所有工作表都没有行；请重新导出',
  'unreadable-file': (a) => `文件无法读取（${a.error}）；请检查文件权限`,
  encoding: (a) => `有些字节不是有效的 ${a.forced} 编码，已替换为 U+FFFD，第一处在第 ${a.line} 行；请检查编码（--encoding）`,
  'bad-encoding.bom': (a) => `文件以 UTF-8 字节顺序标记开头，但不是有效的 UTF-8（第一个坏字节在偏移 ${a.offset}）；请重新导出，或用 --encoding ${a.file}=gbk 指定编码`,
  'bad-encoding.forced': (a) => `文件无法按 ${a.forced} 解码`,
  'unknown-encoding.latin1': (a) =>
    `文件既不是 UTF-8 也不是 GBK：第 ${a.line} 行的字节 0x${a.byte}（在“${a.near}”附近）像是 Latin-1/Windows-1252 文本；请从导出它的程序另存为 CSV（UTF-8 或 GBK），若确为 Latin-1，请用 --encoding ${a.file}=latin1 运行`,
  'unknown-encoding.forced': (a) => `未知编码“${a.forced}”；可用：${a.choices}`,
  'utf16.bom': (a) => `文件是 UTF-16 编码（${a.endian === 'le' ? '小端' : '大端'}，带字节顺序标记）；请另存为 UTF-8 或 GBK，或用 --encoding ${a.file}=utf-16${a.endian} 运行`,
  'utf16.no-bom': (a) => `文件看起来是 UTF-16 编码（${a.endian === 'le' ? '小端' : '大端'}，无字节顺序标记）：每隔一个字节为 0；请另存为 UTF-8 或 GBK，或用 --encoding ${a.file}=utf-16${a.endian} 运行`,
  'binary-file.zip': () => '文件是 Excel 工作簿（.xlsx）或其他 ZIP 压缩包，不是 CSV；请在 Excel 中打开并另存为“CSV UTF-8”或“CSV”',
  'binary-file.xls': () => '文件是旧版 Excel 工作簿（.xls），不是 CSV；请在 Excel 中打开并另存为“CSV UTF-8”或“CSV”',
  'binary-file.pdf': () => '文件是 PDF，不是 CSV；请从业务系统导出 CSV 数据',
  'binary-file': (a) => `文件看起来是二进制而非文本（前 ${a.n} 字节中有 ${a.control} 个控制字节）；请导出 CSV 数据`,
  'unsupported-file.encrypted': () => '工作簿有密码保护（已加密），fundaudit 不读取加密工作簿；请在 Excel 中打开，取消密码（文件 › 信息 › 保护工作簿），保存后重新运行',
  'unsupported-file.xls': () => `文件是 Excel 97–2003 工作簿（.xls）或其他 OLE 文档，fundaudit 不读取（没有能安全处理恶意文件的旧格式读取库）；${WORKBOOK_RESAVE}`,
  'unsupported-file.pdf': () => '文件是 PDF，不是数据导出；请从业务系统导出 CSV 或 .xlsx',
  'unsupported-file.rar': () => '文件是 RAR 压缩包；请解压后把 fundaudit 指向其中的文件',
  'unsupported-file.7z': () => '文件是 7-Zip 压缩包；请解压后把 fundaudit 指向其中的文件',
  'unsupported-file.gzip': () => '文件是 gzip 压缩文件；请解压后把 fundaudit 指向其中的文件',
  'unsupported-file.tar': () => '文件是 tar 归档；请解压后把 fundaudit 指向其中的文件',
  'unsupported-file.xlsb': () => `文件是 Excel 二进制工作簿（.xlsb），fundaudit 不读取；${WORKBOOK_RESAVE}`,
  'unsupported-file.ods': () => `文件是 OpenDocument 电子表格（.ods），fundaudit 不读取；${WORKBOOK_RESAVE}`,
  'unsupported-file.numbers': () => '文件是 Apple Numbers 文稿，fundaudit 不读取；请导出为 .xlsx 或 CSV',
  'unsupported-file.archive': () => '文件是 ZIP 压缩包而不是工作簿；请解压后把 fundaudit 指向其中的文件',
  'unsupported-file.docx': () => '文件是 Word 或 PowerPoint 文档，不是数据导出；请导出 CSV 或 .xlsx 数据',

  // Workbooks.
  'hidden-sheet': () => '该工作表在工作簿中是隐藏的；其中的行照常加载 —— 请查明为何隐藏',
  'outside-header': (a) => `有 ${a.count} 个值位于没有表头的列中（第一个在 ${a.cell}：${JSON.stringify(String(a.text))}）；未加载 —— 请给该列加上表头，或删除这些值`,
  'merged-cells': (a) => `数据行中有 ${a.count} 个合并单元格区域（第一个是 ${a.ref}）：合并区域只有左上角单元格有值，其余读作空白 —— 请在工作簿中取消合并并填满每个单元格`,
  'bad-workbook': (a) => `工作簿已损坏或无法安全读取（技术细节：${a.detail}）；请用 Excel 或 WPS 重新保存，或重新导出`,
  'zip-bomb': (a) => `工作簿解压后过大或与其声明的大小不符，可能是“压缩炸弹”，已拒绝读取（技术细节：${a.detail}）；请拆分工作簿或导出 CSV`,
  'encrypted-workbook': () => '工作簿已加密；请在 Excel 中取消密码后重新保存',
};

/**
 * A data issue as a report shows it: its reason in the report's language, and
 * without its message values, which may quote raw data (masking works on the
 * rendered reason, as on any other).
 */
export function reportIssue(i: DataIssue, lang: Lang): DataIssue {
  const { msg: _msg, ...rest } = i;
  return { ...rest, reason: issueText(i, lang) };
}

/** The key a data issue's message has: its `msg.key`, else its code. */
export function issueKey(issue: Pick<DataIssue, 'code' | 'msg'>): string {
  return issue.msg?.key ?? issue.code;
}

/**
 * A data issue's reason in a language: English as the loader wrote it;
 * Chinese from its message key and values (the English when a message has no
 * Chinese yet, which the test of this file does not allow).
 */
export function issueText(issue: DataIssue, lang: Lang): string {
  if (lang === 'en') return issue.reason;
  const key = issueKey(issue);
  if (!Object.hasOwn(ZH, key)) return issue.reason;
  const text = ZH[key];
  // A message that shows values needs them: an issue made without them keeps the English it has.
  if (text.length > 0 && issue.msg?.args === undefined) return issue.reason;
  return text(issue.msg?.args ?? {});
}
