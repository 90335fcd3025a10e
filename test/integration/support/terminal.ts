import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A shell word in single quotes. */
const sh = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/** A program started in a pseudo-terminal: what the terminal shows, a keyboard, and the exit code. */
export interface TerminalRun {
  screen(): string;
  type(text: string): void;
  readonly exit: Promise<number | null>;
}

/**
 * `node --import tsx <script> ...args` (a path relative to the repository root) in a pseudo-terminal made by
 * script(1), in the repository root. Killed after 180 s, a bound only a hang reaches.
 */
export function startInTerminal(script: string, args: string[], env: NodeJS.ProcessEnv): TerminalRun {
  const command = [process.execPath, '--import', 'tsx', script, ...args].map(sh).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  const collect = (d: string) => {
    screen += d;
  };
  child.stdout.setEncoding('utf8').on('data', collect);
  child.stderr.setEncoding('utf8').on('data', collect);
  const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
  const exit = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve(code);
    }),
  );
  return { screen: () => screen, type: (text: string) => child.stdin.write(text), exit };
}
