import { Clipboard } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IServerContext } from '../../tokens';

export interface IIdentitySectionProps {
  context: IServerContext | null;
  region: string;
  loading: boolean;
  trans: TranslationBundle;
}

/** Who the server acts as in AWS, and where: account, region, caller ARN, Studio space. */
export function IdentitySection(props: IIdentitySectionProps): JSX.Element {
  const { context, region, loading, trans } = props;
  if (!context) {
    return (
      <section
        className="jp-MLOps-section"
        aria-label={trans.__('AWS identity')}
      >
        <p className="jp-MLOps-muted">
          {loading
            ? trans.__('Connecting to AWS…')
            : trans.__('Not connected.')}
        </p>
      </section>
    );
  }
  const studio = context.studio;
  const rows: [string, string | null | undefined, boolean][] = [
    [trans.__('Account'), context.accountId, false],
    [trans.__('Region'), region, false],
    [trans.__('Caller'), context.callerArn, true]
  ];
  if (studio) {
    rows.push([trans.__('Studio domain'), studio.domainId, false]);
    rows.push([trans.__('Space'), studio.spaceName, false]);
    rows.push([trans.__('User profile'), studio.userProfileName, false]);
  }
  return (
    <section className="jp-MLOps-section" aria-label={trans.__('AWS identity')}>
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
    </section>
  );
}
