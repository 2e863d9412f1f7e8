import { ReactWidget, UseSignal } from '@jupyterlab/apputils';
import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ErrorBanner } from '../shared/ErrorBanner';
import { TRANSLATION_DOMAIN } from '../tokens';
import { ProjectModel } from './model';
import '../../style/views.css';

/** The current project, or a picker fed by ListProjects when none is known or the user changes it. */
export class ProjectBar extends ReactWidget {
  constructor(options: { model: ProjectModel; translator: ITranslator }) {
    super();
    this._model = options.model;
    this._trans = options.translator.load(TRANSLATION_DOMAIN);
    this.addClass('jp-MLOps-section');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', this._trans.__('Project'));
    void this._model.resolve();
  }

  render(): JSX.Element {
    const model = this._model;
    return (
      <UseSignal signal={model.changed}>
        {() => (
          <UseSignal signal={model.choices.changed}>
            {() => <Bar model={model} trans={this._trans} />}
          </UseSignal>
        )}
      </UseSignal>
    );
  }

  private _model: ProjectModel;
  private _trans: TranslationBundle;
}

function Bar(props: {
  model: ProjectModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const project = model.project;
  if (model.state === 'choose') {
    const choices = model.choices;
    return (
      <>
        {model.error && <ErrorBanner error={model.error} trans={trans} />}
        {choices.error && (
          <ErrorBanner
            error={choices.error}
            trans={trans}
            onRetry={() => void choices.reload()}
          />
        )}
        <label className="jp-MLOps-project-picker">
          <span>{trans.__('SageMaker project')}</span>
          <select
            aria-label={trans.__('SageMaker project')}
            value=""
            onChange={event => {
              if (event.target.value) {
                void model.choose(event.target.value);
              }
            }}
          >
            <option value="" disabled>
              {choices.loading && !choices.loaded
                ? trans.__('Loading projects…')
                : choices.items.length
                  ? trans.__('Choose a project…')
                  : trans.__('No projects found')}
            </option>
            {choices.items.map(p => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <div className="jp-MLOps-project-actions">
          {choices.nextToken && (
            <button
              type="button"
              className="jp-MLOps-link-button"
              disabled={choices.loading}
              onClick={() => void choices.loadMore()}
            >
              {trans.__('More projects')}
            </button>
          )}
          {project && (
            <button
              type="button"
              className="jp-MLOps-link-button"
              onClick={() => model.cancelChoosing()}
            >
              {trans.__('Cancel')}
            </button>
          )}
        </div>
      </>
    );
  }
  if (!project) {
    return (
      <span className="jp-MLOps-muted">
        {trans.__('Finding your SageMaker project…')}
      </span>
    );
  }
  return (
    <div className="jp-MLOps-project">
      <span className="jp-MLOps-muted">{trans.__('Project')}</span>
      <strong
        className="jp-MLOps-project-name"
        title={project.description || project.name}
      >
        {project.name}
      </strong>
      <span className="jp-MLOps-muted jp-MLOps-mono" title={project.id}>
        {project.id}
      </span>
      <button
        type="button"
        className="jp-MLOps-link-button"
        onClick={() => model.startChoosing()}
      >
        {trans.__('Change')}
      </button>
    </div>
  );
}
