/**
 * `mcptool/mastra` in a Mastra `Agent`'s real loop (`generate`) with Mastra's own mock model, under Node 22: every
 * `@mastra/core` 1.x requires Node >= 22.13 in its `engines`.
 */
import { after, before, describe, it } from 'node:test';
import {
  assertReceived,
  runScenarioChild,
  type ScenarioServers,
  startScenarioServers,
} from './support/run-scenario.ts';

describe('Mastra adapter in Agent.generate', () => {
  let servers: ScenarioServers;
  before(async () => {
    servers = await startScenarioServers();
  });
  after(() => servers?.close());

  it('the model receives text, error-text and the image as a media part', async () => {
    assertReceived(await runScenarioChild('mastra', { env: servers.env, node22: true }));
  });
});
