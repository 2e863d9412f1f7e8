import { Dialog, ReactWidget, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import {
  ParameterProblem,
  coerceParameter
} from '../core/pipelines/definition';
import { IParameterSpec } from '../core/pipelines/types';
import '../../style/views.css';

/** What the run dialog collects. */
export interface IRunRequest {
  values: Record<string, string>;
  displayName: string;
  description: string;
}

/** Field name -> error message. */
export type RunErrors = Record<string, string>;

const DISPLAY_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,81}$/;

/**
 * Validate a run request against the pipeline's parameter specs. Returns the
 * coerced request (integers, floats and booleans normalised) and the errors.
 */
export function validateRunRequest(
  specs: IParameterSpec[],
  request: IRunRequest,
  trans: TranslationBundle
): { request: IRunRequest; errors: RunErrors } {
  const errors: RunErrors = {};
  const values: Record<string, string> = {};
  for (const spec of specs) {
    const raw = request.values[spec.name] ?? '';
    const result = coerceParameter(spec, raw);
    if (result.ok) {
      values[spec.name] = result.value;
    } else {
      values[spec.name] = raw;
      errors[spec.name] = describeProblem(result.error, trans);
    }
  }
  if (request.displayName && !DISPLAY_NAME.test(request.displayName)) {
    errors['$displayName'] = trans.__(
      'Use letters, digits and hyphens only (up to 82 characters), starting with a letter or digit.'
    );
  }
  if (request.description.length > 3072) {
    errors['$description'] = trans.__(
      'The description is limited to 3072 characters.'
    );
  }
  return { request: { ...request, values }, errors };
}

/** Why a value is refused, in the user's language. */
function describeProblem(
  error: ParameterProblem,
  trans: TranslationBundle
): string {
  switch (error.problem) {
    case 'tooLong':
      return trans.__('The value is longer than %1 characters.', error.limit);
    case 'notInteger':
      return trans.__('"%1" is not a whole number.', error.value);
    case 'notNumber':
      return trans.__('"%1" is not a number.', error.value);
    case 'notBoolean':
      return trans.__('"%1" is not true or false.', error.value);
    case 'notAllowed':
      return trans.__(
        '"%1" is not one of %2.',
        error.value,
        error.allowed.join(', ')
      );
  }
}

/**
 * The "Run pipeline" dialog: typed inputs pre-filled with the definition's
 * defaults; invalid input re-opens the dialog with the errors and the values
 * the user typed, so nothing is lost. Returns the new execution's ARN.
 */
export async function runDialog(options: {
  pipelineName: string;
  specs: IParameterSpec[];
  trans: TranslationBundle;
  start: (request: IRunRequest) => Promise<string>;
  /** A sentence shown before the title (e.g. "Created your pipeline X."). */
  note?: string;
}): Promise<string | undefined> {
  const { specs, trans } = options;
  let request: IRunRequest = {
    values: Object.fromEntries(
      specs.map(s => [
        s.name,
        s.defaultValue ?? (s.type === 'Boolean' ? 'false' : '')
      ])
    ),
    displayName: '',
    description: ''
  };
  let errors: RunErrors = {};
  for (;;) {
    const title = trans.__('Run %1', options.pipelineName);
    const result = await showDialog<IRunRequest>({
      title: options.note ? trans.__('%1 %2', options.note, title) : title,
      body: new RunPipelineForm({ specs, initial: request, errors, trans }),
      buttons: [
        Dialog.cancelButton(),
        Dialog.okButton({ label: trans.__('Run') })
      ],
      // Re-opened after a refusal: the first refused field, so it can be corrected at once.
      focusNodeSelector: Object.keys(errors).length
        ? '[aria-invalid="true"]'
        : 'input, select'
    });
    if (!result.button.accept || !result.value) {
      return undefined;
    }
    const checked = validateRunRequest(specs, result.value, trans);
    request = checked.request;
    errors = checked.errors;
    if (Object.keys(errors).length === 0) {
      return options.start(request);
    }
  }
}

/** The body of the "Run pipeline" dialog: one typed input per parameter. */
export class RunPipelineForm extends ReactWidget {
  constructor(options: {
    specs: IParameterSpec[];
    initial: IRunRequest;
    errors: RunErrors;
    trans: TranslationBundle;
  }) {
    super();
    this._specs = options.specs;
    this._value = { ...options.initial, values: { ...options.initial.values } };
    this._errors = options.errors;
    this._trans = options.trans;
    this.addClass('jp-MLOps-run-form');
  }

