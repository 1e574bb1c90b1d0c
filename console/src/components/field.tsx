// Form fields with a visible label and the API's error for that field right below it
// (aria-invalid + aria-describedby, so screen readers read the error with the field).
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';

interface Common {
  label: string;
  name: string;
  error?: string | undefined;
  hint?: string;
}

function Described({
  id,
  error,
  hint,
}: {
  id: string;
  error?: string | undefined;
  hint?: string | undefined;
}) {
  return (
    <>
      {hint !== undefined && (
        <div class="hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
      {error !== undefined && (
        <div class="field-error" id={`${id}-error`} role="alert" data-field={id}>
          {error}
        </div>
      )}
    </>
  );
}

function describedBy(id: string, error?: string, hint?: string): string | undefined {
  const ids = [hint !== undefined ? `${id}-hint` : '', error !== undefined ? `${id}-error` : ''].filter(
    Boolean,
  );
  return ids.length > 0 ? ids.join(' ') : undefined;
}

export interface TextFieldProps extends Common {
  value: string;
  onInput: (value: string) => void;
  type?: 'text' | 'password' | 'number' | 'datetime-local' | 'url';
  required?: boolean;
  placeholder?: string;
  autoComplete?: string;
  multiline?: boolean;
}

export function TextField(p: TextFieldProps) {
  const id = `f-${p.name}-${useId()}`;
  const shared = {
    id,
    name: p.name,
    value: p.value,
    required: p.required,
    placeholder: p.placeholder,
    'aria-invalid': p.error !== undefined ? ('true' as const) : undefined,
    'aria-describedby': describedBy(id, p.error, p.hint),
    onInput: (e: Event) => p.onInput((e.currentTarget as HTMLInputElement).value),
  };
  return (
    <div class={`field${p.error !== undefined ? ' has-error' : ''}`}>
      <label for={id}>{p.label}</label>
      {p.multiline ? (
        <textarea {...shared} rows={3} />
      ) : (
        <input
          {...shared}
          type={(p.type ?? 'text') as 'text'}
          autoComplete={p.autoComplete ?? 'off'}
          step={p.type === 'number' ? 'any' : undefined}
        />
      )}
      <Described id={id} error={p.error} hint={p.hint} />
    </div>
  );
}

export interface SelectFieldProps extends Common {
  value: string;
  onChange: (value: string) => void;
  options: readonly { value: string; label: string }[];
}

export function SelectField(p: SelectFieldProps) {
  const id = `f-${p.name}-${useId()}`;
  return (
    <div class={`field${p.error !== undefined ? ' has-error' : ''}`}>
      <label for={id}>{p.label}</label>
      <select
        id={id}
        name={p.name}
        value={p.value}
        aria-invalid={p.error !== undefined ? 'true' : undefined}
        aria-describedby={describedBy(id, p.error, p.hint)}
        onChange={(e) => p.onChange((e.currentTarget as HTMLSelectElement).value)}
      >
        {p.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <Described id={id} error={p.error} hint={p.hint} />
    </div>
  );
}

export function CheckboxField(p: Common & { checked: boolean; onChange: (checked: boolean) => void }) {
  const id = `f-${p.name}-${useId()}`;
  return (
    <div class={`field checkbox${p.error !== undefined ? ' has-error' : ''}`}>
      <input
        type="checkbox"
        id={id}
        name={p.name}
        checked={p.checked}
        aria-describedby={describedBy(id, p.error, p.hint)}
        onChange={(e) => p.onChange((e.currentTarget as HTMLInputElement).checked)}
      />
      <label for={id}>{p.label}</label>
      <Described id={id} error={p.error} hint={p.hint} />
    </div>
  );
}

/** An error that belongs to no single field: shown at the top of the form, as the API worded it. */
export function FormError({ message }: { message: string | null }) {
  if (message === null) return null;
  return (
    <div class="form-error" role="alert">
      {message}
    </div>
  );
}

export function FormActions({ children }: { children: ComponentChildren }) {
  return <div class="modal-actions">{children}</div>;
}
