/**
 * `mcptool/openai-agents` in the OpenAI Agents SDK's real agent loop (`run` of an `Agent`) with a minimal
 * implementation of its `Model` interface, under Node 22: `@openai/agents` 0.20 depends on `openai` 7, whose
 * `engines` require Node 22.
 */
import { after, before, describe, it } from 'node:test';
import {
  assertReceived,
  runScenarioChild,
  type ScenarioServers,
  startScenarioServers,
} from './support/run-scenario.ts';

describe('OpenAI Agents SDK adapter in run()', () => {
  let servers: ScenarioServers;
  before(async () => {
    servers = await startScenarioServers();
  });
  after(() => servers?.close());

  it('the model receives text, Error: text and the image as an image item', async () => {
    assertReceived(await runScenarioChild('openai-agents', { env: servers.env, node22: true }));
  });
});
