// The README test's reader (test/readme/readme-blocks.ts): markers, output blocks, and the output
// matcher — so that a README block showing output that does not come fails.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { firstMissingLine, parseReadmeBlocks } from './readme-blocks.ts';

const FENCE = '```';

describe('parseReadmeBlocks', () => {
  test('every sh block runs unless marked; markers and output blocks attach to the block they precede/follow', () => {
    const md = [
      '# Title',
      `${FENCE}sh`,
      'echo one',
      FENCE,
      '',
      `${FENCE}text`,
      'one',
      FENCE,
      '## Section',
      '<!-- readme-test: skip — needs a thing this machine lacks -->',
      `${FENCE}sh`,
      'needs-thing',
      FENCE,
      '<!-- readme-test: service -->',
      '',
      `${FENCE}sh`,
      'npm start',
      FENCE,
      '<!-- readme-test: exit 3 -->',
      `${FENCE}sh`,
      'exit 3',
      FENCE,
      'Some prose between.',
      `${FENCE}text`,
      'not an output block: prose came between',
      FENCE,
      `${FENCE}js`,
      'console.log("not run")',
      FENCE,
    ].join('\n');
    const blocks = parseReadmeBlocks(md);
    assert.deepEqual(
      blocks.map((b) => [b.line, b.heading, b.mode, b.expectedExit, b.code]),
      [
        [2, 'Title', 'run', 0, 'echo one'],
        [11, 'Section', 'skip', 0, 'needs-thing'],
        [16, 'Section', 'service', 0, 'npm start'],
        [20, 'Section', 'run', 3, 'exit 3'],
      ],
    );
    assert.deepEqual(blocks[0]?.expectedOutput, ['one']);
    assert.equal(blocks[1]?.skipReason, 'needs a thing this machine lacks');
    assert.equal(blocks[3]?.expectedOutput, undefined);
  });

  test('a skip without a reason, an unknown marker and an unclosed block are errors', () => {
    assert.throws(() => parseReadmeBlocks(`<!-- readme-test: skip -->\n${FENCE}sh\nx\n${FENCE}`), /reason/);
    assert.throws(
      () => parseReadmeBlocks(`<!-- readme-test: sometimes -->\n${FENCE}sh\nx\n${FENCE}`),
      /unknown/,
    );
    assert.throws(() => parseReadmeBlocks(`${FENCE}sh\nx\n`), /never closed/);
  });
});

describe('firstMissingLine', () => {
  const output =
    '{"api_id":"5d1e","message":"created","auth_id":"SA123"}{"code":"in_use"}\n204\nSuccessful call | 1\n';

  test('every line must appear, in order; … is any text within a line', () => {
    assert.equal(
      firstMissingLine(output, ['{"api_id":"…","message":"created"', '"code":"in_use"', '204']),
      undefined,
    );
    assert.equal(firstMissingLine(output, ['"auth_id":"SA…"', 'Successful call | 1']), undefined);
  });

  test('a missing line, a line out of order, or a literal that differs is reported', () => {
    assert.equal(firstMissingLine(output, ['"code":"not_found"']), '"code":"not_found"');
    assert.equal(firstMissingLine(output, ['204', '"code":"in_use"']), '"code":"in_use"');
    assert.equal(firstMissingLine(output, ['Successful call | 0']), 'Successful call | 0');
  });

  test('… does not reach across lines, and regex characters are literal', () => {
    assert.equal(firstMissingLine(output, ['in_use…204']), 'in_use…204');
    assert.equal(firstMissingLine('a.c\n', ['a.c']), undefined);
    assert.equal(firstMissingLine('abc\n', ['a.c']), 'a.c');
  });
});
