/**
 * Pipeline definitions (the JSON the SageMaker Python SDK writes): typed
 * parameters with defaults, and the step graph. Pure functions.
 */
import { MLOpsError } from '../errors';
import { IParameterSpec, IPipelineGraph, ParameterType } from './types';

export interface IPipelineDefinition {
  version?: string;
  parameters: IParameterSpec[];
  graph: IPipelineGraph;
  /** The definition's top-level `Steps`, as written (condition branches stay nested inside). */
  steps: unknown[];
}

const TYPES: ParameterType[] = ['String', 'Integer', 'Float', 'Boolean'];
/** SageMaker's limit on a pipeline parameter value. */
const MAX_VALUE_LENGTH = 1024;

/** What is wrong with a definition (`MLOpsError.params.problem`), for the host to say in the user's language. */
export type DefinitionProblem =
  | 'notJson'
  | 'notObject'
  | 'noSteps'
  | 'parameterName'
  | 'stepName'
  | 'duplicateStep'
  | 'dependsOnNotList';

function invalid(
  problem: DefinitionProblem,
  message: string,
  params: Record<string, string> = {}
): MLOpsError {
  return new MLOpsError({
    code: 'InvalidPipelineDefinition',
    message,
    kind: 'validation',
    params: { problem, ...params }
  });
}

/**
 * Names of the steps a value refers to, anywhere inside it: `{"Get": "Steps.<Name>..."}` (which also covers
 * `Std:Join` and `Std:JsonGet` over step properties), and `Std:JsonGet` whose `PropertyFile` is given by
 * name, resolved with `propertyFiles` (property file name -> step that declares it).
 */
export function stepReferences(
  value: unknown,
  found: Set<string> = new Set(),
  propertyFiles: Map<string, string> = new Map()
): Set<string> {
  if (Array.isArray(value)) {
    value.forEach(v => stepReferences(v, found, propertyFiles));
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(
      value as Record<string, unknown>
    )) {
      if (key === 'Get' && typeof inner === 'string') {
        const match = /^Steps\.([^.[\]]+)/.exec(inner);
        if (match) {
          found.add(match[1]);
        }
      } else if (
        key === 'PropertyFile' &&
        typeof inner === 'string' &&
        propertyFiles.has(inner)
      ) {
        found.add(propertyFiles.get(inner) as string);
      } else {
        stepReferences(inner, found, propertyFiles);
      }
    }
  }
  return found;
}

/** Property file name -> the step declaring it, over all steps including condition branches. */
function propertyFileOwners(
  steps: unknown[],
  owners: Map<string, string> = new Map()
): Map<string, string> {
  for (const step of steps as any[]) {
    if (!step || typeof step !== 'object') {
      continue;
    }
    for (const file of Array.isArray(step.PropertyFiles)
      ? step.PropertyFiles
      : []) {
      if (typeof file?.PropertyFileName === 'string') {
        owners.set(file.PropertyFileName, step.Name);
      }
    }
    if (step.Type === 'Condition') {
      propertyFileOwners(step.Arguments?.IfSteps ?? [], owners);
      propertyFileOwners(step.Arguments?.ElseSteps ?? [], owners);
    }
  }
  return owners;
}

