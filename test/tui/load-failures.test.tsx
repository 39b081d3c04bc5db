import { describe, expect, it } from 'vitest';
import type { AppServices } from '../../src/tui/services.js';
import { KEY, realServices, renderApp, screenShows, type } from './harness.js';

const storeDown = () => Promise.reject(new Error('disk I/O error'));

/** Real services but for the lists `broken` names, which fail as a store gone bad does; logged in as an admin. */
async function withBrokenLists(broken: (services: AppServices) => Partial<AppServices>) {
  const ctx = await realServices();
  await ctx.services.accounts.createUser('root', 'password123', 'admin', 'test');
  const services: AppServices = { ...ctx.services, ...broken(ctx.services) };
  const app = renderApp(services, { firstRun: false });
  await screenShows(app.lastFrame, '› Log in');
  await type(app.stdin, KEY.enter);
  await screenShows(app.lastFrame, 'Username:');
  await type(app.stdin, 'root\r', 'password123\r');
  return { ...ctx, ...app };
}

describe('a list that fails to load', () => {
  it('is one sentence on the main menu and the load screen, and the game goes on', async () => {
    const { stdin, lastFrame, store } = await withBrokenLists(() => ({ listSessions: storeDown }));
    const menu = await screenShows(lastFrame, '✗ Your last game could not be found: disk I/O error');
    expect(menu).toContain('› New game');
    expect(menu).not.toContain('Continue last game');
    await type(stdin, '2');
    await type(stdin, KEY.enter);
    const load = await screenShows(lastFrame, '✗ Your games could not be listed: disk I/O error');
    expect(load).not.toContain('No games yet');
    await type(stdin, KEY.esc);
    await screenShows(lastFrame, 'Main menu · root');
    await store.close();
  });

  it('is one sentence on the new game, scenarios and admin screens', async () => {
    const { stdin, lastFrame, store } = await withBrokenLists((services) => ({
      listScenarios: storeDown,
      promptVersions: storeDown,
      accounts: Object.assign(Object.create(Object.getPrototypeOf(services.accounts)), services.accounts, { listUsers: storeDown }),
    }));
    await screenShows(lastFrame, '› New game');
    await type(stdin, KEY.enter);
    const newGame = await screenShows(lastFrame, '✗ The scenarios could not be listed: disk I/O error');
    expect(newGame).not.toContain('No scenarios yet');
    await type(stdin, KEY.esc);
    await screenShows(lastFrame, 'Main menu · root');
    await type(stdin, '3');
    await type(stdin, KEY.enter);
    await screenShows(lastFrame, 'StoryOS · Scenarios');
    await screenShows(lastFrame, '✗ The scenarios could not be listed: disk I/O error');
    await type(stdin, KEY.esc);
    await screenShows(lastFrame, 'Main menu · root');
    await type(stdin, '4');
    await type(stdin, KEY.enter);
    await screenShows(lastFrame, '✗ The admin lists could not be loaded: disk I/O error');
    await store.close();
  });
});