  getValue(): IRunRequest {
    return { ...this._value, values: { ...this._value.values } };
  }

  render(): JSX.Element {
    return (
      <RunForm
        specs={this._specs}
        initial={this._value}
        initialErrors={this._errors}
        trans={this._trans}
        onChange={value => {
          this._value = value;
        }}
      />
    );
  }

  private _specs: IParameterSpec[];
  private _value: IRunRequest;
  private _errors: RunErrors;
  private _trans: TranslationBundle;
}

/** The form itself: every change is validated at once, and again when Run is pressed. */
function RunForm(props: {
  specs: IParameterSpec[];
  initial: IRunRequest;
  initialErrors: RunErrors;
  trans: TranslationBundle;
  onChange: (value: IRunRequest) => void;
}): JSX.Element {
  const { specs, trans } = props;
  const [value, setValue] = React.useState<IRunRequest>(props.initial);
  const [errors, setErrors] = React.useState<RunErrors>(props.initialErrors);
  const update = (next: IRunRequest) => {
    setValue(next);
    setErrors(validateRunRequest(specs, next, trans).errors);
    props.onChange(next);
  };
  const setParam = (name: string, v: string) =>
    update({ ...value, values: { ...value.values, [name]: v } });
  return (
    <form className="jp-MLOps-form" onSubmit={event => event.preventDefault()}>
      {specs.length === 0 && (
        <p className="jp-MLOps-muted">
          {trans.__('This pipeline has no parameters.')}
        </p>
      )}
      {specs.map(spec => (
        <Field
          key={spec.name}
          id={`param-${spec.name}`}
          label={spec.name}
          hint={typeLabel(spec, trans)}
          error={errors[spec.name]}
        >
          {spec.type === 'Boolean' || spec.enumValues ? (
            <select
              id={`param-${spec.name}`}
              value={value.values[spec.name] ?? ''}
              onChange={event => setParam(spec.name, event.target.value)}
            >
              {(spec.enumValues ?? ['true', 'false']).map(v => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          ) : (
            <input
              id={`param-${spec.name}`}
              type="text"
              inputMode={
                spec.type === 'Integer'
                  ? 'numeric'
                  : spec.type === 'Float'
                    ? 'decimal'
                    : 'text'
              }
              value={value.values[spec.name] ?? ''}
              aria-invalid={!!errors[spec.name]}
              onChange={event => setParam(spec.name, event.target.value)}
            />
          )}
        </Field>
      ))}
      <Field
        id="run-display-name"
        label={trans.__('Display name (optional)')}
        error={errors['$displayName']}
      >
        <input
          id="run-display-name"
          type="text"
          value={value.displayName}
          aria-invalid={!!errors['$displayName']}
          onChange={event =>
            update({ ...value, displayName: event.target.value })
          }
        />
      </Field>
      <Field
        id="run-description"
        label={trans.__('Description (optional)')}
        error={errors['$description']}
      >
        <textarea
          id="run-description"
          rows={2}
          value={value.description}
          onChange={event =>
            update({ ...value, description: event.target.value })
          }
        />
      </Field>
    </form>
  );
}

function typeLabel(spec: IParameterSpec, trans: TranslationBundle): string {
  switch (spec.type) {
    case 'Integer':
      return trans.__('integer');
    case 'Float':
      return trans.__('number');
    case 'Boolean':
      return trans.__('boolean');
    default:
      return trans.__('text');
  }
}

function Field(props: {
  id: string;
  label: string;
  hint?: string;
  error?: string;
  children: React.ReactNode;
}): JSX.Element {
  return (
    // Not `jp-mod-error`: JupyterLab's dialog would disable Run one keystroke late (it checks before React
    // re-renders). Errors show as you type; Run re-validates and re-opens the dialog with the values kept.
    <div
      className={`jp-MLOps-field${props.error ? ' jp-MLOps-field-invalid' : ''}`}
    >
      <label htmlFor={props.id}>
        {props.label}
        {props.hint && <span className="jp-MLOps-muted"> ({props.hint})</span>}
      </label>
      {props.children}
      {props.error && (
        <div className="jp-MLOps-field-error" role="alert">
          {props.error}
        </div>
      )}
    </div>
  );
}
