/**
 * Asking a notebook's kernel, best effort, which run it is recording: an active MLflow run (or the MLflow
 * experiment it is set to), or the SageMaker Python SDK's current run. Only modules the notebook already
 * imported are looked at (nothing is imported into the user's kernel), and nothing is left in its namespace.
 */
import type { Kernel, KernelMessage } from '@jupyterlab/services';

import type { IExperiment } from '../core/runs/types';

/** What the kernel said. */
export interface IKernelRunContext {
  mlflow?: { runId?: string; experimentId?: string; experimentName?: string };
  sagemaker?: {
    experimentName?: string;
    runName?: string;
    trialComponentName?: string;
  };
}

/** Python run in a fresh namespace; it sets `result` to a JSON text (ASCII, no single quote). */
export const PROBE = `
import sys, json, os
out = {}
m = sys.modules.get('mlflow')
if m is not None:
    info = {}
    try:
        r = m.active_run()
        if r is not None:
            info = {'runId': r.info.run_id, 'experimentId': str(r.info.experiment_id)}
    except Exception:
        pass
    if not info:
        try:
            from mlflow.tracking import fluent
            eid = fluent._get_experiment_id()
            if eid and str(eid) != '0':
                info = {'experimentId': str(eid)}
        except Exception:
            pass
    if not info and os.environ.get('MLFLOW_EXPERIMENT_NAME'):
        info = {'experimentName': os.environ['MLFLOW_EXPERIMENT_NAME']}
    if info:
        out['mlflow'] = info
if 'sagemaker.experiments' in sys.modules or 'sagemaker.experiments.run' in sys.modules:
    try:
        from sagemaker.experiments._run_context import _RunContext
        run = _RunContext.get_current_run()
        if run is not None:
            tc = getattr(run, '_trial_component', None)
            out['sagemaker'] = {
                'experimentName': getattr(run, 'experiment_name', None),
                'runName': getattr(run, 'run_name', None),
                'trialComponentName': getattr(tc, 'trial_component_name', None),
            }
    except Exception:
        pass
result = json.dumps(out).replace("'", "\\\\u0027")
`;

/** One expression that runs the probe in its own namespace and gives its `result`. */
export function probeExpression(code = PROBE): string {
  return `(lambda ns: (exec(${JSON.stringify(code)}, ns), ns.get('result'))[1])({})`;
}

/** The context from the `text/plain` repr of the probe's result (a Python str literal of JSON). */
export function parseProbe(text: string | undefined): IKernelRunContext | null {
  if (!text) {
    return null;
  }
  const trimmed = text.trim();
  const quoted = /^'(.*)'$/s.exec(trimmed) ?? /^"(.*)"$/s.exec(trimmed);
  if (!quoted) {
    return null;
  }
  try {
    const json = quoted[1].replace(/\\\\/g, '\\');
    const value = JSON.parse(json);
    if (!value || typeof value !== 'object') {
      return null;
    }
    const context: IKernelRunContext = {};
    if (value.mlflow && typeof value.mlflow === 'object') {
      context.mlflow = strings(value.mlflow, [
        'runId',
        'experimentId',
        'experimentName'
      ]);
    }
    if (value.sagemaker && typeof value.sagemaker === 'object') {
      context.sagemaker = strings(value.sagemaker, [
        'experimentName',
        'runName',
        'trialComponentName'
      ]);
    }
    return context;
  } catch {
    return null;
  }
}

function strings<K extends string>(
  value: Record<string, unknown>,
  keys: K[]
): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const key of keys) {
    if (typeof value[key] === 'string' && value[key]) {
      out[key] = value[key] as string;
    }
  }
  return out;
}

/** Ask a Python kernel (within `timeoutMs`); null when it is not Python, busy too long, or says nothing. */
export async function askKernel(
  kernel: Kernel.IKernelConnection,
  timeoutMs = 5000
): Promise<IKernelRunContext | null> {
  const future = kernel.requestExecute(
    {
      code: '',
      silent: true,
      store_history: false,
      user_expressions: { mlops: probeExpression() },
      allow_stdin: false,
      stop_on_error: false
    },
    true
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>(resolve => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    const reply = await Promise.race([future.done, timeout]);
    if (!reply) {
      return null;
    }
    const content = (reply as KernelMessage.IExecuteReplyMsg).content;
    if (content.status !== 'ok') {
      return null;
    }
    const expression = (content.user_expressions ?? {})['mlops'] as
      { status?: string; data?: Record<string, unknown> } | undefined;
    if (expression?.status !== 'ok') {
      return null;
    }
    return parseProbe(expression.data?.['text/plain'] as string | undefined);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** The experiment (and run) a kernel's context names, among the project's (or as the kernel names it). */
export async function experimentOfContext(
  model: { allExperiments(): Promise<IExperiment[]> },
  context: IKernelRunContext | null
): Promise<{ experiment?: IExperiment; runKey?: string }> {
  if (!context || (!context.mlflow && !context.sagemaker)) {
    return {};
  }
  const experiments = await model.allExperiments();
  const mlflow = context.mlflow;
  if (mlflow && (mlflow.experimentId || mlflow.experimentName)) {
    const experiment =
      experiments.find(
        e =>
          e.source === 'mlflow' &&
          (mlflow.experimentId
            ? e.id === mlflow.experimentId
            : e.name === mlflow.experimentName)
      ) ??
      (mlflow.experimentId
        ? {
            id: mlflow.experimentId,
            name: mlflow.experimentName ?? mlflow.experimentId,
            source: 'mlflow' as const,
            tags: {}
          }
        : undefined);
    if (experiment) {
      return {
        experiment,
        runKey: mlflow.runId ? `mlflow:${mlflow.runId}` : undefined
      };
    }
  }
  const sagemaker = context.sagemaker;
  if (sagemaker?.experimentName) {
    const experiment = experiments.find(
      e =>
        e.source === 'sagemaker-experiments' &&
        (e.id === sagemaker.experimentName ||
          e.name === sagemaker.experimentName)
    ) ?? {
      id: sagemaker.experimentName,
      name: sagemaker.experimentName,
      source: 'sagemaker-experiments' as const,
      tags: {}
    };
    return {
      experiment,
      runKey: sagemaker.trialComponentName
        ? `sagemaker-experiments:${sagemaker.trialComponentName}`
        : undefined
    };
  }
  return {};
}
