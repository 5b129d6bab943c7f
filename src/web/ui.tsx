// The design system's components: server-rendered JSX over the classes of ./styles.ts. Plain
// HTML first; /static/app.js only adds copying, toast dismissal and a polyfill for the dialog
// invoker buttons. The API is documented in docs/ui.md. Knows no domain types.
import type { Child } from 'hono/jsx';
import { CSRF_FIELD } from './csrf.js';

type Attrs = Record<string, string | number | boolean | undefined>;
const cx = (...parts: (string | false | null | undefined)[]) => parts.filter(Boolean).join(' ');

export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={token} />;
}

// ---------------------------------------------------------------------------------------------
// Buttons

export type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'link';

/** A button, or a link styled as one when `href` is given (navigation is always a link). */
export function Button(props: {
  variant?: ButtonVariant;
  size?: 'sm' | 'md';
  href?: string;
  type?: 'submit' | 'button' | 'reset';
  name?: string;
  value?: string;
  disabled?: boolean;
  class?: string;
  /** Extra attributes (data-*, aria-*, form, formaction, commandfor, ...). */
  attrs?: Attrs;
  children?: Child;
}) {
  const variant = props.variant ?? 'primary';
  const cls = cx('btn', variant !== 'primary' && variant, props.size === 'sm' && 'sm', props.class);
  if (props.href !== undefined) {
    return (
      <a class={cls} href={props.href} {...(props.attrs ?? {})}>
        {props.children}
      </a>
    );
  }
  return (
    <button
      type={props.type ?? 'submit'}
      class={cls}
      name={props.name}
      value={props.value}
      disabled={props.disabled}
      {...(props.attrs ?? {})}
    >
      {props.children}
    </button>
  );
}

