import { ITranslator } from '@jupyterlab/translation';
import { SidePanel, refreshIcon } from '@jupyterlab/ui-components';
import { DisposableDelegate, IDisposable } from '@lumino/disposable';
import { Message, MessageLoop } from '@lumino/messaging';
import { Panel, PanelLayout, Widget } from '@lumino/widgets';

import { mlopsIcon } from '../icons';
import { ISidebarSection, TRANSLATION_DOMAIN } from '../tokens';

/**
 * The left sidebar panel: a title, a Refresh button, the header sections
 * (identity, project) and the collapsible sections the capability plugins add.
 * It knows none of them: each plugin adds its own with `addSection`.
 */
export class MLOpsSidebar extends SidePanel {
  constructor(options: { translator: ITranslator }) {
    super({ translator: options.translator });
    const trans = options.translator.load(TRANSLATION_DOMAIN);
    this.id = 'sagemaker-mlops-sidebar';
    this.addClass('jp-MLOps-sidebar');
    this.title.icon = mlopsIcon;
    this.title.caption = trans.__('SageMaker MLOps');

    const title = new Widget({ node: document.createElement('h2') });
    title.addClass('jp-MLOps-title');
    title.node.textContent = trans.__('SageMaker MLOps');
    this.header.addWidget(title);
    // A native button: JupyterLab's ToolbarButton puts aria-pressed on a custom element without a role.
    const refresh = document.createElement('button');
    refresh.type = 'button';
    refresh.className = 'jp-MLOps-toolbar-button';
    refresh.title = trans.__('Refresh');
    refresh.setAttribute('aria-label', trans.__('Refresh'));
    refreshIcon.element({ container: refresh });
    refresh.addEventListener('click', () => void this.refresh());
    this.toolbar.addItem('refresh', new Widget({ node: refresh }));
    // Header sections (identity, project) sit between the toolbar and the collapsible sections.
    this._headerSections.addClass('jp-MLOps-header-sections');
    const layout = this.layout as PanelLayout;
    layout.insertWidget(
      layout.widgets.indexOf(this.content),
      this._headerSections
    );
  }

  /**
   * The header sections grow when the identity and the project load, which
   * shrinks the sections' area by CSS alone: Lumino's accordion does not see
   * it and would keep laying the sections out for the old height, past the
   * bottom of the window. Tell it whenever its box changes.
   */
  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (!this._resizeObserver && typeof ResizeObserver !== 'undefined') {
      this._resizeObserver = new ResizeObserver(() => {
        if (this.isVisible) {
          MessageLoop.sendMessage(
            this.content,
            Widget.ResizeMessage.UnknownSize
          );
        }
      });
      this._resizeObserver.observe(this.content.node);
    }
  }

  protected onBeforeDetach(msg: Message): void {
    this._resizeObserver?.disconnect();
    this._resizeObserver = null;
    super.onBeforeDetach(msg);
  }

  addSection(section: ISidebarSection): IDisposable {
    if (this._sections.some(s => s.id === section.id)) {
      throw new Error(`sagemaker-mlops: a section "${section.id}" exists`);
    }
    const area = section.area ?? 'body';
    const same = this._sections
      .filter(s => (s.area ?? 'body') === area)
      .sort((a, b) => a.rank - b.rank);
    const index = same.filter(s => s.rank <= section.rank).length;
    this._sections.push(section);
    section.widget.addClass('jp-MLOps-section-widget');
    if (area === 'header') {
      this._headerSections.insertWidget(index, section.widget);
    } else {
      this.insertWidget(index, section.widget);
    }
    return new DisposableDelegate(() => {
      this._sections = this._sections.filter(s => s !== section);
      section.widget.parent = null;
    });
  }

  /**
   * Refresh every section shown, at once. A folded section (or every one, with
   * the panel hidden) is not asked: it refreshes when shown, if its data is
   * older than the refresh interval.
   */
  async refresh(): Promise<void> {
    await Promise.all(
      this._sections
        .filter(s => s.widget.isVisible)
        .map(s =>
          s
            .refresh?.()
            .catch(error =>
              console.warn(`sagemaker-mlops: refreshing ${s.id} failed`, error)
            )
        )
    );
  }

  private _headerSections = new Panel();
  private _resizeObserver: ResizeObserver | null = null;
  private _sections: ISidebarSection[] = [];
}
