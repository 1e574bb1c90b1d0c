// Copies a value to the clipboard and says so (for screen readers too, via a live region).
import { useState } from 'preact/hooks';

export function CopyButton({ value, label }: { value: string; label: string }) {
  const [done, setDone] = useState<'copied' | 'failed' | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setDone('copied');
    } catch {
      setDone('failed');
    }
  }
  return (
    <span class="copy">
      <button type="button" class="small" onClick={copy} aria-label={label}>
        Copy
      </button>
      <span class="copy-state" aria-live="polite">
        {done === 'copied' ? 'Copied' : done === 'failed' ? 'Copy failed: select the text instead' : ''}
      </span>
    </span>
  );
}
