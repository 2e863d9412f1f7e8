import * as React from 'react';
import { act } from 'react';
import { createRoot } from 'react-dom/client';

import { ITreeRow, ResourceTree } from '../../shared/ResourceTree';

interface IRow extends ITreeRow {
  name: string;
}

const ROWS: IRow[] = [
  {
    key: 'a',
    level: 1,
    name: 'Alpha',
    expanded: true,
    data: { pipelineName: 'alpha' }
  },
  { key: 'a-filter', level: 2, name: 'filter', role: 'none' },
  { key: 'a1', level: 2, name: 'Alpha one' },
  { key: 'b', level: 1, name: 'Beta', expanded: false }
];

function render(
  props: Partial<React.ComponentProps<typeof ResourceTree<IRow>>> = {}
) {
  const host = document.createElement('div');
  document.body.appendChild(host);
  const events: string[] = [];
  const root = createRoot(host);
  act(() => {
    root.render(
      <ResourceTree<IRow>
        rows={ROWS}
        label="Things"
        estimateSize={() => 30}
        renderRow={row => <span>{row.name}</span>}
        onToggle={row => events.push(`toggle:${row.key}`)}
        onOpen={row => events.push(`open:${row.key}`)}
        {...props}
      />
    );
  });
  return { host, events, root };
}

describe('ResourceTree', () => {
  beforeAll(() => {
    (globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;
    // jsdom has no layout: the scroll element shows 600 px, each row is 30 px high.
    for (const [name, value] of [
      ['clientHeight', 600],
      ['clientWidth', 250],
      ['offsetHeight', 30],
      ['offsetWidth', 250]
    ] as const) {
      Object.defineProperty(HTMLElement.prototype, name, {
        configurable: true,
        get: () => value
      });
    }
  });

  it('is a tree of tree items with levels, expansion and data attributes, one in the tab order', () => {
    const { host, root } = render();
    const tree = host.querySelector('[role="tree"]')!;
    expect(tree.getAttribute('aria-label')).toBe('Things');
    const items = [...host.querySelectorAll('[role="treeitem"]')];
    expect(items.map(i => i.textContent)).toEqual([
      'Alpha',
      'Alpha one',
      'Beta'
    ]);
    expect(items.map(i => i.getAttribute('aria-level'))).toEqual([
      '1',
      '2',
      '1'
    ]);
    expect(items[0].getAttribute('aria-expanded')).toBe('true');
    expect(items[1].hasAttribute('aria-expanded')).toBe(false);
    expect((items[0] as HTMLElement).dataset.pipelineName).toBe('alpha');
    expect(items.map(i => i.getAttribute('tabindex'))).toEqual([
      '0',
      '-1',
      '-1'
    ]);
    act(() => root.unmount());
  });

  it('moves with the arrow keys, skipping rows that are not tree items, and toggles or opens', () => {
    const { host, events, root } = render();
    const item = (name: string) =>
      [...host.querySelectorAll<HTMLElement>('[role="treeitem"]')].find(
        i => i.textContent === name
      )!;
    const key = (name: string, k: string, init: KeyboardEventInit = {}) =>
      act(() => {
        item(name).dispatchEvent(
          new KeyboardEvent('keydown', { key: k, bubbles: true, ...init })
        );
      });
    act(() => item('Alpha').focus());
    key('Alpha', 'ArrowDown');
    expect(document.activeElement?.textContent).toBe('Alpha one');
    key('Alpha one', 'ArrowLeft');
    expect(document.activeElement?.textContent).toBe('Alpha');
    key('Alpha', 'End');
    expect(document.activeElement?.textContent).toBe('Beta');
    key('Beta', 'ArrowRight');
    key('Beta', 'Enter');
    key('Alpha', 'ArrowLeft');
    expect(events).toEqual(['toggle:b', 'toggle:b', 'toggle:a']);
    act(() => item('Alpha one').focus());
    key('Alpha one', 'Enter');
    expect(events[events.length - 1]).toBe('open:a1');
    act(() => root.unmount());
  });

  it('opens the context menu of a row with Shift+F10', () => {
    const { host, root } = render();
    const beta = [
      ...host.querySelectorAll<HTMLElement>('[role="treeitem"]')
    ][2];
    const menus: EventTarget[] = [];
    document.addEventListener('contextmenu', e => menus.push(e.target!), {
      once: true
    });
    act(() => {
      beta.dispatchEvent(
        new KeyboardEvent('keydown', {
          key: 'F10',
          shiftKey: true,
          bubbles: true
        })
      );
    });
    expect(menus).toEqual([beta]);
    act(() => root.unmount());
  });
});
