import { PagedList } from '../../shared/pagedList';
import { MLOpsError } from '../../core/errors';

/** A source of `count` numbered items, paged on `nextToken` (the offset), filtered by parity. */
function source(count: number) {
  const requests: { nextToken?: string; pageSize: number; filter?: string }[] =
    [];
  const fetch = async (request: {
    nextToken?: string;
    pageSize: number;
    filter: 'even' | 'odd' | undefined;
  }) => {
    requests.push(request);
    const all = Array.from({ length: count }, (_, i) => i).filter(
      i => !request.filter || (request.filter === 'even') === (i % 2 === 0)
    );
    const start = Number(request.nextToken ?? 0);
    const items = all.slice(start, start + request.pageSize);
    const next = start + request.pageSize;
    return { items, nextToken: next < all.length ? String(next) : undefined };
  };
  return { fetch, requests };
}

describe('PagedList', () => {
  it('reads the first page, then the next ones, and knows when the list ends', async () => {
    const { fetch } = source(25);
    const list = new PagedList<number, 'even' | 'odd' | undefined>({
      fetch,
      filter: undefined,
      pageSize: 10
    });
    expect(list.loaded).toBe(false);
    await list.reload();
    expect(list.items).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(list.nextToken).toBe('10');
    await list.loadMore();
    await list.loadMore();
    expect(list.items).toHaveLength(25);
    expect(list.nextToken).toBeUndefined();
    await list.loadMore();
    expect(list.items).toHaveLength(25);
  });

  it('reloads as many items as are shown, so a refresh never shrinks the list', async () => {
    const { fetch, requests } = source(50);
    const list = new PagedList<number, 'even' | 'odd' | undefined>({
      fetch,
      filter: undefined,
      pageSize: 10
    });
    await list.reload();
    await list.loadMore();
    await list.reload();
    expect(requests[requests.length - 1]).toEqual({
      nextToken: undefined,
      pageSize: 20,
      filter: undefined
    });
    expect(list.items).toHaveLength(20);
  });

  it('starts over with a new filter and drops answers for the old one', async () => {
    const { fetch } = source(10);
    let release: () => void = () => undefined;
    const slow = async (request: Parameters<typeof fetch>[0]) => {
      if (!request.filter) {
        await new Promise<void>(resolve => (release = resolve));
      }
      return fetch(request);
    };
    const list = new PagedList<number, 'even' | 'odd' | undefined>({
      fetch: slow,
      filter: undefined
    });
    const first = list.reload();
    await list.setFilter('odd');
    release();
    await first;
    expect(list.filter).toBe('odd');
    expect(list.items).toEqual([1, 3, 5, 7, 9]);
  });

  it('keeps the items and reports the error when a page fails, and recovers', async () => {
    const { fetch } = source(5);
    let fail = false;
    const list = new PagedList<number, 'even' | 'odd' | undefined>({
      fetch: async request => {
        if (fail) {
          throw Object.assign(new Error('Rate exceeded'), {
            name: 'ThrottlingException',
            $metadata: { httpStatusCode: 400 }
          });
        }
        return fetch(request);
      },
      filter: undefined,
      operation: 'ListPipelineExecutions'
    });
    await list.reload();
    fail = true;
    await list.reload();
    expect(list.items).toHaveLength(5);
    expect(list.error).toBeInstanceOf(MLOpsError);
    expect(list.error?.kind).toBe('throttling');
    expect(list.error?.operation).toBe('ListPipelineExecutions');
    expect(list.loading).toBe(false);
    fail = false;
    await list.reload();
    expect(list.error).toBeNull();
  });

  it('signals each change and nothing after it is disposed', async () => {
    const { fetch } = source(3);
    const list = new PagedList<number, 'even' | 'odd' | undefined>({
      fetch,
      filter: undefined
    });
    let changes = 0;
    list.changed.connect(() => changes++);
    await list.reload();
    expect(changes).toBe(2); // loading, loaded
    list.dispose();
    await list.reload();
    expect(changes).toBe(2);
    expect(list.isDisposed).toBe(true);
  });
});
