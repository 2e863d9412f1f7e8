import { Dialog, ReactWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IDeployGate } from '../core/deploy/types';
import { SUMMARY_MAX } from '../core/deploy/rules';
import { MLOpsError, toMLOpsError } from '../core/errors';
import {
  COMMENT_MAX,
  characterCount,
  snapshotOf
} from '../core/registry/rules';
import type {
  IApprovalSnapshot,
  IMetric,
  IModelPackageGroup,
  IModelVersion,
  IModelVersionDetail
} from '../core/registry/types';
import { ErrorBanner } from '../shared/ErrorBanner';
import { StatusBadge } from '../shared/StatusBadge';
import { formatTime, statusLabel } from '../shared/format';
import { MetricList, MetricsComparison } from './Metrics';
import type { RegistryModel } from './model';
import '../../style/views.css';

/** A version as the dialogs name it: `v13 · group`. */
export function versionLabel(
  v: Pick<IModelVersion, 'version' | 'groupName' | 'arn'>,
  trans: TranslationBundle
): string {
  return v.version !== undefined
    ? trans.__('v%1 · %2', v.version, v.groupName)
    : v.arn;
}

/** The decision taken in the approval dialog. */
export interface IApprovalResult {
  versionArn: string;
  version: IModelVersionDetail;
  status: 'Approved' | 'Rejected';
}

/**
 * Show a dialog whose body does its own work (its buttons send the request)
 * and closes it when done; resolves with what the body reported, or
 * undefined when the dialog was closed without a decision.
 */
async function launch<T>(options: {
  title: string;
  body: (done: (result: T) => void) => JSX.Element;
  trans: TranslationBundle;
  className: string;
}): Promise<T | undefined> {
  let result: T | undefined;
  let dialog: Dialog<unknown> | null = null;
  const done = (value: T) => {
    result = value;
    dialog?.resolve(0);
  };
  const body = ReactWidget.create(options.body(done));
  body.addClass(options.className);
  dialog = new Dialog({
    title: options.title,
    body,
    buttons: [Dialog.cancelButton({ label: options.trans.__('Close') })],
    hasClose: true,
    focusNodeSelector: 'textarea'
  });
  await dialog.launch();
  return result;
}

/**
 * Approve or reject a model version with a comment. Defaults to `initialArn`
 * (the newest pending version) and lets the user pick another of `candidates`;
 * shows its metrics against the group's approved version, the consequence of
 * the decision, and sends exactly one UpdateModelPackage per confirmation.
 */
export function approvalDialog(options: {
  model: RegistryModel;
  trans: TranslationBundle;
  candidates: IModelVersion[];
  initialArn: string;
  /** The decision the command was for (its button is the prominent one). */
  intent?: 'Approved' | 'Rejected';
  /** The project's deploy pipeline, whose start the decision causes. */
  deployPipeline?: string;
}): Promise<IApprovalResult | undefined> {
  const { trans } = options;
  return launch<IApprovalResult>({
    title: trans.__('Review model version'),
    className: 'jp-MLOps-approval',
    trans,
    body: done => <ApprovalForm {...options} done={done} />
  });
}

interface IReview {
  version: IModelVersionDetail;
  /** What the user sees: a decision is refused if the version changed since. */
  snapshot: IApprovalSnapshot;
  metrics?: IMetric[];
  base?: IModelVersionDetail;
  baseMetrics?: IMetric[];
  metricsError?: MLOpsError;
}

