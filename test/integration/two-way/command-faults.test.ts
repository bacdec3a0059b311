import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunBroker, type OwnBroker, ownBroker } from '../kafka/own-broker.ts';
import { startTwoWayStack, type TwoWayStack } from './two-way-stack.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Issues of a site's project as Jira counts them. */
async function issuesIn(stack: TwoWayStack, project: string): Promise<number> {
  const res = await stack.jira('POST', '/search/jql', {
    jql: `project = ${project}`,
    maxResults: 5000,
    fields: ['id'],
  });
  return (res.json.issues as unknown[]).length;
}

describe.skipIf(!canRunBroker)(
  'commands through faults: lost answers, a killed worker, a broker restart',
  () => {
    let broker: OwnBroker;
    let stack: TwoWayStack;

    beforeAll(async () => {
      broker = await ownBroker('two-way');
      await broker.start();
      stack = await startTwoWayStack({ brokers: broker.brokers });
    }, 300_000);
    afterAll(async () => {
      await stack?.stop();
      await broker?.remove();
    }, 120_000);

    it('creates exactly one issue when the create’s answer is lost', async () => {
      const before = await issuesIn(stack, 'OPS');
      stack.sim.setFaults({ afterWrite: [{ method: 'POST', route: '/issue', mode: 'drop', times: 1 }] });
      const id = await stack.send({
        type: 'jira.issue.create',
        data: { project: 'OPS', issueType: 'Task', fields: { summary: 'Lost answer' } },
      });
      const [result] = await stack.results(id, 1, 60_000);
      expect(result?.data).toMatchObject({ status: 'applied', attempts: 2, jira: { created: false } });
      expect(await issuesIn(stack, 'OPS')).toBe(before + 1);
    }, 90_000);

    it('creates exactly one issue when the worker is SIGKILLed while Jira is answering', async () => {
      const before = await issuesIn(stack, 'OPS');
      stack.sim.setFaults({
        afterWrite: [{ method: 'POST', route: '/issue', mode: 'slow', delayMs: 4000, times: 1 }],
      });
      const id = await stack.send({
        type: 'jira.issue.create',
        data: { project: 'OPS', issueType: 'Task', fields: { summary: 'Killed mid-create' } },
      });
      // The issue exists in Jira before the relay hears back: kill the relay then.
      const deadline = Date.now() + 20_000;
      while ((await issuesIn(stack, 'OPS')) === before && Date.now() < deadline) await sleep(100);
      await stack.restartRelay('SIGKILL');
      const [result] = await stack.results(id, 1, 90_000);
      expect(result?.data).toMatchObject({ status: 'applied', jira: { created: false } });
      expect(await issuesIn(stack, 'OPS')).toBe(before + 1);
    }, 150_000);

    it('loses no command and applies none twice across a broker restart', async () => {
      const site = stack.site();
      const keys = Array.from(
        { length: 6 },
        (_, i) => stack.sim.createIssue(site.cloudId, { fields: { summary: `restart ${i}` } }).key,
      );
      const ids: string[] = [];
      const sendSome = async (n: number) => {
        for (let i = 0; i < n; i++) {
          const issue = keys[ids.length % keys.length] ?? '';
          ids.push(
            await stack.send({ type: 'jira.comment.create', data: { issue, body: `note ${ids.length}` } }),
          );
          await sleep(50);
        }
      };
      await sendSome(20);
      await broker.stop();
      await sleep(1000);
      await broker.start(false);
      await sendSome(20);
      for (const id of ids) {
        const results = await stack.results(id, 1, 120_000);
        expect(results.map((r) => r.data.status)).toContain('applied');
        // A result re-published after the restart carries the same ce_id: one distinct answer each.
        expect(new Set(results.map((r) => r.headers.ce_id)).size).toBe(1);
      }
      let comments = 0;
      for (const key of keys)
        comments += (await stack.jira('GET', `/issue/${key}/comment?maxResults=100`)).json.total;
      expect(comments).toBe(ids.length);
    }, 300_000);
  },
);
