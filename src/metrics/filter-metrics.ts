import { Counter, type Registry } from 'prom-client';

/** Changes a connector's filter kept from it: what "nothing was published" most often means. */
export function filterFamilies(registers: Registry[]) {
  return {
    changesFiltered: new Counter({
      name: 'jira_relay_changes_filtered_total',
      help: 'Changes a connector’s filter dropped, by connector and reason (project, issue_type, label, issue_type_unknown, labels_unknown).',
      labelNames: ['connector', 'reason'] as const,
      registers,
    }),
  };
}