function ApprovalForm(props: {
  model: RegistryModel;
  trans: TranslationBundle;
  candidates: IModelVersion[];
  initialArn: string;
  intent?: 'Approved' | 'Rejected';
  deployPipeline?: string;
  done: (result: IApprovalResult) => void;
}): JSX.Element {
  const { model, trans, candidates } = props;
  const [arn, setArn] = React.useState(props.initialArn);
  const [review, setReview] = React.useState<IReview | null>(null);
  const [loadError, setLoadError] = React.useState<MLOpsError | null>(null);
  const [comment, setComment] = React.useState('');
  const [touched, setTouched] = React.useState(false);
  const [submitting, setSubmitting] = React.useState(false);
  const [error, setError] = React.useState<MLOpsError | null>(null);
  const [changed, setChanged] = React.useState<IModelVersionDetail | null>(
    null
  );
  /** Set synchronously on the first click: a second click or Enter before React re-renders sends nothing. */
  const inFlight = React.useRef(false);

  const load = React.useCallback(
    async (versionArn: string): Promise<IModelVersionDetail | undefined> => {
      setLoadError(null);
      try {
        const version = await model.describe(versionArn);
        const group: Pick<IModelPackageGroup, 'name' | 'arn' | 'shared'> =
          model.group(version.groupName) ?? {
            name: version.groupName,
            arn: '',
            shared: false
          };
        const next: IReview = { version, snapshot: snapshotOf(version) };
        setReview(next);
        const [metrics, base] = await Promise.all([
          model.metrics(version).catch(e => {
            next.metricsError = toMLOpsError(e, 'GetObject');
            return undefined;
          }),
          model.approvedVersion(group).catch(() => undefined)
        ]);
        next.metrics = metrics;
        if (base && base.arn !== version.arn) {
          next.base = base;
          next.baseMetrics = await model.metrics(base).catch(() => undefined);
        }
        setReview({ ...next });
        return version;
      } catch (e) {
        setLoadError(toMLOpsError(e, 'DescribeModelPackage'));
        return undefined;
      }
    },
    [model]
  );

  React.useEffect(() => {
    setReview(null);
    setError(null);
    setChanged(null);
    void load(arn);
  }, [arn, load]);

  const count = characterCount(comment);
  const commentValid = count >= 1 && count <= COMMENT_MAX && !!comment.trim();
  const ready = !!review && commentValid && !submitting;

  const submit = async (status: 'Approved' | 'Rejected') => {
    if (inFlight.current || !review || !commentValid) {
      return;
    }
    inFlight.current = true;
    setSubmitting(true);
    setError(null);
    try {
      await model.decide(review.version.arn, {
        status,
        comment,
        expected: review.snapshot
      });
      props.done({
        versionArn: review.version.arn,
        version: review.version,
        status
      });
    } catch (e) {
      const failure = toMLOpsError(e, 'UpdateModelPackage');
      setError(failure);
      if (failure.code === 'ChangedSinceOpened') {
        // Show what it is now; the user's comment stays, and a new decision is taken against the new state.
        setChanged((await load(review.version.arn)) ?? null);
      }
    } finally {
      inFlight.current = false;
      setSubmitting(false);
    }
  };

  const version = review?.version;
  const shared = version ? !!model.group(version.groupName)?.shared : false;
  return (
    <form
      className="jp-MLOps-form"
      aria-busy={submitting}
      onSubmit={event => event.preventDefault()}
    >
      <div className="jp-MLOps-field">
        <label htmlFor="mlops-approval-version">{trans.__('Version')}</label>
        <select
          id="mlops-approval-version"
          value={arn}
          disabled={submitting}
          onChange={event => setArn(event.target.value)}
        >
          {candidates.map(c => (
            <option key={c.arn} value={c.arn}>
              {trans.__(
                '%1 (%2, %3)',
                versionLabel(c, trans),
                c.approvalStatus === 'PendingManualApproval'
                  ? trans.__('pending')
                  : c.approvalStatus === 'Approved'
                    ? trans.__('approved')
                    : trans.__('rejected'),
                formatTime(c.createdAt)
              )}
            </option>
          ))}
        </select>
      </div>
      {loadError && (
        <ErrorBanner
          error={loadError}
          trans={trans}
          onRetry={() => void load(arn)}
        />
      )}
      {!review && !loadError && (
        <p className="jp-MLOps-muted">{trans.__('Loading the version…')}</p>
      )}
      {version && (
        <div className="jp-MLOps-review">
          <div className="jp-MLOps-row-meta">
            <StatusBadge status={version.approvalStatus} trans={trans} />
            <span>{formatTime(version.createdAt)}</span>
            {version.createdBy && (
              <span className="jp-MLOps-ellipsis" title={version.createdBy}>
                {trans.__('by %1', version.createdBy)}
              </span>
            )}
          </div>
          {version.description && (
            <p className="jp-MLOps-literal">{version.description}</p>
          )}
          {version.approvalDescription && (
            <p className="jp-MLOps-literal">
              <span className="jp-MLOps-muted">
                {trans.__('Last comment: ')}
              </span>
              {version.approvalDescription}
            </p>
          )}
          <h3 className="jp-MLOps-subtitle">{trans.__('Metrics')}</h3>
          {review.metricsError ? (
            <ErrorBanner error={review.metricsError} trans={trans} quiet />
          ) : !review.metrics ? (
            <p className="jp-MLOps-muted">{trans.__('Reading the report…')}</p>
          ) : review.base ? (
            <MetricsComparison
              base={review.baseMetrics}
              candidate={review.metrics}
              baseLabel={trans.__('Approved v%1', review.base.version ?? '')}
              candidateLabel={trans.__('v%1', version.version ?? '')}
              trans={trans}
            />
          ) : (
            <>
              <p className="jp-MLOps-muted">
                {trans.__('No approved version of this group to compare with.')}
              </p>
              <MetricList metrics={review.metrics} trans={trans} />
            </>
          )}
        </div>
      )}
      {changed && (
        <div className="jp-MLOps-banner jp-MLOps-banner-warning" role="alert">
          {trans.__(
            'Someone changed this version since you opened it%1: it is now %2, with the comment "%3". Nothing was written. Review it and decide again if you still want to; your comment is kept.',
            changed.lastModifiedBy
              ? trans.__(' (%1)', changed.lastModifiedBy)
              : '',
            statusLabel(changed.approvalStatus, trans),
            changed.approvalDescription ?? ''
          )}
        </div>
      )}
      {error && !changed && <ErrorBanner error={error} trans={trans} />}
      <CommentField
        id="mlops-approval-comment"
        label={trans.__('Comment (required)')}
        value={comment}
        max={COMMENT_MAX}
        touched={touched}
        disabled={submitting}
        trans={trans}
        onChange={value => {
          setComment(value);
          setTouched(true);
        }}
      />
      <p className="jp-MLOps-consequence">
        {shared
          ? trans.__(
              "This group is shared from account %1: its approvers and pipelines are that account's.",
              model.group(version!.groupName)?.ownerAccount ?? ''
            )
          : props.deployPipeline
            ? trans.__(
                'Approving or rejecting starts the deploy pipeline %1: it deploys the newest approved version to staging, then waits for approval before production.',
                props.deployPipeline
              )
            : trans.__(
                'No deploy pipeline of this project was found: the decision starts no deployment.'
              )}
      </p>
      <DecisionButtons
        reject={trans.__('Reject')}
        approve={trans.__('Approve')}
        rejectIsPrimary={props.intent === 'Rejected'}
        disabled={!ready}
        submitting={submitting}
        trans={trans}
        onDecide={approve => void submit(approve ? 'Approved' : 'Rejected')}
      />
    </form>
  );
}

