import type { AdfDoc } from '../model.ts';
import type { Random } from '../random.ts';

const subjects = [
  'Checkout',
  'Login page',
  'Invoice export',
  'Search',
  'Sync job',
  'Dashboard',
  'Webhook',
  'Report',
];
const problems = [
  'fails for some users',
  'is slow',
  'shows the wrong total',
  'times out',
  'needs a retry button',
];
const remarks = [
  'I can reproduce this on staging.',
  'Customer confirmed the fix works.',
  'Looks related to the last deploy.',
  'Assigning to the on-call engineer.',
  'Added logs, see the attached trace.',
];

export function adfParagraphs(...paragraphs: string[]): AdfDoc {
  return {
    type: 'doc',
    version: 1,
    content: paragraphs.map((text) => ({ type: 'paragraph', content: [{ type: 'text', text }] })),
  };
}

export function randomSummary(random: Random): string {
  return `${random.pick(subjects)} ${random.pick(problems)}`;
}

export function randomDescription(random: Random): AdfDoc {
  return adfParagraphs(`${random.pick(subjects)} ${random.pick(problems)}.`, random.pick(remarks));
}

export function randomRemark(random: Random): string {
  return random.pick(remarks);
}
