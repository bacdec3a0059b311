import { startSimulator } from './index.ts';
import { optionsFromEnv } from './options.ts';

/** `npm run sim`: the simulator alone, configured by SIM_* variables. */
const sim = await startSimulator(optionsFromEnv(process.env));
console.log(`Atlassian simulator listening on ${sim.url}`);
console.log(`client_id=${sim.clientId}`);
for (const site of sim.sites) console.log(`site ${site.name} cloudId=${site.cloudId} url=${site.url}`);
for (const user of sim.users)
  console.log(`user ${user.displayName} accountId=${user.accountId} timeZone=${user.timeZone}`);

const stop = async () => {
  await sim.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