/**
 * Reject and Approve, the one the command was for drawn as the primary
 * button, and a polite line while the decision is sent.
 */
function DecisionButtons(props: {
  reject: string;
  approve: string;
  rejectIsPrimary: boolean;
  disabled: boolean;
  submitting: boolean;
  trans: TranslationBundle;
  onDecide: (approve: boolean) => void;
}): JSX.Element {
  const primary = props.rejectIsPrimary;
  return (
    <>
      <div className="jp-MLOps-decision-buttons">
        <button
          type="button"
          className={`jp-Dialog-button jp-mod-styled ${
            primary ? 'jp-mod-warn' : 'jp-mod-reject'
          }`}
          disabled={props.disabled}
          onClick={() => props.onDecide(false)}
        >
          {props.reject}
        </button>
        <button
          type="button"
          className={`jp-Dialog-button jp-mod-styled ${
            primary ? 'jp-mod-reject' : 'jp-mod-accept'
          }`}
          disabled={props.disabled}
          onClick={() => props.onDecide(true)}
        >
          {props.approve}
        </button>
      </div>
      <div className="jp-MLOps-status-line" aria-live="polite">
        {props.submitting ? props.trans.__('Sending your decision…') : ''}
      </div>
    </>
  );
}

/** A required comment with its character counter; over the limit or blank, the decision buttons stay disabled. */
function CommentField(props: {
  id: string;
  label: string;
  value: string;
  max: number;
  touched: boolean;
  disabled: boolean;
  trans: TranslationBundle;
  onChange: (value: string) => void;
}): JSX.Element {
  const { trans } = props;
  const count = characterCount(props.value);
  const problem =
    count > props.max
      ? trans._n(
          '%1 character over the limit.',
          '%1 characters over the limit.',
          count - props.max
        )
      : props.touched && !props.value.trim()
        ? trans.__('A comment is required.')
        : '';
  return (
    <div
      className={`jp-MLOps-field${problem ? ' jp-MLOps-field-invalid' : ''}`}
    >
      <label htmlFor={props.id}>{props.label}</label>
      <textarea
        id={props.id}
        rows={3}
        value={props.value}
        disabled={props.disabled}
        aria-invalid={!!problem}
        aria-describedby={`${props.id}-count`}
        onChange={event => props.onChange(event.target.value)}
      />
      <div className="jp-MLOps-counter" id={`${props.id}-count`}>
        {trans.__('%1 / %2 characters', count, props.max)}
      </div>
      {problem && (
        <div className="jp-MLOps-field-error" role="alert">
          {problem}
        </div>
      )}
    </div>
  );
}

