import type { Delivery, EchoAccount } from './commands-echoes.ts';

const echoRule = `Counting rule. Every Jira change in this run is a command's: nobody else writes to the simulator, and the
consent's backfill is over before the first command. For each applied command the change its write made is known
exactly: a comment by its issue and the \`commentId\` in the result's \`jira\` (CRM notes carry it as \`id\`,
annotations as \`custom_details.comment_id\`; comment ids are per site), an edit or transition by its issue and the
resulting \`updated\` in the result's \`jira\` (an event's \`ce_time\` is the version it shows), a create by its new
issue. A transition to the status the issue already had changes nothing and is left out.

- **Echoes expected**: one per applied command whose system is a connector's (\`crm.*\` from the CRM, \`monitoring.*\`
  from the pager, \`jira.*\` naming \`connector\`). The CRM connector emits for every change, so for each such command
  either the sender would otherwise have received the change (sender CRM) or the other topic shows it (sender pager).
- **Leaked**: commands whose change appeared on the sender's own topic. A comment also moves its issue's \`updated\`
  (a second change, at the comment's version, learnt from the comment's event on either topic); that change on the
  sender's topic counts as a **leaked side effect**.
- **Suppressed**: the relay's \`jira_relay_echoes_suppressed_total{connector}\` over the run. It counts changes, not
  commands, and counts a change before the connector's mapping runs (an edit sent by the pager counts though the
  monitoring connector would emit nothing for it), so it should equal one per command plus one per comment, less
  changes a later version overtook before they were processed.
- **Other topic**: the change should be there with \`ce_origin\` = the command's \`ce_source\`. "Not emitted by design":
  the monitoring connector on edits, transitions within a status category and issue side effects (it emits on
  lifecycle or severity changes, comments and new issues only). "Overtaken": not there, but a version of the issue
  up to 10 s newer is (the pipeline publishes the newest it has).`;

const origins = (o: Readonly<Record<string, number>>) =>
  Object.entries(o)
    .map(([origin, n]) => `${origin} ${n}`)
    .join(', ') || '-';

const cells = (d: Delivery) =>
  `${d.withOrigin} | ${d.otherOrigin} | ${d.superseded} | ${d.missing} | ${d.notEmitted}`;

/** The echo section: the rule, the per-sender counts and the other topics' view. */
export function echoSection(e: EchoAccount, commands: number): string[] {
  const senders = (['crm', 'monitoring'] as const).map((name) => [name, e.bySender[name]] as const);
  const total = (pick: (s: (typeof senders)[number][1]) => number) =>
    senders.reduce((n, [, s]) => n + pick(s), 0);
  return [
    echoRule,
    '',
    `Over every command of the run (${commands}: warm-up, points batches and every step):`,
    '',
    '| sender | echoes expected (commands) | echoes leaked | side effects leaked | `ce_origin` of the leaked events | suppressed (relay counter, changes) | changes the counter should show |',
    '|---|---|---|---|---|---|---|',
    ...senders.map(
      ([name, s]) =>
        `| ${name} | ${s.expected} | **${s.leaked}** | **${s.leakedSideEffects}** | ${origins(s.leakOrigins)} | ${s.relaySuppressed} | ${s.expectedChanges} |`,
    ),
    `| all | ${total((s) => s.expected)} | **${total((s) => s.leaked)}** | **${total((s) => s.leakedSideEffects)}** | | ${total((s) => s.relaySuppressed)} | ${total((s) => s.expectedChanges)} |`,
    '',
    "The same changes on the other connector's topic:",
    '',
    '| sender → topic | change | with `ce_origin` = sender | with another or no `ce_origin` | overtaken | missing | not emitted by design |',
    '|---|---|---|---|---|---|---|',
    ...senders.flatMap(([name, s]) => {
      const other = name === 'crm' ? 'monitoring' : 'crm';
      return [
        `| ${name} → ${other} | the command's | ${cells(s.toOther)} |`,
        `| ${name} → ${other} | a comment's issue side effect | ${cells(s.sideEffectToOther)} |`,
      ];
    }),
    `| ops console (no connector; ${e.connectorless.commands}) → crm | the command's | ${cells(e.connectorless.crm)} |`,
    `| ops console → monitoring | the command's | ${cells(e.connectorless.monitoring)} |`,
    '',
    `Leaks by the phase their command was sent in: ${origins(e.leaksByPhase)}.`,
    `Comment side effects (connector-sent comments): ${total((s) => s.sideEffects.all)}, of which ${total((s) => s.sideEffects.allNear)} ` +
      `came less than 5 s after another system's comment on the same issue; gone wrong (leaked, another \`ce_origin\` or ` +
      `missing on the other topic): ${total((s) => s.sideEffects.wrong)}, of which ${total((s) => s.sideEffects.wrongNear)} came that soon after another system's comment.`,
    '',
    `Events read during the load without \`ce_origin\`: CRM ${e.eventsWithoutOrigin.crm}, monitoring ${e.eventsWithoutOrigin.monitoring}. ` +
      `Events with their own system's \`ce_origin\`: CRM ${e.ownOriginEvents.crm}, monitoring ${e.ownOriginEvents.monitoring}.`,
    ...(e.samples.length > 0 ? ['', 'Examples:', '', ...e.samples.map((s) => `- ${s}`)] : []),
  ];
}
