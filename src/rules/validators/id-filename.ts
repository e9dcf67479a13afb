/** A rule lives at rules/<category>/<ID>.yaml: the file is named by its id, the folder by its category. */
import { basename, dirname, extname } from 'node:path';
import type { RuleFile } from './context.js';
import { isObject, report } from './context.js';

export function validateIdFilename(f: RuleFile): void {
  const rule = f.parsed.value;
  if (!isObject(rule)) return;
  const stem = basename(f.absolute, extname(f.absolute));
  const folder = basename(dirname(f.absolute));
  if (typeof rule.id === 'string' && rule.id !== stem) {
    report(f, ['id'], 'id-filename', `id \`${rule.id}\` does not match the file name \`${basename(f.absolute)}\``,
      `rename the file to ${rule.id}${extname(f.absolute)}, or set id: ${stem}`);
  }
  if (typeof rule.category === 'string' && rule.category !== folder) {
    report(f, ['category'], 'category-folder', `category \`${rule.category}\` does not match the folder \`${folder}\``,
      `move the file to ${rule.category}/${basename(f.absolute)}, or set category: ${folder}`);
  }
}
