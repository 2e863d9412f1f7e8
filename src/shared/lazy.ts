import { Panel, Widget } from '@lumino/widgets';

import { watchVisibility } from './visibility';

/**
 * `make()` run once, on first call, and its promise shared by every caller; a
 * failure is not kept, so the next call tries again. What every capability
 * uses to load its service, model and command bodies on first use.
 */
export function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | null = null;
  return () => {
    if (!made) {
      made = make();
      made.catch(() => (made = null));
    }
    return made;
  };
}

/**
 * A sidebar section whose content (its view code) is loaded the first time it
 * is visible, so JupyterLab's start-up does not pay for it.
 */
export class LazyWidget extends Panel {
  constructor(options: {
    load: () => Promise<Widget>;
    /** Shown when the content cannot be loaded. */
    failed: string;
  }) {
    super();
    this.addClass('jp-MLOps-lazy');
    const watcher = watchVisibility(this, visible => {
      if (visible && !this._loading) {
        this._loading = true;
        watcher.dispose();
        options
          .load()
          .then(widget => this.addWidget(widget))
          .catch(error => {
            console.error('sagemaker-mlops: a section failed to load', error);
            const message = new Widget();
            message.addClass('jp-MLOps-banner');
            message.addClass('jp-MLOps-banner-error');
            message.node.textContent = options.failed;
            this.addWidget(message);
          });
      }
    });
  }

  private _loading = false;
}
