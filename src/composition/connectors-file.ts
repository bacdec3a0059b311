import { readFile } from 'node:fs/promises';
import { defaultConnectorsConfig } from '../../connectors/config/default-connectors-config.ts';
import {
  type ConnectorsConfigResult,
  parseConnectorsConfig,
} from '../../connectors/config/parse-connectors-config.ts';

/**
 * Reads and checks the connectors file once at start-up. It lives here, not in connectors/, so the
 * connectors stay pure: the parser takes text, and only this reads the disk. Without a path
 * (CONNECTORS_CONFIG unset) it is the built-in default: both connectors, no filters, the standard
 * fields. The composition root calls it and stops the process when `ok` is false, printing each
 * problem (they already name the file and the path inside it).
 */
export async function loadConnectorsConfig(path: string | undefined): Promise<ConnectorsConfigResult> {
  if (path === undefined) return { ok: true, config: defaultConnectorsConfig() };
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    return {
      ok: false,
      problems: [
        `${path}: cannot be read (${code}); fix CONNECTORS_CONFIG, or unset it for the built-in default`,
      ],
    };
  }
  const result = parseConnectorsConfig(text);
  return result.ok ? result : { ok: false, problems: result.problems.map((p) => `${path}: ${p}`) };
}
