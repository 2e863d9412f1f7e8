import { once } from '../../shared/lazy';

describe('once', () => {
  it('makes its value on the first call only and shares it', async () => {
    let made = 0;
    const get = once(async () => ({ n: ++made }));
    const [a, b] = await Promise.all([get(), get()]);
    expect(a).toBe(b);
    expect(await get()).toBe(a);
    expect(made).toBe(1);
  });

  it('does not keep a failure: the next call tries again', async () => {
    let calls = 0;
    const get = once(async () => {
      calls += 1;
      if (calls === 1) {
        throw new Error('chunk failed to load');
      }
      return 'loaded';
    });
    await expect(get()).rejects.toThrow('chunk failed to load');
    await expect(get()).resolves.toBe('loaded');
    await expect(get()).resolves.toBe('loaded');
    expect(calls).toBe(2);
  });
});
