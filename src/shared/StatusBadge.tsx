import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { statusLabel } from './format';

/** A coloured, labelled status pill; colour is never the only signal. */
export function StatusBadge(props: {
  status: string;
  trans: TranslationBundle;
}): JSX.Element {
  return (
    <span
      className={`jp-MLOps-badge jp-MLOps-status-${props.status}`}
      data-status={props.status}
    >
      {statusLabel(props.status, props.trans)}
    </span>
  );
}
