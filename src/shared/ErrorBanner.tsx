import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { MLOpsError } from '../core/errors';
import { describeError } from './errors';

export interface IErrorBannerProps {
  error: MLOpsError;
  trans: TranslationBundle;
  onRetry?: () => void;
  /** Quiet banners (e.g. throttling) are shown as a warning rather than an error. */
  quiet?: boolean;
}

/** An inline, accessible error with an optional retry button. */
export function ErrorBanner(props: IErrorBannerProps): JSX.Element {
  const { error, trans, onRetry, quiet } = props;
  const level = quiet || error.kind === 'throttling' ? 'warning' : 'error';
  return (
    <div className={`jp-MLOps-banner jp-MLOps-banner-${level}`} role="alert">
      <span className="jp-MLOps-banner-text">
        {describeError(error, trans)}
      </span>
      {onRetry && (
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-reject jp-MLOps-banner-retry"
          onClick={onRetry}
        >
          {trans.__('Retry')}
        </button>
      )}
    </div>
  );
}