/** The metrics of a version against the group's approved one, read-only. */
export function compareDialog(options: {
  model: RegistryModel;
  trans: TranslationBundle;
  versionArn: string;
}): Promise<void> {
  const { trans } = options;
  return launch<void>({
    title: trans.__('Compare with the approved version'),
    className: 'jp-MLOps-approval',
    trans,
    body: () => <CompareView {...options} />
  }).then(() => undefined);
}

function CompareView(props: {
  model: RegistryModel;
  trans: TranslationBundle;
  versionArn: string;
}): JSX.Element {
  const { model, trans } = props;
  const [state, setState] = React.useState<{
    version?: IModelVersionDetail;
    metrics?: IMetric[];
    base?: IModelVersionDetail;
    baseMetrics?: IMetric[];
    error?: MLOpsError;
    done: boolean;
  }>({ done: false });
  React.useEffect(() => {
    void (async () => {
      try {
        const version = await model.describe(props.versionArn);
        const group = model.group(version.groupName) ?? {
          name: version.groupName,
          arn: '',
          shared: false
        };
        const [metrics, base] = await Promise.all([
          model.metrics(version),
          model.approvedVersion(group)
        ]);
        const baseMetrics =
          base && base.arn !== version.arn
            ? await model.metrics(base)
            : undefined;
        setState({ version, metrics, base, baseMetrics, done: true });
      } catch (e) {
        setState({
          error: toMLOpsError(e, 'DescribeModelPackage'),
          done: true
        });
      }
    })();
  }, [model, props.versionArn]);
  if (state.error) {
    return <ErrorBanner error={state.error} trans={trans} />;
  }
  if (!state.done || !state.version || !state.metrics) {
    return <p className="jp-MLOps-muted">{trans.__('Reading the reports…')}</p>;
  }
  if (!state.base || state.base.arn === state.version.arn) {
    return (
      <>
        <p className="jp-MLOps-muted">
          {state.base
            ? trans.__('This is the approved version.')
            : trans.__('No approved version of this group to compare with.')}
        </p>
        <MetricList metrics={state.metrics} trans={trans} />
      </>
    );
  }
  return (
    <MetricsComparison
      base={state.baseMetrics}
      candidate={state.metrics}
      baseLabel={trans.__('Approved v%1', state.base.version ?? '')}
      candidateLabel={trans.__('v%1', state.version.version ?? '')}
      trans={trans}
    />
  );
}

