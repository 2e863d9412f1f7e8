/** Small helpers every capability's commands use: find the target, pick one, confirm, report an error. */
import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  Dialog,
  InputDialog,
  Notification,
  showDialog
} from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';

import { toMLOpsError } from '../core/errors';
import { once } from './lazy';

/**
 * The `data-*` attributes of the right-clicked element (or its nearest
 * ancestor) that carries `attribute`, when the command runs from a context menu.
 */
export function contextTarget(
  app: JupyterFrontEnd,
  attribute: string
): DOMStringMap | undefined {
  const node = app.contextMenuHitTest(
    n => !!n.dataset && n.dataset[attribute] !== undefined
  );
  return node?.dataset;
}

/** Let the user pick one of `items` (by label); undefined when cancelled. */
export async function pick<T>(options: {
  title: string;
  items: readonly T[];
  label: (item: T) => string;
}): Promise<T | undefined> {
  const labels = options.items.map(options.label);
  const result = await InputDialog.getItem({
    title: options.title,
    items: labels
  });
  if (!result.button.accept || result.value === null) {
    return undefined;
  }
  return options.items[labels.indexOf(result.value)];
}

/** Ask before doing something that cannot be undone; true when confirmed. */
export async function confirm(options: {
  title: string;
  body: string;
  button: Dialog.IButton;
}): Promise<boolean> {
  const result = await showDialog({
    title: options.title,
    body: options.body,
    buttons: [Dialog.cancelButton(), options.button]
  });
  return result.button.accept;
}

/**
 * A notification that says what failed and what to do; it stays until
 * dismissed. The sentences load with the first error, not at start-up.
 */
export function notifyError(
  error: unknown,
  trans: TranslationBundle,
  operation?: string
): void {
  const e = toMLOpsError(error, operation);
  void import('./errors').then(
    ({ describeError }) =>
      Notification.error(describeError(e, trans), { autoClose: false }),
    () => Notification.error(e.message, { autoClose: false })
  );
}

/**
 * What a capability's commands do, loaded on first use: `act(body)` loads the
 * module once (a failed load says so in a notification, and is tried again on
 * the next command), then runs `body` with it.
 */
export function lazyActions<A>(
  load: () => Promise<A>,
  trans: TranslationBundle
): (body: (loaded: A) => Promise<void> | void) => Promise<void> {
  const actions = once(load);
  return async body => {
    let loaded: A;
    try {
      loaded = await actions();
    } catch (error) {
      notifyError(error, trans);
      return;
    }
    await body(loaded);
  };
}
