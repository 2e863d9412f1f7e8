/**
 * The deployment gate over the CodePipeline API: the project's deploy
 * pipeline, the executions waiting at its manual approval (with the model
 * version each deploys), and the approver's decision.
 */
import {
  GetPipelineCommand,
  GetPipelineExecutionCommand,
  GetPipelineStateCommand,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
  PutApprovalResultCommand,
  ActionExecutionDetail,
  GetPipelineOutput,
  StageState,
  paginateListPipelines,
  paginateListTagsForResource
} from '@aws-sdk/client-codepipeline';

import { IAwsClients, call, collect, mapLimit } from '../aws';
import { MLOpsError } from '../errors';
import { IProject } from '../types';
import {
  SUMMARY_MAX,
  approvalActions,
  deployExecutions,
  deployPipelineNames,
  deployedVersion,
  gateError,
  gatesFromActionExecutions,
  gatesFromState,
  tagsNameProject
} from './rules';
import type {
  IDeployGate,
  IDeployPipeline,
  IDeployStatus,
  IGateDecision
} from './types';

/** How long a manual approval waits before it fails as expired: older action executions are not read. */
const APPROVAL_LIFETIME_MS = 7 * 24 * 3600 * 1000;

export class DeployGateService {
  constructor(clients: IAwsClients) {
    this._clients = clients;
  }

  /**
   * The project's deploy CodePipeline: first by the platform's names (`sagemaker-<project>-<id>-modeldeploy`,
   * `<project>_deploy_pipeline`), kept unless their tags name another project; else the pipeline tagged with
   * the project that has a manual approval. Undefined when there is none.
   */
  async findDeployPipeline(
    project: IProject
  ): Promise<IDeployPipeline | undefined> {
    for (const name of deployPipelineNames(project)) {
      const found = await this._getPipeline(name);
      if (!found) {
        continue;
      }
      const tags = await this._tags(found.metadata?.pipelineArn);
      if (tagsNameProject(tags, project) !== false) {
        return this._deployPipeline(found, tags);
      }
    }
    const names = (
      await collect(
        'ListPipelines',
        paginateListPipelines({ client: this._clients.codepipeline }, {}),
        page => page.pipelines
      )
    )
      .map(p => p.name ?? '')
      .filter(Boolean);
    const candidates: IDeployPipeline[] = [];
    await mapLimit(names, 4, async name => {
      const found = await this._getPipeline(name);
      const tags = await this._tags(found?.metadata?.pipelineArn);
      if (found && tagsNameProject(tags, project)) {
        const pipeline = this._deployPipeline(found, tags);
        if (pipeline.approvals.length) {
          candidates.push(pipeline);
        }
      }
    });
    return candidates.sort((a, b) => a.name.localeCompare(b.name))[0];
  }

  /**
   * The executions waiting at a manual approval of the pipeline, newest first, each with its token and the
   * version it deploys. SUPERSEDED (and QUEUED) mode: from GetPipelineState; PARALLEL mode, where the state
   * carries no token: from ListActionExecutions (the last seven days).
   */
  async listWaitingGates(pipeline: IDeployPipeline): Promise<IDeployGate[]> {
    const stages =
      pipeline.executionMode === 'PARALLEL'
        ? undefined
        : await this._state(pipeline.name);
    return this._gates(pipeline, stages);
  }

  /**
   * The pipeline's latest executions (one ListPipelineExecutions) with the stage each reached, and the
   * approvals waiting now: one GetPipelineState for both, plus one GetPipelineExecution per waiting approval
   * (and ListActionExecutions in PARALLEL mode).
   */
  async deployStatus(
    pipeline: IDeployPipeline,
    options: { executions?: number } = {}
  ): Promise<IDeployStatus> {
    const [stages, listed] = await Promise.all([
      this._state(pipeline.name),
      call('ListPipelineExecutions', () =>
        this._clients.codepipeline.send(
          new ListPipelineExecutionsCommand({
            pipelineName: pipeline.name,
            maxResults: Math.max(1, Math.min(options.executions ?? 5, 100))
          })
        )
      )
    ]);
    const gates = await this._gates(
      pipeline,
      pipeline.executionMode === 'PARALLEL' ? undefined : stages
    );
    return {
      pipeline,
      executions: deployExecutions(
        pipeline.name,
        listed.pipelineExecutionSummaries,
        stages
      ),
      gates
    };
  }

  private async _state(name: string): Promise<StageState[] | undefined> {
    const state = await call('GetPipelineState', () =>
      this._clients.codepipeline.send(new GetPipelineStateCommand({ name }))
    );
    return state.stageStates;
  }

