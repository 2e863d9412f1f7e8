import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { PipelinesModel } from '../../models/pipelines';

/** The current project, or a picker fed by ListProjects when none is known. */
export function ProjectBar(props: {
  model: PipelinesModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const [picking, setPicking] = React.useState(false);
  const project = model.project;

  if (model.projectState === 'choose' || picking) {
    const projects = model.projects;
    return (
      <section
        className="jp-MLOps-section"
        aria-label={trans.__('Choose a project')}
      >
        <label className="jp-MLOps-project-picker">
          <span>{trans.__('SageMaker project')}</span>
          <select
            aria-label={trans.__('SageMaker project')}
            defaultValue=""
            onChange={event => {
              const name = event.target.value;
              if (name) {
                setPicking(false);
                void model.chooseProject(name);
              }
            }}
          >
            <option value="" disabled>
              {projects.length
                ? trans.__('Choose a project…')
                : trans.__('No projects found')}
            </option>
            {projects.map(p => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        {picking && (
          <button
            type="button"
            className="jp-MLOps-link-button"
            onClick={() => setPicking(false)}
          >
            {trans.__('Cancel')}
          </button>
        )}
      </section>
    );
  }
  if (!project) {
    return (
      <section className="jp-MLOps-section" aria-label={trans.__('Project')}>
        <span className="jp-MLOps-muted">
          {trans.__('Finding your SageMaker project…')}
        </span>
      </section>
    );
  }
  return (
    <section
      className="jp-MLOps-section jp-MLOps-project"
      aria-label={trans.__('Project')}
    >
      <span className="jp-MLOps-muted">{trans.__('Project')}</span>
      <strong
        className="jp-MLOps-project-name"
        title={project.description ?? project.name}
      >
        {project.name}
      </strong>
      <span className="jp-MLOps-muted jp-MLOps-mono">{project.id}</span>
      <button
        type="button"
        className="jp-MLOps-link-button"
        onClick={() => {
          setPicking(true);
          void model.loadProjects();
        }}
      >
        {trans.__('Change')}
      </button>
    </section>
  );
}
