// Small page pieces the workspace and account pages share: a section's message, a field's
// error, a confirmation <dialog>, a copy button. (Kept apart so the design system's components
// can replace them one by one.)
import type { Child } from 'hono/jsx';
import type { Flash } from '../web/flash.js';
import { CsrfField } from '../web/layout.js';

/** The message about what just happened in this section: status for news, alert for errors. */
export function SectionFlash({ flash }: { flash: Flash | null }) {
  if (!flash) return null;
  return (
    <div
      class={`flash ${flash.type}`}
      role={flash.type === 'error' ? 'alert' : 'status'}
      data-section-flash=""
    >
      {flash.message}
      {flash.link && (
        <>
          {' '}
          <a href={flash.link.href}>{flash.link.label}</a>
        </>
      )}
    </div>
  );
}

/** aria-invalid and aria-describedby for a field the flash's error is about. */
export function fieldProps(flash: Flash | null, field: string, errorId: string) {
  return flash?.type === 'error' && flash.field === field
    ? { 'aria-invalid': 'true', 'aria-describedby': errorId }
    : {};
}

export function FieldError(props: { flash: Flash | null; field: string; id: string }) {
  const { flash } = props;
  if (flash?.type !== 'error' || flash.field !== props.field) return null;
  return (
    <p class="field-error" id={props.id}>
      {flash.message}
    </p>
  );
}

/**
 * A destructive action behind a native modal <dialog>: the trigger opens it (invoker commands,
 * no script), the dialog's form posts, Cancel closes it.
 */
export function ConfirmDialog(props: {
  id: string;
  trigger: string;
  title: string;
  action: string;
  token: string;
  confirm: string;
  open?: boolean;
  children?: Child;
}) {
  const titleId = `${props.id}-title`;
  return (
    <>
      <button type="button" class="link danger-link" commandfor={props.id} command="show-modal">
        {props.trigger}
      </button>
      <dialog id={props.id} aria-labelledby={titleId} class="confirm" open={props.open}>
        <form method="post" action={props.action}>
          <CsrfField token={props.token} />
          <h3 id={titleId}>{props.title}</h3>
          {props.children}
          <p class="dialog-actions">
            <button type="button" class="secondary" commandfor={props.id} command="close">
              Cancel
            </button>
            <button type="submit" class="danger">
              {props.confirm}
            </button>
          </p>
        </form>
      </dialog>
    </>
  );
}

/** Copies the text of element `target` (needs /static/app.js; the text stays selectable). */
export function CopyButton(props: { target: string; label: string }) {
  return (
    <button type="button" class="secondary copy" data-copy={props.target}>
      {props.label}
    </button>
  );
}
