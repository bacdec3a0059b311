import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { SUBSET_FILE } from './extract.ts';

// ajv-formats is CommonJS: its default export arrives wrapped under Node's ESM interop.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
) => Ajv;

/** RFC 3339, or what Jira really sends for `format: date-time`: an offset without a colon (+0000). */
const JIRA_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Response validators from the official Jira OpenAPI document (the subset the simulator serves),
 * with a real JSON-schema validator. `nullable` is understood; unknown OpenAPI keywords
 * (xml, example, readOnly...) are ignored.
 */
export class OpenApiValidator {
  private readonly ajv: Ajv;
  private readonly doc: {
    paths: Record<
      string,
      Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>
    >;
  };
  private readonly cache = new Map<string, ValidateFunction | null>();

  constructor(file = SUBSET_FILE) {
    this.doc = JSON.parse(readFileSync(file, 'utf8'));
    this.ajv = new Ajv({ strict: false, allErrors: true, logger: false });
    addFormats(this.ajv);
    this.ajv.addFormat('date-time', JIRA_DATE_TIME);
    this.ajv.addSchema(this.doc as object, 'jira');
  }

  /** The validator of a response, or null when the document gives no JSON schema for it. */
  validator(method: string, path: string, status: number): ValidateFunction | null {
    const key = `${method} ${path} ${status}`;
    if (!this.cache.has(key)) {
      const response = this.doc.paths[path]?.[method]?.responses[String(status)];
      if (response === undefined)
        throw new Error(`the OpenAPI document has no ${status} for ${method.toUpperCase()} ${path}`);
      const schema = response.content?.['application/json']?.schema;
      const pointer = `jira#/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}/${method}/responses/${status}/content/application~1json/schema`;
      this.cache.set(key, schema === undefined ? null : this.ajv.compile({ $ref: pointer }));
    }
    return this.cache.get(key) ?? null;
  }

  /** Validation errors as readable lines (empty when valid or when there is no schema). */
  check(method: string, path: string, status: number, body: unknown): string[] {
    const validate = this.validator(method, path, status);
    if (!validate || validate(body)) return [];
    return (validate.errors ?? []).map(
      (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
    );
  }

  /** Validation errors of a body against one of the document's component schemas, e.g. ErrorCollection. */
  checkComponent(name: string, body: unknown): string[] {
    const key = `#/components/schemas/${name}`;
    if (!this.cache.has(key)) this.cache.set(key, this.ajv.compile({ $ref: `jira${key}` }));
    const validate = this.cache.get(key) as ValidateFunction;
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
    );
  }

  /** Whether the document defines that status for the operation. */
  hasStatus(method: string, path: string, status: number): boolean {
    return this.doc.paths[path]?.[method]?.responses[String(status)] !== undefined;
  }
}
