/**
 * The deploy gate's rules that need no AWS request: which pipeline is the
 * project's deploy pipeline, where a waiting approval and its token are, which
 * version an execution deploys, and how a stale decision is reported. No AWS
 * SDK import at run time.
 */
import type {
  ActionExecutionDetail,
  PipelineDeclaration,
  PipelineExecutionSummary,
  ResolvedPipelineVariable,
  StageState
} from '@aws-sdk/client-codepipeline';

import { MLOpsError } from '../errors';
import { projectFromTags } from '../project/tags';
import type { IProject } from '../types';
import type { IApprovalAction, IDeployExecution, IDeployGate } from './types';

/** The platform's names of a project's deploy CodePipeline, most specific first. */
export function deployPipelineNames(project: IProject): string[] {
  const names: string[] = [];
  if (project.id) {
    names.push(`sagemaker-${project.name}-${project.id}-modeldeploy`);
  }
  names.push(`${project.name}_deploy_pipeline`);
  return names;
}

/** Whether a pipeline's tags name the project (SageMaker's or CloudFormation's); undefined when untagged. */
export function tagsNameProject(
  tags: Record<string, string>,
  project: IProject
): boolean | undefined {
  const owner = projectFromTags(tags);
  if (!owner.id && !owner.name) {
    return undefined;
  }
  return owner.id ? owner.id === project.id : owner.name === project.name;
}

/** The manual approval actions of a pipeline declaration, in stage order. */
export function approvalActions(
  declaration: PipelineDeclaration | undefined
): IApprovalAction[] {
  const out: IApprovalAction[] = [];
  for (const stage of declaration?.stages ?? []) {
    for (const action of stage.actions ?? []) {
      if (
        action.actionTypeId?.category === 'Approval' &&
        action.actionTypeId?.provider === 'Manual'
      ) {
        out.push({
          stageName: stage.name ?? '',
          actionName: action.name ?? ''
        });
      }
    }
  }
  return out;
}

function isApproval(
  approvals: IApprovalAction[],
  stageName?: string,
  actionName?: string
): boolean {
  return approvals.some(
    a => a.stageName === stageName && a.actionName === actionName
  );
}

/**
 * Approvals waiting now, as GetPipelineState says (SUPERSEDED and QUEUED modes): an approval action whose
 * latest execution is in progress with a token, for the stage's latest pipeline execution.
 */
export function gatesFromState(
  pipelineName: string,
  stages: StageState[] | undefined,
  approvals: IApprovalAction[]
): IDeployGate[] {
  const gates: IDeployGate[] = [];
  for (const stage of stages ?? []) {
    for (const action of stage.actionStates ?? []) {
      const latest = action.latestExecution;
      if (
        isApproval(approvals, stage.stageName, action.actionName) &&
        latest?.status === 'InProgress' &&
        latest.token &&
        stage.latestExecution?.pipelineExecutionId
      ) {
        gates.push({
          pipelineName,
          stageName: stage.stageName ?? '',
          actionName: action.actionName ?? '',
          executionId: stage.latestExecution.pipelineExecutionId,
          token: latest.token,
          since: latest.lastStatusChange
        });
      }
    }
  }
  return gates;
}

/**
 * Approvals waiting now, from action executions (PARALLEL mode, where GetPipelineState has no token): each
 * in-progress approval action execution, its token in `output.executionResult.externalExecutionId`.
 */
export function gatesFromActionExecutions(
  pipelineName: string,
  details: ActionExecutionDetail[],
  approvals: IApprovalAction[]
): IDeployGate[] {
  const gates: IDeployGate[] = [];
  const seen = new Set<string>();
  for (const d of details) {
    const token = d.output?.executionResult?.externalExecutionId;
    const key = `${d.pipelineExecutionId}/${d.stageName}/${d.actionName}`;
    if (
      d.status === 'InProgress' &&
      token &&
      d.pipelineExecutionId &&
      isApproval(approvals, d.stageName, d.actionName) &&
      !seen.has(key)
    ) {
      seen.add(key);
      gates.push({
        pipelineName,
        stageName: d.stageName ?? '',
        actionName: d.actionName ?? '',
        executionId: d.pipelineExecutionId,
        token,
        since: d.startTime
      });
    }
  }
  return gates;
}

/** The version an execution deploys, from its variables (`latest` is not a version). */
export function deployedVersion(
  variables: ResolvedPipelineVariable[] | undefined
): Pick<
  IDeployGate,
  'modelPackageArn' | 'modelPackageVersion' | 'modelPackageGroupName'
> {
  const value = (name: string) =>
    variables?.find(v => v.name === name)?.resolvedValue || undefined;
  const arn = value('ModelPackageArn');
  return {
    modelPackageArn: arn && arn !== 'latest' ? arn : undefined,
    modelPackageVersion: value('ModelPackageVersion'),
    modelPackageGroupName: value('ModelPackageGroupName')
  };
}

const STALE = new Set([
  'InvalidApprovalTokenException',
  'ApprovalAlreadyCompletedException'
]);

/** A decision on an approval that no longer waits (stale token, already decided) becomes `GateChanged`. */
export function gateError(error: MLOpsError, gate: IDeployGate): MLOpsError {
  if (!STALE.has(error.code)) {
    return error;
  }
  return new MLOpsError({
    code: 'GateChanged',
    message: `The approval ${gate.actionName} of ${gate.pipelineName} no longer waits for a decision (${error.code}).`,
    kind: 'conflict',
    operation: 'PutApprovalResult',
    status: error.status,
    requestId: error.requestId,
    params: {
      pipeline: gate.pipelineName,
      stage: gate.stageName,
      action: gate.actionName,
      executionId: gate.executionId,
      reason: error.code
    }
  });
}

/** Bounds of an approval summary, in characters. */
export const SUMMARY_MAX = 512;

/**
 * The deploy executions of a listing, each with the last stage it entered as GetPipelineState says (the
 * state names, per stage, the execution that last entered it).
 */
export function deployExecutions(
  pipelineName: string,
  summaries: PipelineExecutionSummary[] | undefined,
  stages: StageState[] | undefined
): IDeployExecution[] {
  return (summaries ?? [])
    .filter(s => s.pipelineExecutionId)
    .map(s => {
      const id = s.pipelineExecutionId as string;
      const entered = (stages ?? []).filter(
        st => st.latestExecution?.pipelineExecutionId === id
      );
      const last = entered[entered.length - 1];
      // Finished a stage, and waits for the next to be free (SUPERSEDED mode): it is at that stage's door.
      const waitingAt = (stages ?? []).find(st =>
        [st.inboundExecution, ...(st.inboundExecutions ?? [])].some(
          inbound => inbound?.pipelineExecutionId === id
        )
      );
      if (waitingAt && s.status === 'InProgress') {
        return {
          pipelineName,
          executionId: id,
          status: s.status,
          startedAt: s.startTime,
          updatedAt: s.lastUpdateTime,
          trigger: s.trigger?.triggerType,
          stage: waitingAt.stageName,
          stageStatus: 'Waiting',
          statusSummary: s.statusSummary
        };
      }
      return {
        pipelineName,
        executionId: id,
        status: s.status ?? 'InProgress',
        startedAt: s.startTime,
        updatedAt: s.lastUpdateTime,
        trigger: s.trigger?.triggerType,
        stage: last?.stageName,
        stageStatus: last?.latestExecution?.status,
        statusSummary: s.statusSummary
      };
    });
}

export { executionConsoleUrl } from './urls';
