import { VisibilityPoll } from '../../shared/poll';

const tick = (ms = 0) => new Promise(resolve => setTimeout(resolve, ms));

describe('VisibilityPoll', () => {
  let poll: VisibilityPoll;
  afterEach(() => poll?.dispose());

  it('does not run until a view is visible, then runs once', async () => {
    let runs = 0;
    poll = new VisibilityPoll({
      name: 'test',
      factory: async () => {
        runs++;
      },
      interval: () => 60000
    });
    const view = poll.addView();
    await tick(20);
    expect(runs).toBe(0);
    expect(poll.isStarted).toBe(false);
    view.setVisible(true);
    await tick(50);
    expect(runs).toBe(1);
    expect(poll.isVisible).toBe(true);
  });

  it('runs a refresh asked for during a run once, after it, never two at once', async () => {
    let running = 0;
    let peak = 0;
    let runs = 0;
    poll = new VisibilityPoll({
      name: 'test',
      factory: async () => {
        running++;
        runs++;
        peak = Math.max(peak, running);
        await tick(30);
        running--;
      },
      interval: () => 60000
    });
    const first = poll.refresh();
    await tick(5);
    const second = poll.refresh();
    const third = poll.refresh();
    await Promise.all([first, second, third]);
    await tick(50);
    expect(peak).toBe(1);
    expect(runs).toBe(2);
  });

  it('stands by while no view is visible', async () => {
    let runs = 0;
    poll = new VisibilityPoll({
      name: 'test',
      factory: async () => {
        runs++;
      },
      interval: () => 1000,
      idleFactor: 1
    });
    const view = poll.addView();
    view.setVisible(true);
    await tick(30);
    expect(runs).toBe(1);
    view.setVisible(false);
    await tick(2300);
    expect(runs).toBe(1);
    view.setVisible(true);
    await tick(30);
    // Shown again after more than an interval: what it shows is stale, so it runs at once.
    expect(runs).toBe(2);
  });

  it('brings the next tick forward when something becomes active', async () => {
    let runs = 0;
    poll = new VisibilityPoll({
      name: 'test',
      factory: async () => {
        runs++;
      },
      interval: () => 1000,
      idleFactor: 30
    });
    poll.addView().setVisible(true);
    await tick(50);
    expect(runs).toBe(1);
    poll.setActive(true);
    await tick(1300);
    expect(runs).toBe(2);
  });

  it('counts views: hidden only when every view is hidden or disposed', () => {
    poll = new VisibilityPoll({
      name: 'test',
      factory: async () => undefined,
      interval: () => 60000
    });
    const a = poll.addView();
    const b = poll.addView();
    a.setVisible(true);
    b.setVisible(true);
    a.setVisible(false);
    expect(poll.isVisible).toBe(true);
    b.dispose();
    expect(poll.isVisible).toBe(false);
    b.setVisible(true);
    expect(poll.isVisible).toBe(false);
  });
});
