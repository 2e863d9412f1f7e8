import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { caretDownIcon, caretRightIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { executionConsoleUrl } from '../core/deploy/rules';
import type { IDeployGate, IDeployStatus } from '../core/deploy/types';
import type { ModelApprovalStatus } from '../core/registry/types';
import { ErrorBanner } from '../shared/ErrorBanner';
import { MiddleEllipsis } from '../shared/MiddleEllipsis';
import { ResourceTree } from '../shared/ResourceTree';
import { StatusBadge } from '../shared/StatusBadge';
import { formatTime, statusLabel } from '../shared/format';
import { ModelSection, SectionFrame } from '../shared/SectionFrame';
import { TRANSLATION_DOMAIN } from '../tokens';
import { MetricList } from './Metrics';
import { RegistryModel } from './model';
import { Row, buildRows } from './rows';
import '../../style/views.css';

const APPROVAL_STATUSES: ModelApprovalStatus[] = [
  'PendingManualApproval',
  'Approved',
  'Rejected'
];

const ROW_HEIGHTS: Record<Row['kind'], number> = {
  group: 42,
  filter: 30,
  version: 42,
  'version-info': 160,
  more: 28,
  message: 28
};

/** What the section's buttons do (the plugin's commands). */
export interface IRegistryActions {
  decide: (versionArn: string, intent: 'Approved' | 'Rejected') => void;
  compare: (versionArn: string) => void;
  openExecution: (executionArn: string) => void;
  decideGate: (gate: IDeployGate, intent: 'approve' | 'reject') => void;
}

/** The Model registry section: the deploy pipeline's state and approvals, then groups and versions as a tree. */
export class RegistrySection extends ModelSection<RegistryModel> {
  constructor(options: {
    model: RegistryModel;
    translator: ITranslator;
    region: () => string;
    actions: IRegistryActions;
  }) {
    const trans = options.translator.load(TRANSLATION_DOMAIN);
    super({
      model: options.model,
      label: trans.__('Model registry'),
      className: 'jp-MLOps-registry'
    });
    this._trans = trans;
    this._region = options.region;
    this._actions = options.actions;
  }

  protected renderContent(): JSX.Element {
    return (
      <RegistryView
        model={this.model}
        trans={this._trans}
        region={this._region()}
        actions={this._actions}
      />
    );
  }

  private _trans: TranslationBundle;
  private _region: () => string;
  private _actions: IRegistryActions;
}

interface IViewProps {
  model: RegistryModel;
  trans: TranslationBundle;
  region: string;
  actions: IRegistryActions;
}

function RegistryView(props: IViewProps): JSX.Element {
  const { model, trans } = props;
  const rows = buildRows(model);
  return (
    <>
      <SectionFrame
        model={model}
        trans={trans}
        loadingText={trans.__('Loading the model registry…')}
        empty={model.groups.length === 0}
        emptyText={trans.__('This project has no model package groups yet.')}
        before={
          <>
            {model.deployError && (
              <ErrorBanner
                error={model.deployError}
                trans={trans}
                quiet
                onRetry={() => void model.refresh()}
              />
            )}
            {model.deploy && <Deployment status={model.deploy} {...props} />}
          </>
        }
      />
      <ResourceTree<Row>
        rows={rows}
        label={trans.__('Model package groups and versions')}
        estimateSize={row => ROW_HEIGHTS[row.kind]}
        renderRow={row => <RowContent row={row} {...props} />}
        onToggle={row => {
          if (row.kind === 'group') {
            model.toggleVersions(row.group.arn);
          } else if (row.kind === 'version') {
            void model.toggleDetail(row.version.arn);
          }
        }}
      />
    </>
  );
}

/** The deploy pipeline: approvals waiting now, and its latest executions with the stage each reached. */
function Deployment(
  props: IViewProps & { status: IDeployStatus }
): JSX.Element {
  const { status, trans, actions, region } = props;
  return (
    <section
      className="jp-MLOps-deploy"
      aria-label={trans.__('Deployment')}
      data-pipeline-name={status.pipeline.name}
    >
      <div className="jp-MLOps-deploy-title jp-MLOps-row-line">
        <span className="jp-MLOps-role">{trans.__('deploy')}</span>
        <MiddleEllipsis text={status.pipeline.name} tail={16} />
      </div>
      {status.gates.map(gate => (
        <div
          key={`${gate.executionId}/${gate.stageName}/${gate.actionName}`}
          className="jp-MLOps-gate"
          role="group"
          aria-label={trans.__('Waiting for approval: %1', gate.actionName)}
          data-execution-id={gate.executionId}
        >
          <div className="jp-MLOps-row-line">
            <span className="jp-MLOps-badge jp-MLOps-status-PendingManualApproval">
              {trans.__('Waiting')}
            </span>
            <span className="jp-MLOps-row-name" title={gate.stageName}>
              {gate.actionName}
            </span>
          </div>
          <div className="jp-MLOps-row-meta">
            {gate.stageName !== gate.actionName && (
              <span>{trans.__('stage %1', gate.stageName)}</span>
            )}
            <span>{trans.__('since %1', formatTime(gate.since))}</span>
            {(gate.modelPackageVersion || gate.modelPackageArn) && (
              <span>
                {trans.__(
                  'deploys v%1',
                  gate.modelPackageVersion ??
                    gate.modelPackageArn?.split('/').pop() ??
                    ''
                )}
              </span>
            )}
          </div>
          <div className="jp-MLOps-info-actions">
            <button
              type="button"
              className="jp-MLOps-link-button"
              onClick={() => actions.decideGate(gate, 'approve')}
            >
              {trans.__('Approve deployment…')}
            </button>
            <button
              type="button"
              className="jp-MLOps-link-button"
              onClick={() => actions.decideGate(gate, 'reject')}
            >
              {trans.__('Reject deployment…')}
            </button>
          </div>
        </div>
      ))}
      {status.executions.length === 0 ? (
        <p className="jp-MLOps-muted">{trans.__('No deployments yet.')}</p>
      ) : (
        <ul
          className="jp-MLOps-deploy-executions"
          aria-label={trans.__('Latest deployments')}
        >
          {status.executions.map(e => (
            <li
              key={e.executionId}
              className="jp-MLOps-deploy-execution"
              data-execution-id={e.executionId}
              data-status={e.status}
            >
              <div className="jp-MLOps-row-meta">
                <StatusBadge status={e.status} trans={trans} />
                {e.stage && (
                  <span className="jp-MLOps-ellipsis">
                    {trans.__(
                      '%1: %2',
                      e.stage,
                      statusLabel(e.stageStatus ?? '', trans)
                    )}
                  </span>
                )}
                <span title={e.startedAt?.toISOString()}>
                  {formatTime(e.startedAt)}
                </span>
              </div>
              <a
                className="jp-MLOps-link"
                href={executionConsoleUrl(
                  region,
                  e.pipelineName,
                  e.executionId
                )}
                target="_blank"
                rel="noopener noreferrer"
                title={e.executionId}
              >
                {trans.__('%1 in the AWS console', e.executionId.slice(0, 8))}
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function RowContent(props: IViewProps & { row: Row }): JSX.Element {
  const { row, model, trans } = props;
  switch (row.kind) {
    case 'group': {
      const { group } = row;
      return (
        <>
          <div className="jp-MLOps-row-line">
            <Caret expanded={!!row.expanded} />
            <MiddleEllipsis
              className="jp-MLOps-row-name"
              text={group.name}
              tail={groupTail(group.name, model.projectShown?.name)}
            />
          </div>
          <div className="jp-MLOps-row-meta">
            {group.shared ? (
              <span className="jp-MLOps-chip">
                {trans.__('shared from %1', group.ownerAccount ?? '')}
              </span>
            ) : (
              <span className="jp-MLOps-ellipsis">
                {group.description ?? ''}
              </span>
            )}
          </div>
        </>
      );
    }
    case 'filter':
      return (
        <label className="jp-MLOps-filter">
          <span>{trans.__('Approval')}</span>
          <select
            aria-label={trans.__('Filter versions by approval status')}
            value={row.status ?? ''}
            onChange={event =>
              void model
                .versions(row.groupArn)
                ?.setFilter(
                  (event.target.value || undefined) as
                    ModelApprovalStatus | undefined
                )
            }
          >
            <option value="">{trans.__('All')}</option>
            {APPROVAL_STATUSES.map(s => (
              <option key={s} value={s}>
                {statusLabel(s, trans)}
              </option>
            ))}
          </select>
        </label>
      );
    case 'version': {
      const { version } = row;
      return (
        <>
          <div className="jp-MLOps-row-line">
            <Caret expanded={!!row.expanded} />
            <span className="jp-MLOps-row-name">
              {version.version !== undefined
                ? trans.__('Version %1', version.version)
                : version.arn}
            </span>
          </div>
          <div className="jp-MLOps-row-meta">
            <StatusBadge status={version.approvalStatus} trans={trans} />
            {version.packageStatus && version.packageStatus !== 'Completed' && (
              <span className="jp-MLOps-chip">{version.packageStatus}</span>
            )}
            {version.lifeCycle?.stage && (
              <span className="jp-MLOps-chip">{version.lifeCycle.stage}</span>
            )}
            <span title={version.createdAt?.toISOString()}>
              {formatTime(version.createdAt)}
            </span>
          </div>
        </>
      );
    }
    case 'version-info':
      return <VersionInfo {...props} row={row} />;
    case 'more':
      return (
        <button
          type="button"
          className="jp-MLOps-link-button"
          disabled={row.loading}
          onClick={() => void model.versions(row.groupArn)?.loadMore()}
        >
          {row.loading ? trans.__('Loading…') : trans.__('Load more versions')}
        </button>
      );
    case 'message':
      if (row.text === 'error' && row.error) {
        return (
          <ErrorBanner error={row.error} trans={trans} onRetry={row.retry} />
        );
      }
      return (
        <span className="jp-MLOps-muted">
          {row.text === 'loading'
            ? trans.__('Loading…')
            : trans.__('No versions.')}
        </span>
      );
  }
}

/** The details of an expanded version: every string rendered as text, never as markup. */
function VersionInfo(
  props: IViewProps & { row: Extract<Row, { kind: 'version-info' }> }
): JSX.Element {
  const { row, trans, actions } = props;
  const { detail, group } = row;
  if (detail.error) {
    return <ErrorBanner error={detail.error} trans={trans} />;
  }
  const v = detail.version;
  if (!v) {
    return <span className="jp-MLOps-muted">{trans.__('Loading…')}</span>;
  }
  const metadata = Object.entries(v.customerMetadata);
  const producedBy =
    v.generatedBy && /:pipeline\/[^/]+\/execution\//.test(v.generatedBy)
      ? v.generatedBy
      : undefined;
  return (
    <div className="jp-MLOps-info" data-version-arn={v.arn}>
      {v.description && (
        <div className="jp-MLOps-literal jp-MLOps-clamp" title={v.description}>
          {v.description}
        </div>
      )}
      {v.approvalDescription && (
        <div className="jp-MLOps-literal" title={v.approvalDescription}>
          <span className="jp-MLOps-muted">{trans.__('Comment: ')}</span>
          {v.approvalDescription}
        </div>
      )}
      <div className="jp-MLOps-ellipsis">
        {v.createdBy
          ? trans.__(
              'Registered %1 by %2',
              formatTime(v.createdAt),
              v.createdBy
            )
          : trans.__('Registered %1', formatTime(v.createdAt))}
      </div>
      {v.lastModifiedBy && (
        <div className="jp-MLOps-ellipsis">
          {trans.__(
            'Last changed %1 by %2',
            formatTime(v.lastModifiedAt),
            v.lastModifiedBy
          )}
        </div>
      )}
      {v.lifeCycle && (
        <div className="jp-MLOps-literal">
          {trans.__(
            'Stage %1 (%2)',
            v.lifeCycle.stage,
            v.lifeCycle.stageStatus
          )}
          {v.lifeCycle.stageDescription
            ? ` · ${v.lifeCycle.stageDescription}`
            : ''}
        </div>
      )}
      {metadata.length > 0 && (
        <dl
          className="jp-MLOps-metadata"
          aria-label={trans.__('Customer metadata')}
        >
          {metadata.map(([key, value]) => (
            <React.Fragment key={key}>
              <dt>{key}</dt>
              <dd className="jp-MLOps-literal">{value}</dd>
            </React.Fragment>
          ))}
        </dl>
      )}
      {detail.metricsError ? (
        <ErrorBanner error={detail.metricsError} trans={trans} quiet />
      ) : detail.metrics ? (
        <MetricList metrics={detail.metrics} trans={trans} />
      ) : v.metricsReports.length ? (
        <span className="jp-MLOps-muted">{trans.__('Reading metrics…')}</span>
      ) : (
        <span className="jp-MLOps-muted">
          {trans.__('No evaluation report.')}
        </span>
      )}
      <div className="jp-MLOps-info-actions">
        {!group.shared && (
          <>
            <button
              type="button"
              className="jp-MLOps-link-button"
              onClick={() => actions.decide(v.arn, 'Approved')}
            >
              {trans.__('Approve…')}
            </button>
            <button
              type="button"
              className="jp-MLOps-link-button"
              onClick={() => actions.decide(v.arn, 'Rejected')}
            >
              {trans.__('Reject…')}
            </button>
          </>
        )}
        <button
          type="button"
          className="jp-MLOps-link-button"
          onClick={() => actions.compare(v.arn)}
        >
          {trans.__('Compare with approved')}
        </button>
        {producedBy && (
          <button
            type="button"
            className="jp-MLOps-link-button"
            onClick={() => actions.openExecution(producedBy)}
          >
            {trans.__('Open producing execution')}
          </button>
        )}
      </div>
    </div>
  );
}

/** What tells a group's name apart: what follows the project's name (at least 8 characters). */
function groupTail(name: string, project?: string): number {
  return project && name.startsWith(project)
    ? Math.max(8, name.length - project.length)
    : 12;
}

function Caret(props: { expanded: boolean }): JSX.Element {
  const Icon = props.expanded ? caretDownIcon : caretRightIcon;
  return <Icon.react tag="span" className="jp-MLOps-caret" />;
}
