import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface DocExample {
  /** The shell block as written in the document. */
  script: string;
  expected: number;
  status: number;
  body: string;
}

/**
 * Runs every ```sh block of a surface document that contains `# expect: <status>`, in order,
 * with the given environment (P = base URL, TOKEN, ID, …), and returns what each answered.
 * Each block holds one curl call; its HTTP status is compared by the caller with `expected`.
 */
export async function runDocExamples(docPath: URL, env: Record<string, string>): Promise<DocExample[]> {
  const doc = readFileSync(docPath, 'utf8');
  const blocks = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => /#\s*expect:\s*\d{3}/.test(b));
  const results: DocExample[] = [];
  for (const script of blocks) {
    const expected = Number(/#\s*expect:\s*(\d{3})/.exec(script)![1]);
    const wrapped = `set -euo pipefail\ncurl() { command curl -sS -o "$BODY_FILE" -w '%{http_code}' "$@"; }\n${script}`;
    const bodyFile = `/tmp/patron-doc-example-${process.pid}-${results.length}`;
    const { stdout } = await run('bash', ['-c', wrapped], { env: { ...process.env, ...env, BODY_FILE: bodyFile } });
    let body = '';
    try {
      body = readFileSync(bodyFile, 'utf8');
    } catch {
      // no body written
    }
    results.push({ script, expected, status: Number(stdout.trim().slice(-3)), body });
  }
  return results;
}