/** The decision on a waiting deployment. */
export interface IGateResult {
  approve: boolean;
}

/** Approve or reject a deployment waiting at a manual approval, with a comment (PutApprovalResult). */
export function gateDialog(options: {
  model: RegistryModel;
  trans: TranslationBundle;
  gate: IDeployGate;
  intent: 'approve' | 'reject';
}): Promise<IGateResult | undefined> {
  const { trans, gate } = options;
  return launch<IGateResult>({
    title: trans.__('%1 of %2', gate.actionName, gate.pipelineName),
    className: 'jp-MLOps-approval',
    trans,
    body: done => <GateForm {...options} done={done} />
  });
}

function GateForm(props: {
  model: RegistryModel;
  trans: TranslationBundle;
  gate: IDeployGate;
  intent: 'approve' | 'reject';
  done: (result: IGateResult) => void;
}): JSX.Element {
  const { model, trans, gate } = props;
  const [comment, setComment] = React.useState('');
  const [touched, setTouched] = React.useState(false);
  const [submitting, setSubmitting] = React.useState(false);
  const [error, setError] = React.useState<MLOpsError | null>(null);
  const inFlight = React.useRef(false);
  const count = characterCount(comment);
  const valid = count >= 1 && count <= SUMMARY_MAX && !!comment.trim();

  const submit = async (approve: boolean) => {
    if (inFlight.current || !valid) {
      return;
    }
    inFlight.current = true;
    setSubmitting(true);
    setError(null);
    try {
      await model.decideGate(gate, { approve, summary: comment });
      props.done({ approve });
    } catch (e) {
      setError(toMLOpsError(e, 'PutApprovalResult'));
    } finally {
      inFlight.current = false;
      setSubmitting(false);
    }
  };
  const version =
    gate.modelPackageVersion ??
    (gate.modelPackageArn ? gate.modelPackageArn.split('/').pop() : undefined);
  return (
    <form
      className="jp-MLOps-form"
      aria-busy={submitting}
      onSubmit={event => event.preventDefault()}
    >
      <p>
        {trans.__(
          'Execution %1 waits at %2 (stage %3) since %4.',
          gate.executionId,
          gate.actionName,
          gate.stageName,
          formatTime(gate.since)
        )}
      </p>
      {version && (
        <p>
          {trans.__(
            'It deploys version %1 of %2.',
            version,
            gate.modelPackageGroupName ?? ''
          )}
        </p>
      )}
      {error && <ErrorBanner error={error} trans={trans} />}
      <CommentField
        id="mlops-gate-comment"
        label={trans.__('Comment (required)')}
        value={comment}
        max={SUMMARY_MAX}
        touched={touched}
        disabled={submitting}
        trans={trans}
        onChange={value => {
          setComment(value);
          setTouched(true);
        }}
      />
      <p className="jp-MLOps-consequence">
        {trans.__(
          'Approving lets the execution continue to the next stage (production); rejecting fails it.'
        )}
      </p>
      <DecisionButtons
        reject={trans.__('Reject deployment')}
        approve={trans.__('Approve deployment')}
        rejectIsPrimary={props.intent === 'reject'}
        disabled={!valid || submitting}
        submitting={submitting}
        trans={trans}
        onDecide={approve => void submit(approve)}
      />
    </form>
  );
}
