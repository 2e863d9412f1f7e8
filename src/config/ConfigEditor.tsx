import { ReactWidget } from '@jupyterlab/apputils';
import {
  CodeEditor,
  CodeEditorWrapper,
  IEditorServices
} from '@jupyterlab/codeeditor';
import { CodeMirrorEditor } from '@jupyterlab/codemirror';
import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { FormComponent } from '@jupyterlab/ui-components';
import { Diagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import { EditorView } from '@codemirror/view';
import type { ValidatorType } from '@rjsf/utils';
import { Panel, SplitPanel } from '@lumino/widgets';
import React from 'react';

import { IConfigProblem, pointerKeys } from '../core/config/yaml';
import { ConfigEditorModel } from './model';
import { HeaderPane, ProblemsPane, ReviewPane } from './panes';

export interface IConfigEditorOptions {
  model: ConfigEditorModel;
  trans: TranslationBundle;
  translator: ITranslator;
  editorServices: IEditorServices;
  validator: ValidatorType;
  region: () => string;
  /** The branch pull requests go to (setting, default `main`). */
  defaultTarget: () => string;
  /** Saved a local file. */
  onSaved?: () => void;
}

/**
 * The shared-configuration editor: a form generated from the file's schema and
 * the text, side by side and in sync (both write the model's text), every
 * problem inline in the text and listed below it, and the review / conflict /
 * commit steps in place of the two views.
 */
export class ConfigEditor extends Panel {
  constructor(options: IConfigEditorOptions) {
    super();
    this.addClass('jp-MLOps-config');
    const { model, trans } = options;
    this.model = model;
    const reveal = (p: IConfigProblem) => this.reveal(p);
    const paneOptions = {
      model,
      trans,
      region: options.region,
      reveal
    };

    this._header = new HeaderPane({
      ...paneOptions,
      branches: async () => {
        const { location } = model;
        return (
          (await this._branches?.(location.repository)) ?? [location.branch]
        );
      },
      onReview: () => void model.review(),
      onReload: () => void model.load(),
      onSaveLocal: () =>
        void model.saveLocal().then(saved => saved && options.onSaved?.())
    });

    this._split = new SplitPanel({ orientation: 'horizontal', spacing: 4 });
    this._split.addClass('jp-MLOps-config-split');

    this._form = new FormPane({
      model,
      trans,
      translator: options.translator,
      validator: options.validator
    });
    this._form.title.label = trans.__('Form');

    const textPanel = new Panel();
    textPanel.addClass('jp-MLOps-config-text');
    const editorModel = new CodeEditor.Model({
      mimeType: model.format === 'json' ? 'application/json' : 'text/x-yaml'
    });
    this._editorModel = editorModel;
    this._editor = new CodeEditorWrapper({
      factory: options.editorServices.factoryService.newDocumentEditor,
      model: editorModel,
      editorOptions: {
        config: { lineNumbers: true, lineWrap: false }
      }
    });
    this._editor.addClass('jp-MLOps-config-editor');
    this._editor.node.setAttribute(
      'aria-label',
      trans.__('Text of %1', model.location.path)
    );
    const cm = this._editor.editor as CodeMirrorEditor;
    if (typeof cm.injectExtension === 'function') {
      cm.injectExtension(lintGutter());
      cm.injectExtension(
        EditorView.contentAttributes.of({
          'aria-label': trans.__('Text of %1', model.location.path)
        })
      );
    }
    this._problems = new ProblemsPane(paneOptions);
    textPanel.addWidget(this._editor);
    textPanel.addWidget(this._problems);

    this._split.addWidget(this._form);
    this._split.addWidget(textPanel);
    this._split.setRelativeSizes([1, 1]);

    this._review = new ReviewPane({
      ...paneOptions,
      defaultTarget: options.defaultTarget
    });

    this.addWidget(this._header);
    this.addWidget(this._split);
    this.addWidget(this._review);

    editorModel.sharedModel.changed.connect(() => {
      if (!this._syncing) {
        model.setText(editorModel.sharedModel.getSource());
      }
    });
    model.textReplaced.connect((_, text) => {
      if (editorModel.sharedModel.getSource() !== text) {
        this._syncing = true;
        try {
          editorModel.sharedModel.setSource(text);
        } finally {
          this._syncing = false;
        }
      }
    });
    model.changed.connect(this.onModelChanged, this);
    this.onModelChanged();
  }

  readonly model: ConfigEditorModel;

  /** Where the branch list comes from (set by the plugin). */
  set branches(fn: (repository: string) => Promise<string[]>) {
    this._branches = fn;
  }

  /** Move the cursor of the text view to a problem and focus it. */
  reveal(problem: IConfigProblem): void {
    const editor = this._editor.editor;
    const position = editor.getPositionAt(problem.from) ?? {
      line: Math.max(0, problem.line - 1),
      column: 0
    };
    editor.setCursorPosition(position);
    editor.revealPosition?.(position);
    editor.focus();
  }

  /** The text view's editor (for tests and the benchmark). */
  get editor(): CodeEditor.IEditor {
    return this._editor.editor;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.dispose();
    this._editorModel.dispose();
    super.dispose();
  }

  private onModelChanged(): void {
    const mode = this.model.mode;
    // What the last parse and validation cost (read by the benchmark).
    this.node.dataset.validationMs = this.model.lastValidationMs.toFixed(2);
    this._split.setHidden(mode !== 'edit');
    this._review.setHidden(mode === 'edit');
    // After the view's own update (a change typed in it reaches the model
    // while CodeMirror is still updating, when it cannot take a transaction).
    if (!this._diagnosticsPending) {
      this._diagnosticsPending = true;
      requestAnimationFrame(() => {
        this._diagnosticsPending = false;
        if (!this.isDisposed) {
          this.showDiagnostics();
        }
      });
    }
  }

  private showDiagnostics(): void {
    const view = (this._editor.editor as CodeMirrorEditor).editor as
      EditorView | undefined;
    if (!view || !(view instanceof EditorView)) {
      return;
    }
    const length = view.state.doc.length;
    const text = this.model.text;
    if (view.state.doc.toString() !== text) {
      // The view has not caught up with the model yet: next change.
      return;
    }
    const diagnostics: Diagnostic[] = this.model.problems.map(p => {
      const from = Math.min(p.from, length);
      let to = Math.min(Math.max(p.to, from), length);
      if (to === from) {
        to = Math.min(view.state.doc.lineAt(from).to, length);
      }
      return {
        from,
        to,
        severity: p.severity,
        message: p.pointer ? `${p.pointer}: ${p.message}` : p.message,
        source: p.rule
      };
    });
    view.dispatch(setDiagnostics(view.state, diagnostics));
  }

  private _header: HeaderPane;
  private _split: SplitPanel;
  private _form: FormPane;
  private _editor: CodeEditorWrapper;
  private _editorModel: CodeEditor.Model;
  private _problems: ProblemsPane;
  private _review: ReviewPane;
  private _syncing = false;
  private _diagnosticsPending = false;
  private _branches: ((repository: string) => Promise<string[]>) | null = null;
}

/** The form: JupyterLab's form component over the file's schema, showing our problems as its errors. */
class FormPane extends ReactWidget {
  constructor(
    private readonly options: {
      model: ConfigEditorModel;
      trans: TranslationBundle;
      translator: ITranslator;
      validator: ValidatorType;
    }
  ) {
    super();
    this.addClass('jp-MLOps-config-form');
    this.node.setAttribute('aria-label', options.trans.__('Form'));
    this.node.setAttribute('role', 'region');
    // JupyterLab's form templates draw labels as text beside the controls; name
    // each control after its label (and icon buttons after their title) so
    // screen readers announce them.
    this._labeller = new MutationObserver(() => {
      if (!this._labelling) {
        this._labelling = true;
        requestAnimationFrame(() => {
          this._labelling = false;
          nameControls(this.node, options.trans);
        });
      }
    });
    this._labeller.observe(this.node, { childList: true, subtree: true });
    options.model.changed.connect(() => {
      // Typing in the text view changes the data at every key: the form (a
      // few hundred fields for a large file) follows once typing pauses.
      if (this._timer) {
        clearTimeout(this._timer);
      }
      this._timer = setTimeout(() => {
        this._timer = null;
        this.renderIfChanged();
      }, FORM_DELAY_MS);
    });
  }

  dispose(): void {
    if (this._timer) {
      clearTimeout(this._timer);
    }
    this._labeller.disconnect();
    super.dispose();
  }

  /** Re-render only when what the form shows changed. */
  private renderIfChanged(): void {
    if (this.isDisposed) {
      return;
    }
    const { model } = this.options;
    const key = JSON.stringify([
      model.data ?? null,
      model.errors.map(e => [e.pointer, e.message]),
      model.loading
    ]);
    if (key !== this._key) {
      this._key = key;
      this.update();
    }
  }

  render(): JSX.Element {
    const { model, trans, translator, validator } = this.options;
    const schema = model.schema;
    if (model.loading) {
      return <p className="jp-MLOps-muted">{trans.__('Loading…')}</p>;
    }
    if (!schema) {
      return (
        <p className="jp-MLOps-muted">
          {trans.__(
            'No schema checks %1: edit it in the text view.',
            model.location.path
          )}
        </p>
      );
    }
    if (model.data === undefined) {
      const first = model.parsed.problems[0];
      return (
        <div className="jp-MLOps-banner jp-MLOps-banner-warning" role="status">
          {trans.__(
            'The form shows once the text parses. Fix the error at line %1 in the text view: %2',
            first?.line ?? 1,
            first?.message ?? ''
          )}
        </div>
      );
    }
    this._shown = model.data;
    return (
      <FormComponent
        schema={schema as any}
        formData={model.data as any}
        validator={validator}
        translator={translator}
        noValidate={true}
        liveValidate={false}
        showErrorList={false}
        extraErrors={errorSchema(model, trans) as any}
        compact={true}
        // Words, not icons, on the list buttons: named for screen readers on every JupyterLab (4.5's icon buttons
        // have no title).
        buttonStyle="text"
        idPrefix="jp-MLOps-config"
        onChange={(e: any) => {
          // Only what changed in the form since it was drawn: the text may
          // have moved on meanwhile (the form follows it after a pause).
          const base = this._shown;
          this._shown = e.formData;
          model.setData(e.formData, base);
        }}
      />
    );
  }

  private _key = '';
  /** The data the form shows (its own state after a change). */
  private _shown: unknown = undefined;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _labeller: MutationObserver;
  private _labelling = false;
}

function isButton(element: HTMLElement): boolean {
  return element.localName === 'button' || element.localName === 'jp-button';
}

/** Give every form control without an accessible name the text of its field's label. */
export function nameControls(
  root: HTMLElement,
  trans: TranslationBundle
): void {
  const controls = root.querySelectorAll<HTMLElement>(
    'input, select, textarea, button, jp-button'
  );
  controls.forEach(control => {
    if (
      control.getAttribute('aria-label') ||
      control.getAttribute('aria-labelledby') ||
      (isButton(control) && control.textContent?.trim()) ||
      (control as HTMLInputElement).labels?.length
    ) {
      return;
    }
    if (isButton(control)) {
      // (JupyterLab's array buttons are web components: aria-label reaches their inner button.)
      const title = control.getAttribute('title');
      if (title) {
        control.setAttribute('aria-label', title);
      }
      return;
    }
    const group = control.closest('.form-group');
    const label = group?.querySelector<HTMLElement>(
      ':scope > .jp-FormGroup-content .jp-FormGroup-fieldLabel'
    );
    if (
      group?.querySelector(
        ':scope > .jp-FormGroup-content > input.jp-FormGroup-contentItem'
      ) === control
    ) {
      // The name of an entry of a free-form mapping (environment, hyperparameters).
      control.setAttribute(
        'aria-label',
        trans.__(
          'Name of %1',
          (control as HTMLInputElement).value || trans.__('the entry')
        )
      );
      return;
    }
    const text = label?.textContent?.trim();
    if (text) {
      control.setAttribute('aria-label', text);
      return;
    }
    // An item of a list: the list's title and the item's place.
    const list = control
      .closest('.jp-arrayFieldWrapper')
      ?.closest('.form-group');
    const title = list
      ?.querySelector<HTMLElement>('.jp-FormGroup-fieldLabel')
      ?.textContent?.trim();
    const items = control
      .closest('.array-item')
      ?.parentElement?.querySelectorAll(':scope > .array-item');
    const index = items
      ? Array.from(items).indexOf(control.closest('.array-item')!) + 1
      : 0;
    control.setAttribute(
      'aria-label',
      title ? trans.__('%1, item %2', title, index || 1) : trans.__('Value')
    );
  });
}

/** How long typing in the text view pauses before the form follows. */
const FORM_DELAY_MS = 250;

/** Our problems as rjsf's error schema (nested by JSON pointer keys). */
function errorSchema(
  model: ConfigEditorModel,
  trans: TranslationBundle
): Record<string, unknown> {
  const root: Record<string, any> = {};
  for (const problem of model.errors) {
    let node = root;
    for (const key of pointerKeys(problem.pointer)) {
      node = node[key] = node[key] ?? {};
    }
    (node.__errors = node.__errors ?? []).push(
      trans.__('%1 (line %2)', problem.message, problem.line)
    );
  }
  return root;
}
