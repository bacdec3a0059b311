import { isKafkajsNegativeTimeout } from '../../src/process-warnings.ts';

/**
 * Test processes drop the one warning the relay drops too (kafkajs 2.2.4's negative timeout on
 * Node 24, see src/process-warnings.ts), so it does not fill CI output once per test file. Every
 * other warning still reaches Node's own printer and any other listener.
 */
const listeners = process.listeners('warning');
process.removeAllListeners('warning');
process.on('warning', (warning: Error) => {
  if (isKafkajsNegativeTimeout(warning)) return;
  for (const listener of listeners) listener.call(process, warning);
});