  /** Waiting approvals: from the state given (SUPERSEDED, QUEUED), else from action executions (PARALLEL). */
  private async _gates(
    pipeline: IDeployPipeline,
    stages: StageState[] | undefined
  ): Promise<IDeployGate[]> {
    let gates: IDeployGate[];
    let details: ActionExecutionDetail[] = [];
    if (stages === undefined) {
      details = await this._recentActionExecutions(pipeline.name);
      gates = gatesFromActionExecutions(
        pipeline.name,
        details,
        pipeline.approvals
      );
    } else {
      gates = gatesFromState(pipeline.name, stages, pipeline.approvals);
    }
    await mapLimit(gates, 4, async gate => {
      const out = await call('GetPipelineExecution', () =>
        this._clients.codepipeline.send(
          new GetPipelineExecutionCommand({
            pipelineName: pipeline.name,
            pipelineExecutionId: gate.executionId
          })
        )
      );
      Object.assign(gate, deployedVersion(out.pipelineExecution?.variables));
      if (!gate.modelPackageArn) {
        // The Build action's output variables name it too (when the execution's variable says `latest`).
        const build = details.find(
          d =>
            d.pipelineExecutionId === gate.executionId &&
            d.output?.outputVariables?.ModelPackageArn
        );
        gate.modelPackageArn = build?.output?.outputVariables?.ModelPackageArn;
      }
    });
    const at = (g: IDeployGate) => g.since?.getTime() ?? 0;
    return gates.sort((a, b) => at(b) - at(a));
  }

  /**
   * Approve or reject a waiting approval (`PutApprovalResult`). One that no longer waits (its token is stale,
   * or it was decided already) is a `GateChanged` conflict: refresh the gates.
   */
  async decide(gate: IDeployGate, decision: IGateDecision): Promise<void> {
    const length = Array.from(decision.summary).length;
    if (length > SUMMARY_MAX) {
      throw new MLOpsError({
        code: 'InvalidSummary',
        message: `The summary must have at most ${SUMMARY_MAX} characters (it has ${length}).`,
        kind: 'validation',
        params: { length: String(length), max: String(SUMMARY_MAX) }
      });
    }
    try {
      await call('PutApprovalResult', () =>
        this._clients.codepipeline.send(
          new PutApprovalResultCommand({
            pipelineName: gate.pipelineName,
            stageName: gate.stageName,
            actionName: gate.actionName,
            token: gate.token,
            result: {
              status: decision.approve ? 'Approved' : 'Rejected',
              summary: decision.summary
            }
          })
        )
      );
    } catch (error) {
      throw gateError(error as MLOpsError, gate);
    }
  }

  /** Action executions of the pipeline started within an approval's lifetime, newest first. */
  private async _recentActionExecutions(
    pipelineName: string
  ): Promise<ActionExecutionDetail[]> {
    const oldest = Date.now() - APPROVAL_LIFETIME_MS;
    const details: ActionExecutionDetail[] = [];
    let token: string | undefined;
    do {
      const out = await call('ListActionExecutions', () =>
        this._clients.codepipeline.send(
          new ListActionExecutionsCommand({
            pipelineName,
            maxResults: 100,
            nextToken: token
          })
        )
      );
      const page = out.actionExecutionDetails ?? [];
      details.push(...page);
      token = out.nextToken;
      if (page.some(d => (d.startTime?.getTime() ?? Infinity) < oldest)) {
        break;
      }
    } while (token);
    return details;
  }

  private async _getPipeline(
    name: string
  ): Promise<GetPipelineOutput | undefined> {
    try {
      return await call('GetPipeline', () =>
        this._clients.codepipeline.send(new GetPipelineCommand({ name }))
      );
    } catch (error) {
      const e = error as MLOpsError;
      if (e.code === 'PipelineNotFoundException' || e.kind === 'notFound') {
        return undefined;
      }
      throw error;
    }
  }

  private async _tags(
    arn: string | undefined
  ): Promise<Record<string, string>> {
    if (!arn) {
      return {};
    }
    const tags = await collect(
      'ListTagsForResource',
      paginateListTagsForResource(
        { client: this._clients.codepipeline },
        { resourceArn: arn }
      ),
      page => page.tags
    );
    return Object.fromEntries(
      tags.filter(t => t.key).map(t => [t.key as string, t.value ?? ''])
    );
  }

  private _deployPipeline(
    found: GetPipelineOutput,
    tags: Record<string, string>
  ): IDeployPipeline {
    return {
      name: found.pipeline?.name ?? '',
      arn: found.metadata?.pipelineArn ?? '',
      executionMode: found.pipeline?.executionMode ?? 'SUPERSEDED',
      approvals: approvalActions(found.pipeline),
      tags
    };
  }

  private _clients: IAwsClients;
}
