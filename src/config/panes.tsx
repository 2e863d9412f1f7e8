import { ReactWidget, UseSignal } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import React, { useState } from 'react';

import { CONFLICT_MARKERS, hunks, IHunk, lineDiff } from '../core/config/merge';
import { commitUrl, pullRequestUrl } from '../core/config/service';
import { IConfigProblem } from '../core/config/yaml';
import { describeError } from '../shared/errors';
import { ConfigEditorModel } from './model';

export interface IPaneOptions {
  model: ConfigEditorModel;
  trans: TranslationBundle;
  region: () => string;
  /** Move the text view's cursor to a problem. */
  reveal: (problem: IConfigProblem) => void;
}

/** The reason the commit button is disabled, said in words. */
export function blockerText(
  model: ConfigEditorModel,
  trans: TranslationBundle
): string {
  switch (model.blocker) {
    case 'loading':
      return trans.__('Loading…');
    case 'busy':
      return trans.__('Working…');
    case 'noSchema':
      return trans.__(
        'No schema checks this file, so it cannot be committed from here.'
      );
    case 'parse':
      return trans.__(
        'The text does not parse: fix the error shown at its line.'
      );
    case 'invalid':
      return trans._n(
        'Fix %1 error before committing.',
        'Fix the %1 errors before committing.',
        model.errors.length
      );
    case 'unchanged':
      return trans.__('Nothing changed yet.');
    default:
      return '';
  }
}

/** Source, branch, status and the main actions. */
export class HeaderPane extends ReactWidget {
  constructor(
    private readonly options: IPaneOptions & {
      branches: () => Promise<string[]>;
      onReview: () => void;
      onReload: () => void;
      onSaveLocal: () => void;
    }
  ) {
    super();
    this.addClass('jp-MLOps-config-header');
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this.options.model.changed}>
        {() => <Header {...this.options} />}
      </UseSignal>
    );
  }
}

