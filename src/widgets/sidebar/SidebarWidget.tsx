import { ReactWidget, UseSignal } from '@jupyterlab/apputils';
import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { PipelinesModel } from '../../models/pipelines';
import { MLOpsSession } from '../../models/session';
import { TRANSLATION_DOMAIN } from '../../tokens';
import { ErrorBanner } from '../common/ErrorBanner';
import { PipelinesSection } from '../pipelines/PipelinesSection';
import { ProjectBar } from '../pipelines/ProjectBar';
import { IdentitySection } from './IdentitySection';

/** The left sidebar panel of SageMaker MLOps. */
export class MLOpsSidebar extends ReactWidget {
  constructor(options: {
    session: MLOpsSession;
    pipelines: PipelinesModel;
    translator: ITranslator;
    onOpenExecution: (executionArn: string, pipelineName: string) => void;
  }) {
    super();
    this._session = options.session;
    this._pipelines = options.pipelines;
    this._onOpenExecution = options.onOpenExecution;
    this._trans = options.translator.load(TRANSLATION_DOMAIN);
    this.addClass('jp-MLOps-sidebar');
  }

  /** Loading starts the first time the panel is shown, not at JupyterLab start-up. */
  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this._session.ensureContext();
    this._pipelines.setVisible(true);
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._pipelines.setVisible(false);
  }

  render(): JSX.Element {
    const session = this._session;
    const pipelines = this._pipelines;
    const trans = this._trans;
    return (
      <div className="jp-MLOps-sidebar-content">
        <UseSignal signal={session.changed}>
          {() => (
            <>
              <header className="jp-MLOps-header">
                <h2 className="jp-MLOps-title">
                  {trans.__('SageMaker MLOps')}
                </h2>
                <button
                  type="button"
                  className="jp-MLOps-icon-button"
                  title={trans.__('Refresh')}
                  aria-label={trans.__('Refresh')}
                  disabled={session.loading}
                  onClick={() => {
                    void session.refresh();
                    void pipelines.refresh();
                  }}
                >
                  <refreshIcon.react tag="span" />
                </button>
              </header>
              {session.error && (
                <ErrorBanner
                  error={session.error}
                  trans={trans}
                  onRetry={() => void session.refresh()}
                />
              )}
              <IdentitySection
                context={session.context}
                region={session.region}
                loading={session.loading}
                trans={trans}
              />
            </>
          )}
        </UseSignal>
        <UseSignal signal={pipelines.changed}>
          {() => (
            <>
              <ProjectBar model={pipelines} trans={trans} />
              {pipelines.project && (
                <PipelinesSection
                  model={pipelines}
                  trans={trans}
                  onOpenExecution={this._onOpenExecution}
                />
              )}
            </>
          )}
        </UseSignal>
        <UseSignal signal={session.changed}>
          {() =>
            session.context ? (
              <footer className="jp-MLOps-footer jp-MLOps-muted">
                {trans.__('Version %1', session.context.version)}
              </footer>
            ) : null
          }
        </UseSignal>
      </div>
    );
  }

  private _session: MLOpsSession;
  private _pipelines: PipelinesModel;
  private _trans: TranslationBundle;
  private _onOpenExecution: (
    executionArn: string,
    pipelineName: string
  ) => void;
}
