import { ReactWidget, UseSignal } from '@jupyterlab/apputils';
import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { MLOpsSession } from '../../models/session';
import { TRANSLATION_DOMAIN } from '../../tokens';
import { ErrorBanner } from '../common/ErrorBanner';
import { IdentitySection } from './IdentitySection';

/** The left sidebar panel of SageMaker MLOps. */
export class MLOpsSidebar extends ReactWidget {
  constructor(options: { session: MLOpsSession; translator: ITranslator }) {
    super();
    this._session = options.session;
    this._trans = options.translator.load(TRANSLATION_DOMAIN);
    this.addClass('jp-MLOps-sidebar');
  }

  /** Loading starts the first time the panel is shown, not at JupyterLab start-up. */
  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this._session.ensureContext();
  }

  render(): JSX.Element {
    const session = this._session;
    const trans = this._trans;
    return (
      <UseSignal signal={session.changed}>
        {() => (
          <div className="jp-MLOps-sidebar-content">
            <header className="jp-MLOps-header">
              <h2 className="jp-MLOps-title">{trans.__('SageMaker MLOps')}</h2>
              <button
                type="button"
                className="jp-MLOps-icon-button"
                title={trans.__('Refresh')}
                aria-label={trans.__('Refresh')}
                disabled={session.loading}
                onClick={() => void session.refresh()}
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
            {session.context && (
              <footer className="jp-MLOps-footer jp-MLOps-muted">
                {trans.__('Version %1', session.context.version)}
              </footer>
            )}
          </div>
        )}
      </UseSignal>
    );
  }

  private _session: MLOpsSession;
  private _trans: TranslationBundle;
}