/** A one-button form that POSTs (with its CSRF token) — for actions, never links. */
export function PostButton(props: {
  action: string;
  token: string;
  label: string;
  variant?: 'primary' | 'secondary' | 'danger' | 'link';
  size?: 'sm' | 'md';
  fields?: Record<string, string>;
  /** Kept for API compatibility; use ConfirmDialog for a real confirmation step. */
  confirm?: string;
  /** An accessible name when the visible label is ambiguous ("Remove" → "Remove Ada"). */
  ariaLabel?: string;
}) {
  const variant = props.variant && props.variant !== 'primary' ? props.variant : '';
  return (
    <form method="post" action={props.action} class="inline">
      <CsrfField token={props.token} />
      {Object.entries(props.fields ?? {}).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <button
        type="submit"
        class={cx('btn', variant, props.size === 'sm' && 'sm')}
        aria-label={props.ariaLabel}
      >
        {props.label}
      </button>
    </form>
  );
}

// ---------------------------------------------------------------------------------------------
// Badges

export type Tone = 'neutral' | 'success' | 'warning' | 'danger' | 'info';

/** A small label: a plan, a role, a count. `accent` is the brand tone (paid plans). */
export function Badge(props: { tone?: Tone | 'accent'; class?: string; children?: Child }) {
  const tone = props.tone ?? 'neutral';
  return <span class={cx('badge', tone !== 'neutral' && tone, props.class)}>{props.children}</span>;
}

/** A badge with a status dot: "Active", "Past due", "Pending". */
export function StatusPill(props: { tone: Tone; children?: Child }) {
  return (
    <span class={cx('badge', 'dot', props.tone !== 'neutral' && props.tone)}>{props.children}</span>
  );
}

// ---------------------------------------------------------------------------------------------
// Page structure

/** The page's h1 with an optional description, badge and actions on the right. */
export function PageHeader(props: {
  title: Child;
  description?: Child;
  badge?: Child;
  actions?: Child;
}) {
  return (
    <div class="page-header">
      <div>
        <h1>
          {props.title}
          {props.badge && <> {props.badge}</>}
        </h1>
        {props.description && <p>{props.description}</p>}
      </div>
      {props.actions && <div class="actions">{props.actions}</div>}
    </div>
  );
}

/**
 * A boxed section with a header (title, description, actions), a body and an optional footer.
 * With `id`, the section is labelled by its title (a landmark a screen reader can jump to).
 */
export function Card(props: {
  id?: string;
  title?: Child;
  description?: Child;
  actions?: Child;
  footer?: Child;
  /** h2 by default; h3 for cards nested under a section's h2. */
  level?: 2 | 3;
  class?: string;
  attrs?: Attrs;
  children?: Child;
}) {
  const titleId = props.id && props.title ? `${props.id}-title` : undefined;
  const Heading = props.level === 3 ? 'h3' : 'h2';
  return (
    <section
      class={cx('card', props.class)}
      id={props.id}
      aria-labelledby={titleId}
      {...(props.attrs ?? {})}
    >
      {(props.title || props.actions) && (
        <div class="card-header">
          <div>
            {props.title && <Heading id={titleId}>{props.title}</Heading>}
            {props.description && <p class="card-description">{props.description}</p>}
          </div>
          {props.actions && <div class="actions">{props.actions}</div>}
        </div>
      )}
      {props.children}
      {props.footer && <div class="card-footer">{props.footer}</div>}
    </section>
  );
}

/** An unboxed group of cards or content under an h2. */
export function Section(props: {
  id?: string;
  title: Child;
  description?: Child;
  children?: Child;
}) {
  const titleId = props.id ? `${props.id}-title` : undefined;
  return (
    <section class="section" id={props.id} aria-labelledby={titleId}>
      <div class="section-header">
        <h2 id={titleId}>{props.title}</h2>
        {props.description && <p class="card-description">{props.description}</p>}
      </div>
      {props.children}
    </section>
  );
}

/** A red-bordered card for irreversible actions (delete, leave). */
export function DangerZone(props: {
  id?: string;
  title?: Child;
  description?: Child;
  children?: Child;
}) {
  return (
    <Card
      id={props.id ?? 'danger'}
      class="danger-zone"
      title={props.title ?? 'Danger zone'}
      description={props.description}
    >
      {props.children}
    </Card>
  );
}

// ---------------------------------------------------------------------------------------------
// Tables and lists

/**
 * A table that stays readable at 390 px: it scrolls horizontally inside a labelled, focusable
 * region (keyboard users can scroll it), or with `stack` each row becomes a block of
 * "label: value" lines on phones (give every <td> a `data-label`).
 */
export function Table(props: {
  /** Names the scroll region and the table (e.g. "Members"). */
  label: string;
  stack?: boolean;
  class?: string;
  attrs?: Attrs;
  children?: Child;
}) {
  return (
    // A <section> with a name is a region landmark; tabindex lets the keyboard scroll it.
    <section class="table-wrap" aria-label={props.label} tabindex={0}>
      <table class={cx(props.stack && 'stack', props.class)} {...(props.attrs ?? {})}>
        {props.children}
      </table>
    </section>
  );
}

/** Label/value pairs ("Plan: Pro", "Renews: 2026-12-30"). */
export function DescriptionList(props: { items: { label: Child; value: Child }[] }) {
  return (
    <dl class="details">
      {props.items.map((item) => (
        <>
          <dt>{item.label}</dt>
          <dd>{item.value}</dd>
        </>
      ))}
    </dl>
  );
}

/** What an empty list shows: what would be here, and the action that fills it. */
export function EmptyState(props: {
  title: Child;
  description?: Child;
  action?: Child;
  level?: 2 | 3;
}) {
  const Heading = props.level === 2 ? 'h2' : 'h3';
  return (
    <div class="empty-state">
      <Heading>{props.title}</Heading>
      {props.description && <p>{props.description}</p>}
      {props.action && <div class="actions">{props.action}</div>}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Forms

/**
 * A labelled input (or select/textarea) with a hint and an error message. The error sets
 * `aria-invalid` and both texts are tied to the control with `aria-describedby`.
 */
export function Field(props: {
  id: string;
  name: string;
  label: Child;
  type?: string;
  value?: string;
  hint?: Child;
  error?: string | null;
  required?: boolean;
  placeholder?: string;
  autocomplete?: string;
  maxlength?: number;
  minlength?: number;
  /** Render a <select> with these options instead of an <input>. */
  options?: { value: string; label: string; selected?: boolean }[];
  multiline?: boolean;
  /** Extra attributes on the control (readonly, pattern, inputmode, ...). */
  attrs?: Attrs;
  class?: string;
}) {
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  const errorId = props.error ? `${props.id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  const common = {
    id: props.id,
    name: props.name,
    required: props.required,
    'aria-invalid': props.error ? 'true' : undefined,
    'aria-describedby': describedBy,
    ...(props.attrs ?? {}),
  };
  let control: Child;
  if (props.options) {
    control = (
      <select {...common}>
        {props.options.map((o) => (
          <option value={o.value} selected={o.selected ?? o.value === props.value}>
            {o.label}
          </option>
        ))}
      </select>
    );
  } else if (props.multiline) {
    control = (
      <textarea {...common} placeholder={props.placeholder} maxlength={props.maxlength}>
        {props.value ?? ''}
      </textarea>
    );
  } else {
    control = (
      <input
        {...common}
        type={props.type ?? 'text'}
        value={props.value}
        placeholder={props.placeholder}
        autocomplete={props.autocomplete}
        maxlength={props.maxlength}
        minlength={props.minlength}
      />
    );
  }
  return (
    <div class={cx('field', props.class)}>
      <label for={props.id}>{props.label}</label>
      {control}
      {props.error && (
        <p class="error-text" id={errorId}>
          {props.error}
        </p>
      )}
      {props.hint && (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      )}
    </div>
  );
}

/**
 * A read-only input holding `value` (always selectable, works without JavaScript) and a Copy
 * button that /static/app.js reveals and wires up.
 */
export function CopyButton(props: { id: string; value: string; label: string }) {
  return (
    <div class="copy-field">
      <input id={props.id} readonly value={props.value} aria-label={props.label} />
      <button type="button" class="btn secondary" data-copy={props.id} hidden>
        Copy
      </button>
      <span class="copy-status" aria-live="polite" />
    </div>
  );
}

/**
 * A secret shown once, just after it was made (an API key, an invitation link): what to do with
 * it, then the value with a Copy button.
 */
export function RevealOnce(props: {
  testid: string;
  copyId: string;
  value: string;
  label: string;
  children?: Child;
}) {
  return (
    <div class="reveal" data-testid={props.testid}>
      <p class="small">{props.children}</p>
      <CopyButton id={props.copyId} value={props.value} label={props.label} />
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Messages

/** A static banner (not announced): "This workspace is over its member limit". */
export function Notice(props: {
  tone?: 'info' | 'warn' | 'danger' | 'success';
  title?: Child;
  children?: Child;
  actions?: Child;
  attrs?: Attrs;
}) {
  const tone = props.tone ?? 'info';
  return (
    <div class={cx('notice', tone)} {...(props.attrs ?? {})}>
      <span class="icon" aria-hidden="true">
        {ICONS[tone]}
      </span>
      <div class="body">
        {props.title && <strong class="title">{props.title}</strong>}
        {props.children}
      </div>
      {props.actions && <div class="actions">{props.actions}</div>}
    </div>
  );
}

const ICONS = { info: 'i', warn: '!', danger: '!', success: '✓' } as const;

export interface FeedbackMessage {
  type: 'success' | 'error' | 'info';
  message: string;
  /** Where to go about it ("Upgrade" when a plan limit was reached). */
  link?: { href: string; label: string };
}

/**
 * The outcome of a form, shown in the section the form belongs to: success and info are a
 * `role="status"`, errors a `role="alert"`. Renders nothing without a message (Playwright's
 * getByRole('status') then still finds exactly one).
 */
export function Feedback(props: { message?: FeedbackMessage | null; id?: string }) {
  const m = props.message;
  if (!m) return null;
  const tone = m.type === 'error' ? 'danger' : m.type === 'success' ? 'success' : 'info';
  return (
    <div class="feedback" id={props.id}>
      <div
        class={cx('notice', tone)}
        role={m.type === 'error' ? 'alert' : 'status'}
        data-feedback={m.type}
      >
        <span class="icon" aria-hidden="true">
          {ICONS[tone]}
        </span>
        <div class="body">{m.message}</div>
        {m.link && <a href={m.link.href}>{m.link.label}</a>}
      </div>
    </div>
  );
}

/** A form's outcome as the page gets it back: maybe about one field, with what was typed. */
export interface FormFeedback extends FeedbackMessage {
  field?: string;
  values?: Record<string, string>;
}

/** The error a form's feedback reports about `field`, if any (shown beside that field). */
export const fieldError = (feedback: FormFeedback | null, field: string) =>
  feedback?.type === 'error' && feedback.field === field ? feedback.message : null;

/** The section's message, unless it is already shown beside its field. */
export const sectionMessage = <T extends FormFeedback>(feedback: T | null) =>
  feedback?.field ? null : feedback;

/**
 * A Field's `value` and `error` from its form's feedback: what was typed (else `initial`), and
 * what was wrong with it.
 */
export const fieldState = (feedback: FormFeedback | null, name: string, initial = '') => ({
  value: feedback?.values?.[name] ?? initial,
  error: fieldError(feedback, name),
});

/** The flash after a redirect, at the top of <main> (rendered by Layout; not for pages). */
export function Toast(props: { message: FeedbackMessage | null }) {
  const m = props.message;
  if (!m) return null;
  const tone = m.type === 'error' ? 'danger' : m.type === 'success' ? 'success' : 'info';
  return (
    <div class="toast-region">
      <div
        class={cx('notice', 'toast', tone)}
        role={m.type === 'error' ? 'alert' : 'status'}
        data-toast={m.type}
      >
        <span class="icon" aria-hidden="true">
          {ICONS[tone]}
        </span>
        <div class="body">{m.message}</div>
        {m.link && <a href={m.link.href}>{m.link.label}</a>}
        <button type="button" class="dismiss" data-dismiss aria-label="Dismiss" hidden>
          ×
        </button>
      </div>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Confirmation dialog

/**
 * A POST form whose submit button lives in a native modal <dialog>. The trigger opens it with
 * Chromium's invoker commands (`commandfor` + `command="show-modal"`), no JavaScript needed;
 * /static/app.js polyfills the two commands elsewhere. Cancel closes it; the real submit is
 * inside the dialog, so extra inputs (type the name to confirm) go in `children`.
 */
export function ConfirmDialog(props: {
  id: string;
  action: string;
  token: string;
  /** The trigger's text ("Delete workspace"). */
  trigger: string;
  triggerVariant?: ButtonVariant;
  triggerSize?: 'sm' | 'md';
  /** An accessible name for the trigger when its text is ambiguous ("Remove Ada"). */
  triggerLabel?: string;
  title: Child;
  description?: Child;
  /** The submit button's text ("Delete Acme"). */
  confirm: string;
  confirmVariant?: ButtonVariant;
  fields?: Record<string, string>;
  children?: Child;
}) {
  const titleId = `${props.id}-title`;
  const descId = props.description ? `${props.id}-desc` : undefined;
  const triggerVariant = props.triggerVariant ?? 'danger';
  const confirmVariant = props.confirmVariant ?? 'danger';
  return (
    <form method="post" action={props.action} class="confirm-form">
      <CsrfField token={props.token} />
      {Object.entries(props.fields ?? {}).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <button
        type="button"
        class={cx(
          'btn',
          triggerVariant !== 'primary' && triggerVariant,
          props.triggerSize === 'sm' && 'sm',
        )}
        commandfor={props.id}
        command="show-modal"
        aria-haspopup="dialog"
        aria-label={props.triggerLabel}
      >
        {props.trigger}
      </button>
      <dialog id={props.id} class="confirm" aria-labelledby={titleId} aria-describedby={descId}>
        <h2 id={titleId}>{props.title}</h2>
        {props.description && <p id={descId}>{props.description}</p>}
        {props.children}
        <div class="actions">
          <button type="button" class="btn secondary" commandfor={props.id} command="close">
            Cancel
          </button>
          <button type="submit" class={cx('btn', confirmVariant !== 'primary' && confirmVariant)}>
            {props.confirm}
          </button>
        </div>
      </dialog>
    </form>
  );
}
