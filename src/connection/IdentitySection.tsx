import { Clipboard, ReactWidget, UseSignal } from '@jupyterlab/apputils';
import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ErrorBanner } from '../shared/ErrorBanner';
import { IMLOpsConnection, TRANSLATION_DOMAIN } from '../tokens';
import '../../style/views.css';

/** Who the server acts as in AWS, and where: account, region, caller ARN, Studio space. */
export class IdentityWidget extends ReactWidget {
  constructor(options: {
    connection: IMLOpsConnection;
    translator: ITranslator;
  }) {
    super();
    this._connection = options.connection;
    this._trans = options.translator.load(TRANSLATION_DOMAIN);
    this.addClass('jp-MLOps-section');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', this._trans.__('AWS identity'));
    // Loaded when first shown, which is when this widget is created.
    void this._connection.ensureContext();
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this._connection.changed}>
        {() => <Identity connection={this._connection} trans={this._trans} />}
      </UseSignal>
    );
  }

  private _connection: IMLOpsConnection;
  private _trans: TranslationBundle;
}

function Identity(props: {
  connection: IMLOpsConnection;
  trans: TranslationBundle;
}): JSX.Element {
  const { connection, trans } = props;
  const context = connection.context;
  if (!context) {
    return (
      <>
        {connection.error && (
          <ErrorBanner
            error={connection.error}
            trans={trans}
            onRetry={() => void connection.refresh()}
          />
        )}
        <p className="jp-MLOps-muted">
          {connection.loading
            ? trans.__('Connecting to AWS…')
            : trans.__('Not connected.')}
        </p>
      </>
    );
  }
  const studio = context.studio;
  const rows: [string, string | null | undefined, boolean][] = [
    [trans.__('Account'), context.accountId, false],
    [trans.__('Region'), context.region, false],
    [trans.__('Caller'), context.callerArn, true]
  ];
  if (studio) {
    rows.push([trans.__('Space'), studio.spaceName, false]);
    rows.push([trans.__('User profile'), studio.userProfileName, false]);
  }
  return (
    <>
      {connection.error && (
        <ErrorBanner
          error={connection.error}
          trans={trans}
          onRetry={() => void connection.refresh()}
        />
      )}
      <dl className="jp-MLOps-identity">
        {rows
          .filter(([, value]) => !!value)
          .map(([label, value, copyable]) => (
            <React.Fragment key={label}>
              <dt>{label}</dt>
              <dd title={value ?? ''}>
                <span className="jp-MLOps-identity-value">{value}</span>
                {copyable && (
                  <button
                    type="button"
                    className="jp-MLOps-link-button"
                    aria-label={trans.__('Copy %1', label)}
                    onClick={() => Clipboard.copyToSystem(value ?? '')}
                  >
                    {trans.__('Copy')}
                  </button>
                )}
              </dd>
            </React.Fragment>
          ))}
      </dl>
      <div className="jp-MLOps-muted jp-MLOps-version">
        {trans.__('Version %1', context.version)}
      </div>
    </>
  );
}
