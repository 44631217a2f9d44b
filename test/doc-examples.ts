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
  return runExamplesIn(readFileSync(docPath, 'utf8'), env);
}

/**
 * The examples of some `### ` sections of docs/api.md only, for tests whose set-up fits those
 * sections and not the others'. A heading that is missing is an error, not zero examples.
 */
export async function runApiDocSections(headings: string[], env: Record<string, string>): Promise<DocExample[]> {
  const doc = readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8');
  const section = (heading: string) => {
    const start = doc.indexOf(`\n### ${heading}\n`);
    if (start < 0) throw new Error(`docs/api.md has no ${heading} section`);
    const end = doc.slice(start + 1).search(/\n##+ /);
    return doc.slice(start, end < 0 ? undefined : start + 1 + end);
  };
  return runExamplesIn(headings.map(section).join('\n'), env);
}

async function runExamplesIn(doc: string, env: Record<string, string>): Promise<DocExample[]> {
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
