/**
 * The test side of the agent scenarios (see scenario.ts): the OAuth demo servers, a child process per scenario
 * (under Node 22 where a framework requires it, as scripts/conformance.mjs runs the conformance runner) and the
 * assertions every framework shares.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DemoServers, startDemoServers } from '../../../../demo/servers.ts';
import type { ScenarioReport } from './scenario.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SCRIPTED_BROWSER = join(ROOT, 'test/fixtures/scripted-browser.mjs');
const AI_MAJOR_HOOK = fileURLToPath(new URL('./ai-major.mjs', import.meta.url));

/**
 * A Node 22 binary: the one conformance/package.json installs (the `node` package), installed on first use. The
 * project's own Node stays 20; frameworks whose `engines` require 22 run their scenario under this one.
 */
export function node22(): string {
  const dir = join(ROOT, 'conformance');
  const bin = join(dir, 'node_modules', '.bin', 'node');
  if (!existsSync(bin)) {
    const install = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'ignore' });
    if (install.status !== 0) throw new Error('npm ci in conformance/ failed: it installs the Node 22 of these tests');
  }
  return bin;
}

/** The demo's authorization server (auto-approve) and protected MCP server, and a token store for the children. */
export interface ScenarioServers {
  demo: DemoServers;
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export async function startScenarioServers(): Promise<ScenarioServers> {
  const demo = await startDemoServers({ mode: 'auto-approve' });
  const home = mkdtempSync(join(tmpdir(), 'mcptool-adapters-'));
  return {
    demo,
    env: { MCP_OAUTH_URL: demo.mcp.url, MCPTOOL_HOME: home, BROWSER: SCRIPTED_BROWSER, CI: '' },
    async close() {
      await demo.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * Run `test/integration/adapters/scenarios/<name>.ts` in a child process (`node` 20, or 22 with `node22`; with
 * `aiMajor`, `ai` resolves to that aliased major) and return its report. Killed after 240 s, a bound only a real
 * hang reaches.
 */
export async function runScenarioChild(
  name: string,
  options: { env: NodeJS.ProcessEnv; node22?: boolean; aiMajor?: number },
): Promise<ScenarioReport> {
  const execPath = options.node22 ? node22() : process.execPath;
  const script = join(ROOT, 'test/integration/adapters/scenarios', `${name}.ts`);
  const args = ['--import', 'tsx', ...(options.aiMajor ? ['--import', AI_MAJOR_HOOK] : []), script];
  const env = { ...process.env, ...options.env, ...(options.aiMajor && { AI_MAJOR: String(options.aiMajor) }) };
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        err += d;
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
      child.on('error', reject);
      child.on('close', (exit) => {
        clearTimeout(timer);
        resolve({ code: exit, stdout: out, stderr: err });
      });
    },
  );
  const line = stdout.split('\n').find((l) => l.startsWith('SCENARIO '));
  assert.ok(code === 0 && line, `scenario ${name} exited ${code}\n${stdout}\n${stderr}`);
  return JSON.parse(line.slice('SCENARIO '.length)) as ScenarioReport;
}

/** What every framework's model must have received (see scenario.ts for the calls). */
export function assertReceived(report: ScenarioReport): void {
  const show = (x: unknown) => JSON.stringify(x, null, 1);
  const [echo, failed, image] = report.everything;
  assert.equal(report.everything.length, 3, show(report));
  assert.ok(echo && !echo.isError && echo.text === 'Echo: hello from the agent', show(echo));
  assert.ok(failed?.isError && /fetch failed/.test(failed.text), `isError in the error form: ${show(failed)}`);
  assert.ok(image && !image.isError && image.images.includes('image/png'), `image as a media part: ${show(image)}`);
  assert.equal(report.demo.length, 1, show(report));
  assert.ok(report.demo[0] && !report.demo[0].isError && report.demo[0].text === 'hello over OAuth', show(report.demo));
  assert.equal(report.abortReachedInvoke, true, "the framework's abort signal reaches invoke");
}
