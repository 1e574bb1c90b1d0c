// Reads README.md's command blocks for test/readme/readme.test.ts.
//
// Conventions (README.md "How this README is tested" says the same for its writers):
// - every ```sh block runs, in order, as one reader's terminal session would run it;
// - an HTML comment on the line just before a block changes how it runs:
//   `<!-- readme-test: skip — REASON -->`   the block does not run (REASON is required);
//   `<!-- readme-test: service -->`         the block starts the service and keeps running: it runs
//                                          in the background until the next service block or the end;
//   `<!-- readme-test: exit N -->`          the block is expected to exit with status N (default 0);
// - a ```text block that directly follows a ```sh block is the output it shows: every line of it must
//   appear in the command's output, in order, where `…` stands for any text within a line.

export interface ReadmeBlock {
  /** 1-based line of the opening fence, for messages. */
  line: number;
  /** The nearest heading above the block. */
  heading: string;
  code: string;
  mode: 'run' | 'skip' | 'service';
  skipReason?: string;
  expectedExit: number;
  /** The lines of the ```text block shown as its output, if any. */
  expectedOutput?: string[];
}

const MARKER_RE = /^<!--\s*readme-test:\s*(.*?)\s*-->$/;

export function parseReadmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  let heading = '';
  let last: ReadmeBlock | undefined;
  let onlyBlankSinceLast = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heading_ = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading_) heading = heading_[1] ?? '';
    const fence = /^```(\S*)\s*$/.exec(line);
    if (!fence) {
      if (line.trim() !== '') onlyBlankSinceLast = false;
      continue;
    }
    const info = fence[1] ?? '';
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i++) body.push(lines[i] ?? '');
    if (i >= lines.length) throw new Error(`README.md:${start + 1}: a code block is never closed`);
    if (info === 'text' && last !== undefined && onlyBlankSinceLast) {
      last.expectedOutput = body.filter((l) => l.trim() !== '');
      last = undefined;
      onlyBlankSinceLast = false;
      continue;
    }
    last = undefined;
    onlyBlankSinceLast = false;
    if (info !== 'sh') continue;
    const block: ReadmeBlock = {
      line: start + 1,
      heading,
      code: body.join('\n'),
      mode: 'run',
      expectedExit: 0,
    };
    const before = previousNonBlank(lines, start);
    const marker = MARKER_RE.exec(before ?? '');
    if (marker) {
      const text = marker[1] ?? '';
      const skip = /^skip\s*(?:[—:-]\s*)?(.*)$/.exec(text);
      const exit = /^exit\s+(\d+)$/.exec(text);
      if (skip) {
        if ((skip[1] ?? '').trim() === '') {
          throw new Error(`README.md:${start + 1}: a readme-test skip marker must give its reason`);
        }
        block.mode = 'skip';
        block.skipReason = (skip[1] ?? '').trim();
      } else if (text === 'service') {
        block.mode = 'service';
      } else if (exit) {
        block.expectedExit = Number(exit[1]);
      } else {
        throw new Error(`README.md:${start + 1}: unknown readme-test marker "${text}"`);
      }
    }
    blocks.push(block);
    last = block;
    onlyBlankSinceLast = true;
  }
  return blocks;
}

function previousNonBlank(lines: string[], index: number): string | undefined {
  for (let j = index - 1; j >= 0; j--) {
    const l = lines[j] ?? '';
    if (l.trim() !== '') return l.trim();
  }
  return undefined;
}

/** `…` stands for any run of characters within one line; everything else is literal. */
function linePattern(expected: string): RegExp {
  const parts = expected
    .trim()
    .split('…')
    .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(parts.join('[^\\n]*?'));
}

/**
 * Whether every expected line appears in `output`, in order. Returns the first line that does not
 * (undefined when all do).
 */
export function firstMissingLine(output: string, expected: readonly string[]): string | undefined {
  let from = 0;
  for (const line of expected) {
    const re = linePattern(line);
    const m = re.exec(output.slice(from));
    if (m === null) return line;
    from += m.index + m[0].length;
  }
  return undefined;
}
