// digest_algorithms: which digest challenges the SIP edge offers, most preferred first; none ticked
// means the deployment's default (TRUNKGATE_DIGEST_ALGORITHMS).
import { useId } from 'preact/hooks';
import { DIGEST_ALGORITHMS } from './resource-options.ts';

export function DigestAlgorithmsField({
  value,
  onChange,
  error,
}: {
  value: readonly string[];
  onChange: (v: string[]) => void;
  error?: string | undefined;
}) {
  const id = useId();
  return (
    <fieldset class={`field${error !== undefined ? ' has-error' : ''}`} aria-describedby={`${id}-hint`}>
      <legend>Digest algorithms</legend>
      {DIGEST_ALGORITHMS.map((a) => (
        <label key={a} class="inline">
          <input
            type="checkbox"
            name="digest_algorithms"
            value={a}
            checked={value.includes(a)}
            onChange={(e) => {
              const on = (e.currentTarget as HTMLInputElement).checked;
              // Kept in the edge's order of preference.
              onChange(DIGEST_ALGORITHMS.filter((x) => (x === a ? on : value.includes(x))));
            }}
          />{' '}
          {a}
        </label>
      ))}
      <div class="hint" id={`${id}-hint`}>
        None ticked: the deployment's default
      </div>
      {error !== undefined && (
        <div class="field-error" role="alert">
          {error}
        </div>
      )}
    </fieldset>
  );
}
