import { ReactWidget, UseSignal } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { IDisposable } from '@lumino/disposable';
import { ISignal } from '@lumino/signaling';
import * as React from 'react';

import { MLOpsError } from '../core/errors';
import { ErrorBanner } from './ErrorBanner';
import { IPollView } from './poll';
import { watchVisibility } from './visibility';
import '../../style/views.css';

/** What a section frame reads of its model. */
export interface IFramedModel {
  readonly loading: boolean;
  readonly loaded: boolean;
  readonly error: MLOpsError | null;
  readonly warning: MLOpsError | null;
  refresh(): Promise<void>;
}

export interface ISectionFrameProps {
  model: IFramedModel;
  trans: TranslationBundle;
  /** Shown until the first data arrived (and no error). */
  loadingText: string;
  /** Shown when the data arrived and there is nothing (omit when never empty). */
  emptyText?: string;
  empty?: boolean;
  /** Banners and blocks between the error banners and the content. */
  before?: React.ReactNode;
  children?: React.ReactNode;
}

/**
 * The frame every section of a project's resources shares: a quiet "refreshing…" line, the throttling
 * warning, the error with Retry, "Loading…" before the first data and the empty state after it, then the
 * section's content.
 */
export function SectionFrame(props: ISectionFrameProps): JSX.Element {
  const { model, trans } = props;
  return (
    <>
      {/* Not a live region: a refresh runs on every poll, and only what changes is worth announcing. */}
      <div className="jp-MLOps-status-line jp-MLOps-muted">
        {model.loading ? trans.__('refreshing…') : ''}
      </div>
      {model.warning && (
        <ErrorBanner error={model.warning} trans={trans} quiet />
      )}
      {model.error && (
        <ErrorBanner
          error={model.error}
          trans={trans}
          onRetry={() => void model.refresh()}
        />
      )}
      {props.before}
      {model.loaded && props.empty && props.emptyText && (
        <p className="jp-MLOps-muted jp-MLOps-pad">{props.emptyText}</p>
      )}
      {!model.loaded && !model.error && (
        <p className="jp-MLOps-muted jp-MLOps-pad">{props.loadingText}</p>
      )}
      {props.children}
    </>
  );
}

/** What a section widget needs of its model: a change signal and views that start its poll. */
export interface ISectionModel {
  readonly changed: ISignal<any, void>;
  addView(): IPollView;
}

/**
 * A sidebar section over a model: a view of the model's poll that is visible exactly while the section is,
 * and a render on every change of the model. Subclasses render the content in `renderContent()`.
 */
export abstract class ModelSection<
  M extends ISectionModel
> extends ReactWidget {
  constructor(options: { model: M; label: string; className: string }) {
    super();
    this.model = options.model;
    this.addClass(options.className);
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', options.label);
    this._view = this.model.addView();
    this._visibility = watchVisibility(this, visible =>
      this._view.setVisible(visible)
    );
  }

  readonly model: M;

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._visibility.dispose();
    this._view.dispose();
    super.dispose();
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed}>
        {() => this.renderContent()}
      </UseSignal>
    );
  }

  protected abstract renderContent(): JSX.Element;

  private _view: IPollView;
  private _visibility: IDisposable;
}