/** Parse a pipeline definition; throws an `MLOpsError` of kind 'validation' naming the problem. */
export function parseDefinition(json: string): IPipelineDefinition {
  let raw: any;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw invalid(
      'notJson',
      `The pipeline definition is not valid JSON: ${(error as Error).message}`,
      { detail: (error as Error).message }
    );
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalid(
      'notObject',
      'The pipeline definition must be a JSON object.'
    );
  }
  if (!Array.isArray(raw.Steps)) {
    throw invalid('noSteps', 'The pipeline definition has no "Steps" list.');
  }
  const parameters: IParameterSpec[] = [];
  for (const p of raw.Parameters ?? []) {
    if (!p || typeof p.Name !== 'string') {
      throw invalid(
        'parameterName',
        'Every entry of "Parameters" needs a "Name".'
      );
    }
    const type: ParameterType = TYPES.includes(p.Type) ? p.Type : 'String';
    const spec: IParameterSpec = { name: p.Name, type };
    if (p.DefaultValue !== undefined && p.DefaultValue !== null) {
      spec.defaultValue =
        type === 'Boolean'
          ? String(p.DefaultValue).toLowerCase()
          : String(p.DefaultValue);
    }
    if (Array.isArray(p.EnumValues) && p.EnumValues.length) {
      spec.enumValues = p.EnumValues.map(String);
    }
    parameters.push(spec);
  }

  const owners = propertyFileOwners(raw.Steps);
  const nodes: IPipelineGraph['nodes'] = [];
  const edges: IPipelineGraph['edges'] = [];
  const names = new Set<string>();
  const visit = (steps: any[], parent?: string) => {
    for (const step of steps) {
      if (!step || typeof step.Name !== 'string') {
        throw invalid('stepName', 'Every step needs a "Name".');
      }
      if (names.has(step.Name)) {
        throw invalid(
          'duplicateStep',
          `The step name "${step.Name}" is used twice.`,
          { step: step.Name }
        );
      }
      names.add(step.Name);
      nodes.push({
        name: step.Name,
        type: String(step.Type ?? 'Unknown'),
        displayName: step.DisplayName
      });
      if (step.DependsOn !== undefined && !Array.isArray(step.DependsOn)) {
        throw invalid(
          'dependsOnNotList',
          `"DependsOn" of the step "${step.Name}" must be a list.`,
          { step: step.Name }
        );
      }
      const deps = new Set<string>(
        (step.DependsOn ?? []).filter((d: unknown) => typeof d === 'string')
      );
      // A condition's branches are its children, not its inputs: only its Conditions are read.
      stepReferences(
        step.Type === 'Condition' ? step.Arguments?.Conditions : step.Arguments,
        deps,
        owners
      );
      if (parent) {
        deps.add(parent);
      }
      deps.delete(step.Name);
      for (const from of deps) {
        edges.push({ from, to: step.Name });
      }
      if (step.Type === 'Condition') {
        visit(step.Arguments?.IfSteps ?? [], step.Name);
        visit(step.Arguments?.ElseSteps ?? [], step.Name);
      }
    }
  };
  visit(raw.Steps);
  return {
    version: raw.Version,
    parameters,
    graph: { nodes, edges: edges.filter(e => names.has(e.from)) },
    steps: raw.Steps
  };
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Why a typed parameter value is refused; the host words it. */
export type ParameterProblem =
  | { problem: 'tooLong'; limit: number }
  | { problem: 'notInteger' | 'notNumber' | 'notBoolean'; value: string }
  | { problem: 'notAllowed'; value: string; allowed: string[] };

/**
 * Check and normalise a parameter value typed by the user. Integer: digits with an optional sign (leading
 * zeros and `+` dropped, any size). Float: a finite decimal number (no hex, no Infinity/NaN). Boolean:
 * true/false in any case, sent as `true`/`false`. String: anything, or one of `EnumValues` when declared.
 * Values longer than SageMaker's 1024 characters are refused.
 */
export function coerceParameter(
  spec: IParameterSpec,
  raw: string
): { ok: true; value: string } | { ok: false; error: ParameterProblem } {
  const text = raw.trim();
  if (raw.length > MAX_VALUE_LENGTH) {
    return {
      ok: false,
      error: { problem: 'tooLong', limit: MAX_VALUE_LENGTH }
    };
  }
  switch (spec.type) {
    case 'Integer': {
      if (!INTEGER.test(text)) {
        return { ok: false, error: { problem: 'notInteger', value: raw } };
      }
      const negative = text.startsWith('-');
      const digits = text.replace(/^[+-]/, '').replace(/^0+(?=\d)/, '');
      return {
        ok: true,
        value: negative && digits !== '0' ? `-${digits}` : digits
      };
    }
    case 'Float': {
      if (!DECIMAL.test(text) || !Number.isFinite(Number(text))) {
        return { ok: false, error: { problem: 'notNumber', value: raw } };
      }
      return { ok: true, value: text.replace(/^\+/, '') };
    }
    case 'Boolean': {
      const lowered = text.toLowerCase();
      if (lowered !== 'true' && lowered !== 'false') {
        return { ok: false, error: { problem: 'notBoolean', value: raw } };
      }
      return { ok: true, value: lowered };
    }
    default:
      if (spec.enumValues && !spec.enumValues.includes(raw)) {
        return {
          ok: false,
          error: { problem: 'notAllowed', value: raw, allowed: spec.enumValues }
        };
      }
      return { ok: true, value: raw };
  }
}
