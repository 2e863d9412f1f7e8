import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { MLOpsSidebar } from '../../sidebar/widget';

describe('MLOpsSidebar.refresh', () => {
  it('refreshes the sections shown, not a folded one nor any with the panel hidden', async () => {
    const sidebar = new MLOpsSidebar({ translator: nullTranslator });
    const refreshed: string[] = [];
    const section = (id: string, rank: number, area?: 'header') => {
      const widget = new Widget();
      sidebar.addSection({
        id,
        rank,
        area,
        widget,
        refresh: async () => void refreshed.push(id)
      });
      return widget;
    };
    section('identity', 10, 'header');
    section('pipelines', 100);
    const registry = section('registry', 300);
    Widget.attach(sidebar, document.body);

    registry.hide(); // folded
    await sidebar.refresh();
    expect(refreshed.sort()).toEqual(['identity', 'pipelines']);

    refreshed.length = 0;
    registry.show();
    await sidebar.refresh();
    expect(refreshed.sort()).toEqual(['identity', 'pipelines', 'registry']);

    refreshed.length = 0;
    sidebar.hide();
    await sidebar.refresh();
    expect(refreshed).toEqual([]);
    Widget.detach(sidebar);
  });
});
