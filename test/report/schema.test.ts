import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatJson } from '../../src/report/formatters/json.js';
import { SCHEMA_VERSION } from '../../src/report/model.js';
import { readBaseline } from '../../src/report/baseline.js';
import { validate } from './json-schema.js';
import { sampleResult } from './sample.js';

const schema = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../docs/report-schema.json'), 'utf8'));

describe('docs/report-schema.json', () => {
  it('documents the current schema version', () => {
    expect(schema.properties.schemaVersion.const).toBe(SCHEMA_VERSION);
  });

  it('describes the json format, masked and revealed', () => {
    expect(validate(schema, JSON.parse(formatJson(sampleResult({ reveal: false }))))).toEqual([]);
    expect(validate(schema, JSON.parse(formatJson(sampleResult())))).toEqual([]);
  });

  it('describes a report with a baseline', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fa-schema-')), 'prev.json');
    writeFileSync(file, formatJson(sampleResult()));
    expect(validate(schema, JSON.parse(formatJson(sampleResult({}, readBaseline(file)))))).toEqual([]);
  });

  it('catches a result that does not follow it', () => {
    const doc = JSON.parse(formatJson(sampleResult()));
    doc.findings[0].severity = 'urgent';
    delete doc.inputs.rows;
    doc.extra = 1;
    expect(validate(schema, doc).sort()).toEqual([
      '$.findings[0].severity: "urgent" not in enum',
      '$.inputs: missing rows',
      '$: unexpected key extra',
    ]);
  });
});
