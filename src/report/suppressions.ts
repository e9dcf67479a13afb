/**
 * Suppressions: findings an auditor has looked at and accepted, each with a
 * reason, an approver and an expiry date (docs/suppressions.md, schema in
 * docs/suppressions.schema.json). A suppressed finding is listed in its own
 * section, counts for no total and never fails a run; an entry past its
 * expiry no longer suppresses, and an entry that matches nothing is reported,
 * so that the file cannot silently rot.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { INPUT_CAPS, readInputFile } from '../data/files.js';
import { InputError } from '../errors.js';
import type { Finding } from '../engine/finding.js';
import type { Suppression } from './model.js';

export interface Suppressions {
  file: string;
  entries: Suppression[];
}

const KEYS = ['fingerprint', 'rule', 'entity', 'period', 'reason', 'approver', 'expires'] as const;
const FIX = 'see docs/suppressions.md: each entry has fingerprint (or rule and entity), reason, approver and expires: YYYY-MM-DD';

/**
 * Reads and checks a suppressions file. Throws InputError naming
 * file:line:col and the fix for unreadable files, YAML errors, unknown keys,
 * missing or malformed values.
 */
export function readSuppressions(file: string): Suppressions {
  // A regular file of bounded size: a pipe or a link to /dev/zero must not hang the run or fill memory.
  const text = readInputFile(file, 'suppressions file', INPUT_CAPS.suppressions).toString('utf8');
  const lines = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const pos = (node: Node | null | undefined) => (node?.range ? lines.linePos(node.range[0]) : { line: 1, col: 1 });
  const fail = (node: Node | null | undefined, message: string, fix = FIX): never => {
    const p = pos(node);
    throw new InputError(`${file}:${p.line}:${p.col}: ${message}`, fix, `${file}:${p.line}:${p.col}`);
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const p = lines.linePos(e.pos[0]);
    throw new InputError(`${file}:${p.line}:${p.col}: ${e.message.split('\n')[0]}`, 'fix the YAML syntax of the suppressions file', `${file}:${p.line}:${p.col}`);
  }
  const root = doc.contents as Node | null;
  if (root === null) return { file, entries: [] };
  if (!isMap(root)) return fail(root, 'a suppressions file is a map with one key, suppressions: [entries]');
  const entries: Suppression[] = [];
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (key !== 'suppressions') fail(pair.key as Node, `unknown key "${key}"; the file has one key, suppressions`);
    const list = pair.value as Node | null;
    if (list === null || (isScalar(list) && list.value === null)) continue;
    if (!isSeq(list)) return fail(list, 'suppressions must be a list of entries, each starting with "- "');
    for (const item of list.items as Node[]) entries.push(entry(item, pos, fail));
  }
  return { file, entries };
}

function entry(item: Node, pos: (n: Node) => { line: number }, fail: (n: Node | null | undefined, m: string, fix?: string) => never): Suppression {
  if (!isMap(item)) return fail(item, 'each suppression is a map of fingerprint (or rule and entity), reason, approver and expires');
  const out: Partial<Record<(typeof KEYS)[number], string>> = {};
  for (const pair of item.items) {
    const keyNode = pair.key as Node;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    if (!(KEYS as readonly string[]).includes(key)) fail(keyNode, `unknown key "${key}" in a suppression`, `use: ${KEYS.join(', ')}`);
    const v = pair.value as Node | null;
    // The text as written: an entity key 000123 must not become the number 123.
    const value = isScalar(v) && (typeof v.value === 'string' || typeof v.value === 'number') ? String(v.source ?? v.value).trim() : undefined;
    if (value === undefined || value === '') fail(v ?? keyNode, `${key} must be a text value`, 'write it on the same line, e.g. reason: 经核实为遗属待遇');
    out[key as (typeof KEYS)[number]] = value;
  }
  const line = pos(item).line;
  for (const need of ['reason', 'approver', 'expires'] as const) if (!out[need]) fail(item, `the suppression on line ${line} has no ${need}`);
  if (!out.fingerprint && !(out.rule && out.entity)) {
    fail(item, `the suppression on line ${line} names no finding`, 'give the fingerprint shown in the report, or rule: and entity: (and period: to narrow it)');
  }
  if (out.fingerprint && !/^[0-9a-f]{16}$/.test(out.fingerprint)) fail(item, `fingerprint "${out.fingerprint}" is not a finding's fingerprint (16 hex digits)`, 'copy it from the report (json: findings[].fingerprint)');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(out.expires!) || Number.isNaN(Date.parse(`${out.expires}T00:00:00Z`))) {
    fail(item, `expires "${out.expires}" is not a date`, 'write the last day it holds as YYYY-MM-DD, e.g. expires: 2025-12-31');
  }
  return { line, ...out, reason: out.reason!, approver: out.approver!, expires: out.expires! };
}

/** Whether an entry names this finding. */
export function matches(s: Suppression, f: Pick<Finding, 'fingerprint' | 'ruleId' | 'entity' | 'period'>): boolean {
  if (s.fingerprint !== undefined) return s.fingerprint === f.fingerprint;
  return s.rule === f.ruleId && s.entity === f.entity.key && (s.period === undefined || s.period === f.period);
}

/** Entries in force on `today` (YYYY-MM-DD, the report's local day) and those past their expiry. */
export function inForce(entries: readonly Suppression[], today: string): { active: Suppression[]; expired: Suppression[] } {
  return { active: entries.filter((s) => s.expires >= today), expired: entries.filter((s) => s.expires < today) };
}
