/**
 * Pipeline definitions (the JSON the SageMaker Python SDK writes): typed
 * parameters with defaults, and the step graph. Pure functions.
 */
import { MLOpsError } from './errors';
import { IParameterSpec, IPipelineGraph, ParameterType } from './types';

export interface IPipelineDefinition {
  version?: string;
  parameters: IParameterSpec[];
  graph: IPipelineGraph;
}

const TYPES: ParameterType[] = ['String', 'Integer', 'Float', 'Boolean'];

function invalid(message: string): MLOpsError {
  return new MLOpsError({
    code: 'InvalidPipelineDefinition',
    message,
    kind: 'validation'
  });
}

/** Names of the steps a value refers to: `{"Get": "Steps.<Name>..."}` anywhere inside it. */
export function stepReferences(
  value: unknown,
  found: Set<string> = new Set()
): Set<string> {
  if (Array.isArray(value)) {
    value.forEach(v => stepReferences(v, found));
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(
      value as Record<string, unknown>
    )) {
      if (
        key === 'Get' &&
        typeof inner === 'string' &&
        inner.startsWith('Steps.')
      ) {
        found.add(inner.split('.')[1].split('[')[0]);
      } else {
        stepReferences(inner, found);
      }
    }
  }
  return found;
}

/** Parse a pipeline definition; throws an `MLOpsError` of kind 'validation' naming the problem. */
export function parseDefinition(json: string): IPipelineDefinition {
  let raw: any;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw invalid(
      `The pipeline definition is not valid JSON: ${(error as Error).message}`
    );
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalid('The pipeline definition must be a JSON object.');
  }
  if (!Array.isArray(raw.Steps)) {
    throw invalid('The pipeline definition has no "Steps" list.');
  }
  const parameters: IParameterSpec[] = [];
  for (const p of raw.Parameters ?? []) {
    if (!p || typeof p.Name !== 'string') {
      throw invalid('Every entry of "Parameters" needs a "Name".');
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

  const nodes: IPipelineGraph['nodes'] = [];
  const edges: IPipelineGraph['edges'] = [];
  const names = new Set<string>();
  const visit = (steps: any[], parent?: string) => {
    for (const step of steps) {
      if (!step || typeof step.Name !== 'string') {
        throw invalid('Every step needs a "Name".');
      }
      if (names.has(step.Name)) {
        throw invalid(`The step name "${step.Name}" is used twice.`);
      }
      names.add(step.Name);
      nodes.push({
        name: step.Name,
        type: String(step.Type ?? 'Unknown'),
        displayName: step.DisplayName
      });
      const deps = new Set<string>([...(step.DependsOn ?? [])]);
      // A condition's branches are its children, not its inputs: only its Conditions are read.
      stepReferences(
        step.Type === 'Condition' ? step.Arguments?.Conditions : step.Arguments,
        deps
      );
      stepReferences(step.PropertyFiles, deps);
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
    graph: { nodes, edges: edges.filter(e => names.has(e.from)) }
  };
}

/** Check and normalise a parameter value typed by the user. */
export function coerceParameter(
  spec: IParameterSpec,
  raw: string
): { ok: true; value: string } | { ok: false; error: string } {
  const text = raw.trim();
  switch (spec.type) {
    case 'Integer':
      if (!/^[+-]?\d+$/.test(text)) {
        return { ok: false, error: `"${raw}" is not a whole number.` };
      }
      return { ok: true, value: String(parseInt(text, 10)) };
    case 'Float': {
      const value = Number(text);
      if (text === '' || !Number.isFinite(value)) {
        return { ok: false, error: `"${raw}" is not a number.` };
      }
      return { ok: true, value: text.replace(/^\+/, '') };
    }
    case 'Boolean': {
      const lowered = text.toLowerCase();
      if (lowered !== 'true' && lowered !== 'false') {
        return { ok: false, error: `"${raw}" is not true or false.` };
      }
      return { ok: true, value: lowered };
    }
    default:
      if (spec.enumValues && !spec.enumValues.includes(raw)) {
        return {
          ok: false,
          error: `"${raw}" is not one of ${spec.enumValues.join(', ')}.`
        };
      }
      return { ok: true, value: raw };
  }
}
