/**
 * The config editor's lazily loaded part: the CodeCommit service, the schemas
 * from the server, the validator JupyterLab's form component uses, the model
 * and the tab.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  MainAreaWidget,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IEditorServices } from '@jupyterlab/codeeditor';
import { Contents } from '@jupyterlab/services';
import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { editIcon } from '@jupyterlab/ui-components';
import validator from '@rjsf/validator-ajv8';

import { ConfigService } from '../core/config/service';
import { MLOpsError, toMLOpsError } from '../core/errors';
import { describeError } from '../shared/errors';
import { ISchemaError, RawValidator } from '../core/config/validate';
import { IProject } from '../core/types';
import { requestAPI } from '../lab/server';
import { IMLOpsConnection, IMLOpsProject } from '../tokens';
import { ConfigEditor } from './ConfigEditor';
import { ConfigEditorModel, ISchemaSet } from './model';
// The editor's styles come with it, not at JupyterLab's start-up.
import '../../style/views.css';
import '../../style/config.css';

/** The plugin's settings (`schema/plugins/config.json`). */
export interface IConfigSettings {
  repository: string;
  branch: string;
  pullRequestTarget: string;
  path: string;
}

/** What a command asks to open: a file of the project repository, or a local clone's file. */
export interface IOpenArgs {
  path?: string;
  branch?: string;
  repository?: string;
  localPath?: string;
}

/** Open (or show again) the editor tab of a file; errors become a notification that says what to do. */
export async function openConfigTab(
  ctx: {
    app: JupyterFrontEnd;
    connection: IMLOpsConnection;
    project: IMLOpsProject;
    editorServices: IEditorServices;
    translator: ITranslator;
    trans: TranslationBundle;
    tracker: WidgetTracker<MainAreaWidget<ConfigEditor>>;
    settings: IConfigSettings;
  },
  args: IOpenArgs
): Promise<void> {
  const { app, trans, settings, tracker } = ctx;
  const current = await ctx.project.resolve();
  if (!current) {
    Notification.warning(
      trans.__(
        'Choose the SageMaker project first (SageMaker MLOps sidebar): its repository holds the shared configuration.'
      )
    );
    return;
  }
  const path = args.path || settings.path;
  const branch = args.branch || settings.branch;
  const id = `sagemaker-mlops-config-${encodeURIComponent(
    `${current.name}:${args.localPath ?? ''}:${path}`
  )}`;
  const existing = tracker.find(w => w.id === id);
  if (existing) {
    app.shell.activateById(existing.id);
    return;
  }
  try {
    const widget = await openConfigEditor({
      connection: ctx.connection,
      project: current,
      repository: args.repository || settings.repository,
      branch,
      path,
      localPath: args.localPath,
      contents: app.serviceManager.contents,
      editorServices: ctx.editorServices,
      translator: ctx.translator,
      trans,
      pullRequestTarget: () => settings.pullRequestTarget
    });
    widget.id = id;
    void tracker.add(widget);
    app.shell.add(widget, 'main');
    app.shell.activateById(widget.id);
  } catch (error) {
    const e =
      error instanceof MLOpsError ? error : toMLOpsError(error, 'GetFile');
    Notification.error(describeError(e, trans), { autoClose: false });
  }
}

/** Ajv 8 (the validator of JupyterLab's form component) with every error and the failing subschema. */
export const rawValidate: RawValidator = (schema, data) =>
  (validator.rawValidation(schema as any, data as any).errors ??
    []) as unknown as ISchemaError[];

export async function openConfigEditor(options: {
  connection: IMLOpsConnection;
  project: IProject;
  repository: string;
  branch: string;
  path: string;
  localPath?: string;
  contents: Contents.IManager;
  editorServices: IEditorServices;
  translator: ITranslator;
  trans: TranslationBundle;
  pullRequestTarget: () => string;
}): Promise<MainAreaWidget<ConfigEditor>> {
  const { connection, trans } = options;
  const clients = await connection.clients();
  const service = new ConfigService(clients);
  const repository = await service.findRepository(
    options.project,
    options.repository || undefined
  );
  const query = new URLSearchParams({
    repository,
    branch: options.branch
  }).toString();
  const schemas = await requestAPI<ISchemaSet>(
    `config/schemas?${query}`,
    {},
    connection.serverSettings
  );
  const localPath = options.localPath;
  const model = new ConfigEditorModel({
    service,
    schemas,
    validate: rawValidate,
    location: { repository, branch: options.branch, path: options.path },
    local: localPath
      ? {
          path: localPath,
          read: async () => {
            const file = await options.contents.get(localPath, {
              content: true,
              format: 'text',
              type: 'file'
            });
            return String(file.content ?? '');
          },
          write: async text => {
            await options.contents.save(localPath, {
              type: 'file',
              format: 'text',
              content: text
            });
          }
        }
      : null,
    storage: window.localStorage,
    projectBucket: async () => {
      const found = await requestAPI<{ bucket: string }>(
        `config/project-bucket?${new URLSearchParams({
          project: options.project.name
        }).toString()}`,
        {},
        connection.serverSettings
      );
      return found.bucket;
    }
  });
  const content = new ConfigEditor({
    model,
    trans,
    translator: options.translator,
    editorServices: options.editorServices,
    validator,
    region: () => connection.region,
    defaultTarget: options.pullRequestTarget,
    onSaved: () =>
      Notification.success(trans.__('Saved %1.', localPath ?? ''), {
        autoClose: 3000
      })
  });
  content.branches = repo => service.branches(repo);
  const widget = new MainAreaWidget({ content });
  const name = options.path.split('/').pop() ?? options.path;
  widget.title.label = localPath
    ? trans.__('%1 (local)', name)
    : trans.__('%1 · %2', name, repository);
  widget.title.caption = localPath
    ? trans.__('%1, committed to %2', localPath, repository)
    : trans.__('%1 in the CodeCommit repository %2', options.path, repository);
  widget.title.icon = editIcon;
  widget.title.closable = true;
  void model.load().then(() => {
    if (model.placeholders.length) {
      void model.lookUpBucket();
    }
  });
  return widget;
}
