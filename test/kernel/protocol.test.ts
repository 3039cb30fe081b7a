// The kernel against real Jupyter clients nobody here wrote: Jupyter's own conformance suite
// (jupyter_kernel_test), jupyter_client interrupts during a live search, `jupyter console` and
// papermill. Each runs the kernel of this checkout through its kernel spec (JUPYTER_PATH).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { tempDir } from "../helpers/fixtures.js";

const root = resolve(import.meta.dirname, "..", "..", "..");
const bin = (name: string) => join(root, ".venv", "bin", name);
const python = existsSync(bin("python")) ? bin("python") : "/usr/bin/python3";
const env = { ...process.env, JUPYTER_PATH: join(root, "kernel", "jupyter") };

test("jupyter_kernel_test: every protocol check the suite has passes (the pager payload aside)", () => {
  const r = spawnSync(python, [join(root, "test", "kernel", "conformance.py")], { env, encoding: "utf8" });
  const report = r.stderr.split("\n").filter((l) => / \.\.\. |^Ran |^OK|^FAILED|Error|assert/.test(l));
  assert.equal(r.status, 0, report.join("\n"));
  assert.match(r.stderr, /^Ran 12 tests/m);
  assert.match(r.stderr, /^OK \(skipped=1\)$/m, report.join("\n"));
  assert.match(r.stderr, /test_pager .* skipped/);
});

interface CellRun {
  readonly status?: string;
  readonly text: string;
  readonly errors?: string[];
  readonly dead?: boolean;
}

for (const workers of [2, 0]) {
  test(`an interrupt during a live search (workers: ${workers}) stops it, keeps the kernel and its variables, and the same cell resumes`, () => {
    const { dir, cleanup } = tempDir("fh-interrupt-");
    try {
      const r = spawnSync(python, [join(root, "test", "kernel", "interrupt.py"), String(workers), join(dir, "study")], {
        env,
        encoding: "utf8",
        timeout: 400_000,
      });
      assert.equal(r.status, 0, r.stderr.slice(-3000));
      const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, CellRun | boolean>;
      const first = out.first as CellRun;
      assert.ok(!first.dead, `the kernel died: ${first.text.slice(-2000)}`);
      assert.equal(out.alive, true);
      assert.equal(first.status, "ok", first.text);
      assert.match(first.text, /interrupt: stopping at the next epoch boundary/);
      assert.match(first.text, /study "intr" stopped by the interrupt: .*run the same call again to resume/);
      const [, done1, , , left1] = /result (\d+) (\d+) (\d+) (\d+)/.exec(first.text)!.map(Number);
      assert.ok(done1! < 6 && left1! >= 1, first.text);
      // Variables survive; the epochs reported so far are exactly the epochs stored.
      const [, kept, events1, stored1] = /after (\w+) (\d+) (\d+)/.exec((out.after_first as CellRun).text)!;
      assert.equal(kept, "kept");
      assert.equal(Number(events1), Number(stored1));
      const second = out.second as CellRun;
      assert.equal(second.status, "ok", second.text);
      assert.match(second.text, /result (\d+) 0 0 0/);
      assert.equal(Number(/result (\d+)/.exec(second.text)![1]), 6);
      // Resumed, not retrained: every epoch was reported once over both runs, and all are stored.
      const [, , events2, stored2] = /after (\w+) (\d+) (\d+)/.exec((out.after_second as CellRun).text)!;
      assert.equal(Number(stored2), 6 * 4);
      assert.equal(Number(events2), Number(stored2));
    } finally {
      cleanup();
    }
  });
}

test("jupyter console runs a session with an error in it: the next cells run, Out[n] shows the last value", () => {
  const r = spawnSync(bin("jupyter"), ["console", "--kernel=feature-histories", "--simple-prompt"], {
    env,
    encoding: "utf8",
    input: 'console.log("one")\nthrow new Error("boom")\nconsole.log("two")\n6 * 7\n',
    timeout: 120_000,
  });
  const out = r.stdout + r.stderr;
  assert.doesNotMatch(out, /KeyError|Traceback \(most recent call last\)/, out);
  assert.match(out, /In \[1\]: one/);
  assert.match(out, /Error: boom/);
  assert.match(out, /In \[3\]: two/);
  assert.match(out, /Out\[4\]: 42/);
});

test("papermill injects typed TypeScript parameters and the executed notebook has execution counts", () => {
  const { dir, cleanup } = tempDir("fh-papermill-");
  try {
    const cell = (source: string, tags: string[] = []) => ({
      cell_type: "code",
      metadata: { tags },
      source,
      outputs: [],
      execution_count: null,
    });
    const input = join(dir, "in.ipynb");
    writeFileSync(
      input,
      JSON.stringify({
        cells: [
          cell('const budget: number = 4; // epochs\nconst label = "a";', ["parameters"]),
          cell("console.log(`budget ${budget * 2} ${label}`)"),
          cell("budget + 1"),
        ],
        metadata: { kernelspec: { name: "feature-histories", display_name: "TS", language: "typescript" } },
        nbformat: 4,
        nbformat_minor: 5,
      }),
    );
    const output = join(dir, "out.ipynb");
    const r = spawnSync(bin("papermill"), [input, output, "-p", "budget", "8", "-p", "label", 'say "hi"'], {
      env,
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr.slice(-3000));
    const nb = JSON.parse(readFileSync(output, "utf8")) as {
      cells: { source: string | string[]; execution_count: number | null; outputs: Record<string, unknown>[] }[];
    };
    const src = (c: (typeof nb.cells)[number]) => (Array.isArray(c.source) ? c.source.join("") : c.source);
    assert.equal(src(nb.cells[1]!), '// Parameters\nconst budget = 8;\nconst label = "say \\"hi\\"";\n');
    assert.deepEqual(
      nb.cells.map((c) => c.execution_count),
      [1, 2, 3, 4],
    );
    assert.match(JSON.stringify(nb.cells[2]!.outputs), /budget 16 say \\"hi\\"/);
    assert.match(JSON.stringify(nb.cells[3]!.outputs), /"text\/plain":\["?9"?\]|"text\/plain":"9"/);
    const help = spawnSync(bin("papermill"), ["--help-notebook", input], { env, encoding: "utf8" });
    assert.match(help.stdout, /budget: number \(default 4\) +epochs/);
  } finally {
    cleanup();
  }
});
