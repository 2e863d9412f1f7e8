import { IDisposable } from '@lumino/disposable';
import { IMessageHandler, Message, MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

/**
 * Call `onChange(visible)` whenever `widget` becomes visible or hidden on
 * screen: shown or hidden itself or with its parents (a sidebar switched, an
 * accordion section collapsed, a tab behind another), attached or detached.
 * Calls it once at once with the current state.
 */
export function watchVisibility(
  widget: Widget,
  onChange: (visible: boolean) => void
): IDisposable {
  let visible = widget.isVisible;
  const update = () => {
    const now = widget.isVisible && !widget.isDisposed;
    if (now !== visible) {
      visible = now;
      onChange(now);
    }
  };
  const hook = (_: IMessageHandler, msg: Message): boolean => {
    switch (msg.type) {
      case 'after-show':
      case 'after-attach':
        // Hooks run before the widget handles the message and sets its flags: read them right after.
        void Promise.resolve().then(update);
        break;
      case 'after-hide':
      case 'before-detach':
        if (visible) {
          visible = false;
          onChange(false);
        }
        break;
    }
    return true;
  };
  MessageLoop.installMessageHook(widget, hook);
  onChange(visible);
  let disposed = false;
  return {
    get isDisposed() {
      return disposed;
    },
    dispose: () => {
      if (!disposed) {
        disposed = true;
        MessageLoop.removeMessageHook(widget, hook);
        if (visible) {
          visible = false;
          onChange(false);
        }
      }
    }
  };
}