function Header(
  props: IPaneOptions & {
    branches: () => Promise<string[]>;
    onReview: () => void;
    onReload: () => void;
    onSaveLocal: () => void;
  }
): JSX.Element {
  const { model, trans } = props;
  const [branches, setBranches] = useState<string[] | null>(null);
  const location = model.location;
  const blocker = model.blocker;
  const reason = blockerText(model, trans);
  const canReview = !blocker || (model.local && blocker === 'unchanged');
  const errors = model.errors.length;
  const warnings = model.warnings.length;
  const loadBranches = () => {
    if (branches === null) {
      props
        .branches()
        .then(setBranches)
        .catch(() => setBranches([location.branch]));
    }
  };
  return (
    <div className="jp-MLOps-config-headerRow">
      <div className="jp-MLOps-config-source">
        <span className="jp-MLOps-config-repo" title={location.repository}>
          {model.local ? model.local.path : location.repository}
        </span>
        <label className="jp-MLOps-config-branch">
          <span>
            {model.local ? trans.__('commits to') : trans.__('branch')}
          </span>
          <select
            aria-label={trans.__('Branch')}
            value={location.branch}
            disabled={model.loading || model.busy}
            onFocus={loadBranches}
            onMouseDown={loadBranches}
            onChange={e => props.model.switchBranch(e.target.value)}
          >
            {(branches ?? [location.branch]).map(b => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
        {model.baseCommitId && (
          <span
            className="jp-MLOps-muted jp-MLOps-config-commit"
            title={trans.__('Read at commit %1', model.baseCommitId)}
          >
            {trans.__('at %1', model.baseCommitId.slice(0, 8))}
          </span>
        )}
      </div>
      <div className="jp-MLOps-config-status" role="status">
        {model.loading
          ? trans.__('Loading…')
          : errors
            ? trans._n('%1 error', '%1 errors', errors)
            : model.parsed.problems.length
              ? trans.__('Does not parse')
              : trans.__('Valid')}
        {!model.loading && warnings > 0 && (
          <span className="jp-MLOps-muted">
            {' · '}
            {trans._n('%1 warning', '%1 warnings', warnings)}
          </span>
        )}
        {model.dirty && !model.loading && (
          <span className="jp-MLOps-muted">{' · ' + trans.__('edited')}</span>
        )}
      </div>
      <div className="jp-MLOps-config-actions">
        <button
          className="jp-mod-styled jp-mod-reject"
          onClick={props.onReload}
          disabled={model.loading || model.busy}
          title={trans.__(
            'Read the file again from the branch (your edit stays in its draft)'
          )}
        >
          {trans.__('Reload')}
        </button>
        {model.local && (
          <button
            className="jp-mod-styled jp-mod-reject"
            onClick={props.onSaveLocal}
            disabled={!!model.errors.length || !!model.parsed.problems.length}
            title={reason || trans.__('Save to %1', model.local.path)}
          >
            {trans.__('Save')}
          </button>
        )}
        <button
          className="jp-mod-styled jp-mod-accept"
          onClick={props.onReview}
          disabled={!canReview || model.mode !== 'edit'}
          title={
            canReview ? trans.__('Review the change and commit it') : reason
          }
          aria-describedby="jp-MLOps-config-blocker"
        >
          {trans.__('Review & commit…')}
        </button>
      </div>
      {!canReview && reason && !model.loading && (
        <div id="jp-MLOps-config-blocker" className="jp-MLOps-config-blocker">
          {reason}
        </div>
      )}
      <Banners {...props} />
    </div>
  );
}

function Banners(props: IPaneOptions): JSX.Element | null {
  const { model, trans } = props;
  const out: JSX.Element[] = [];
  if (model.error && model.mode !== 'conflict') {
    out.push(
      <div
        key="error"
        className="jp-MLOps-banner jp-MLOps-banner-error"
        role="alert"
      >
        {describeError(model.error, trans)}
      </div>
    );
  }
  if (model.restoredDraft && model.mode === 'edit') {
    out.push(
      <div key="draft" className="jp-MLOps-banner jp-MLOps-banner-info">
        {trans.__(
          'Restored your unsaved edit from %1.',
          new Date(model.restoredDraft.savedAt).toLocaleString()
        )}{' '}
        <button className="jp-MLOps-link" onClick={() => model.discardDraft()}>
          {trans.__('Discard it')}
        </button>
      </div>
    );
  }
  const committed = model.committed;
  if (committed) {
    const region = props.region();
    out.push(
      <div
        key="committed"
        className="jp-MLOps-banner jp-MLOps-banner-success"
        role="status"
      >
        {trans.__(
          'Committed %1 to %2.',
          committed.commitId.slice(0, 8),
          committed.branch
        )}{' '}
        <a
          href={commitUrl(
            region,
            model.location.repository,
            committed.commitId
          )}
          target="_blank"
          rel="noopener noreferrer"
        >
          {trans.__('Open the commit')}
        </a>
        {committed.pullRequest && (
          <>
            {' · '}
            <a
              href={pullRequestUrl(
                region,
                model.location.repository,
                committed.pullRequest.id
              )}
              target="_blank"
              rel="noopener noreferrer"
            >
              {committed.pullRequest.existing
                ? trans.__(
                    'Pull request %1 (already open) is updated',
                    committed.pullRequest.id
                  )
                : trans.__('Pull request %1 opened', committed.pullRequest.id)}
            </a>
          </>
        )}
        {committed.pullRequestError && (
          <div>
            {trans.__(
              'The pull request could not be opened: %1',
              describeError(committed.pullRequestError, trans)
            )}
          </div>
        )}
      </div>
    );
  }
  const placeholders = model.placeholders;
  if (placeholders.length && model.mode === 'edit') {
    out.push(
      <div
        key="placeholder"
        className="jp-MLOps-banner jp-MLOps-banner-warning"
      >
        {trans.__(
          'The input path still holds the scaffolding placeholder <project-bucket>.'
        )}{' '}
        {model.projectBucket ? (
          <button
            className="jp-mod-styled jp-mod-accept jp-MLOps-config-fix"
            onClick={() => model.replacePlaceholders(model.projectBucket!)}
          >
            {trans.__('Use the project bucket %1', model.projectBucket)}
          </button>
        ) : (
          <button
            className="jp-MLOps-link"
            onClick={() => void model.lookUpBucket()}
          >
            {trans.__('Find the project bucket')}
          </button>
        )}
      </div>
    );
  }
  return out.length ? (
    <div className="jp-MLOps-config-banners">{out}</div>
  ) : null;
}

/** Every problem of the text, each with its line and JSON pointer; a click moves the cursor there. */
export class ProblemsPane extends ReactWidget {
  constructor(private readonly options: IPaneOptions) {
    super();
    this.addClass('jp-MLOps-config-problems');
  }

  render(): JSX.Element {
    const { model, trans, reveal } = this.options;
    return (
      <UseSignal signal={model.changed}>
        {() =>
          model.problems.length ? (
            <ul aria-label={trans.__('Problems')}>
              {model.problems.map((p, i) => (
                <li
                  key={i}
                  className={`jp-MLOps-config-problem jp-mod-${p.severity}`}
                >
                  <button
                    className="jp-MLOps-config-problemButton"
                    onClick={() => reveal(p)}
                  >
                    <span className="jp-MLOps-config-severity">
                      {p.severity === 'error'
                        ? trans.__('Error')
                        : trans.__('Warning')}
                    </span>
                    <span className="jp-MLOps-config-line">
                      {trans.__('Line %1', p.line)}
                    </span>
                    {p.pointer && (
                      <code className="jp-MLOps-config-pointer">
                        {p.pointer}
                      </code>
                    )}
                    <span className="jp-MLOps-config-message">{p.message}</span>
                  </button>
                </li>
              ))}
            </ul>
          ) : (
            <p className="jp-MLOps-muted jp-MLOps-config-noProblems">
              {model.loading ? '' : trans.__('No problems.')}
            </p>
          )
        }
      </UseSignal>
    );
  }
}

function Diff(props: {
  hunks: IHunk[];
  trans: TranslationBundle;
  label: string;
}): JSX.Element {
  const { trans } = props;
  if (!props.hunks.length) {
    return <p className="jp-MLOps-muted">{trans.__('No change.')}</p>;
  }
  return (
    <div
      className="jp-MLOps-config-diff"
      role="table"
      aria-label={props.label}
      tabIndex={0}
    >
      {props.hunks.map((h, i) => (
        <div key={i} role="rowgroup">
          {h.skipped > 0 && (
            <div className="jp-MLOps-config-skipped" role="row">
              <span role="cell">
                {trans._n('%1 unchanged line', '%1 unchanged lines', h.skipped)}
              </span>
            </div>
          )}
          {h.lines.map((l, j) => (
            <div
              key={j}
              className={`jp-MLOps-config-diffLine jp-mod-${l.kind}`}
              role="row"
            >
              <span className="jp-MLOps-config-gutter" role="cell">
                {l.oldLine ?? ''}
              </span>
              <span className="jp-MLOps-config-gutter" role="cell">
                {l.newLine ?? ''}
              </span>
              <span
                className="jp-MLOps-config-sign"
                role="cell"
                aria-label={
                  l.kind === 'add'
                    ? trans.__('added')
                    : l.kind === 'del'
                      ? trans.__('removed')
                      : undefined
                }
              >
                {l.kind === 'add' ? '+' : l.kind === 'del' ? '−' : ' '}
              </span>
              <span className="jp-MLOps-config-code" role="cell">
                {l.text}
              </span>
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}

/** The review step: the diff against the branch head, a message, the pull-request option, Commit. */
export class ReviewPane extends ReactWidget {
  constructor(
    private readonly options: IPaneOptions & { defaultTarget: () => string }
  ) {
    super();
    this.addClass('jp-MLOps-config-review');
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this.options.model.changed}>
        {() =>
          this.options.model.mode === 'review' ? (
            <Review {...this.options} />
          ) : this.options.model.mode === 'conflict' ? (
            <Conflict {...this.options} />
          ) : (
            <div />
          )
        }
      </UseSignal>
    );
  }
}

function Review(
  props: IPaneOptions & { defaultTarget: () => string }
): JSX.Element {
  const { model, trans } = props;
  const name = model.location.path.split('/').pop() ?? model.location.path;
  const [message, setMessage] = useState(trans.__('Update %1', name));
  const target = props.defaultTarget();
  const [openPr, setOpenPr] = useState(model.location.branch !== target);
  const diff = model.reviewHunks;
  const blocked = model.blocker === 'invalid' || model.blocker === 'parse';
  const canCommit =
    !blocked && !model.busy && message.trim().length > 0 && diff.length > 0;
  const why = blocked
    ? blockerText(model, trans)
    : !diff.length
      ? trans.__(
          'Nothing to commit: the file is the same as on %1.',
          model.location.branch
        )
      : !message.trim()
        ? trans.__('Write a commit message.')
        : '';
  return (
    <section
      className="jp-MLOps-config-reviewBody"
      aria-label={trans.__('Review and commit')}
    >
      <h2 className="jp-MLOps-config-title">
        {trans.__('Your change to %1 on %2', name, model.location.branch)}
      </h2>
      <Diff
        hunks={diff}
        trans={trans}
        label={trans.__('Changes against the branch head')}
      />
      <label className="jp-MLOps-config-field">
        <span>{trans.__('Commit message')}</span>
        <textarea
          className="jp-mod-styled"
          rows={3}
          value={message}
          maxLength={10000}
          onChange={e => setMessage(e.target.value)}
        />
      </label>
      {model.location.branch !== target && (
        <label className="jp-MLOps-config-check">
          <input
            type="checkbox"
            checked={openPr}
            onChange={e => setOpenPr(e.target.checked)}
          />
          {trans.__(
            'Open a pull request from %1 to %2',
            model.location.branch,
            target
          )}
        </label>
      )}
      {model.error && (
        <div className="jp-MLOps-banner jp-MLOps-banner-error" role="alert">
          {describeError(model.error, trans)}
        </div>
      )}
      <div className="jp-MLOps-config-actions">
        <button
          className="jp-mod-styled jp-mod-reject"
          onClick={() => model.backToEditing()}
          disabled={model.busy}
        >
          {trans.__('Back to editing')}
        </button>
        <button
          className="jp-mod-styled jp-mod-accept"
          disabled={!canCommit}
          title={why}
          onClick={() =>
            void model.commit({
              message,
              pullRequestTo: openPr ? target : null
            })
          }
        >
          {model.busy
            ? trans.__('Committing…')
            : trans.__('Commit to %1', model.location.branch)}
        </button>
      </div>
      {why && <p className="jp-MLOps-muted">{why}</p>}
    </section>
  );
}

function Conflict(props: IPaneOptions): JSX.Element {
  const { model, trans } = props;
  const conflict = model.conflict!;
  const name = model.location.path.split('/').pop() ?? model.location.path;
  const theirs = hunks(lineDiff(model.baseText, conflict.theirsText));
  const yours = hunks(lineDiff(model.baseText, model.text));
  return (
    <section
      className="jp-MLOps-config-reviewBody"
      aria-label={trans.__('Conflict')}
    >
      <div className="jp-MLOps-banner jp-MLOps-banner-warning" role="alert">
        {trans.__(
          '%1 moved since you opened %2: someone committed %3. Nothing was overwritten and your edit is kept.',
          model.location.branch,
          name,
          conflict.headCommitId.slice(0, 8)
        )}
      </div>
      <div className="jp-MLOps-config-threeWay">
        <div>
          <h3 className="jp-MLOps-config-title">
            {trans.__(
              'Their change (base %1 → %2)',
              model.baseCommitId.slice(0, 8),
              conflict.headCommitId.slice(0, 8)
            )}
          </h3>
          <Diff hunks={theirs} trans={trans} label={trans.__('Their change')} />
        </div>
        <div>
          <h3 className="jp-MLOps-config-title">
            {trans.__('Your edit (base → yours)')}
          </h3>
          <Diff hunks={yours} trans={trans} label={trans.__('Your edit')} />
        </div>
      </div>
      <p className="jp-MLOps-muted">
        {trans.__(
          'Re-apply puts your edit on top of their version. Where you both changed the same lines, both are kept between %1 and %2 markers for you to choose in the text view.',
          CONFLICT_MARKERS.theirs.split(':')[0],
          CONFLICT_MARKERS.yours.split(':')[0]
        )}
      </p>
      <div className="jp-MLOps-config-actions">
        <button
          className="jp-mod-styled jp-mod-reject"
          onClick={() => model.takeTheirs()}
        >
          {trans.__('Discard my edit, take theirs')}
        </button>
        <button
          className="jp-mod-styled jp-mod-accept"
          onClick={() => model.reapplyOnTheirs()}
        >
          {trans.__('Re-apply my edit on theirs')}
        </button>
      </div>
    </section>
  );
}
