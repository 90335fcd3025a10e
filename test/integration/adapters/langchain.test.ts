/**
 * `mcptool/langchain` in LangChain's real agent loop (`createAgent` of `langchain` 1.x with `@langchain/core`
 * 1.x, Node 20) with `fakeModel()` of `@langchain/core/testing`.
 */
import { after, before, describe, it } from 'node:test';
import {
  assertReceived,
  runScenarioChild,
  type ScenarioServers,
  startScenarioServers,
} from './support/run-scenario.ts';

describe('LangChain adapter in createAgent', () => {
  let servers: ScenarioServers;
  before(async () => {
    servers = await startScenarioServers();
  });
  after(() => servers?.close());

  it('the model receives text, an error-status ToolMessage and the image as an image block', async () => {
    assertReceived(await runScenarioChild('langchain', { env: servers.env }));
  });
});
