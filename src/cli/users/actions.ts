import { Accounts, unlockMessage } from '../../auth/accounts.js';
import { UserFacingError } from '../../config/errors.js';
import { renderTable } from '../../text/table.js';
import { operatorName, readPassword, withStore } from '../context.js';
import { EXIT } from '../exit.js';
import { shortUtc } from '../../text/format.js';
import { printJson, printOut } from '../output.js';

export function list(_args: string[], options: { json?: boolean }): Promise<number> {
  return withStore(async (store) => {
    const users = await new Accounts(store).listUsers();
    if (options.json) {
      printJson(users);
    } else {
      const now = new Date();
      const rows = users.map((u) => [
        u.username,
        u.role,
        shortUtc(u.created_at),
        shortUtc(u.last_login_at),
        u.locked_until && u.locked_until > now ? `until ${shortUtc(u.locked_until)}` : '-',
      ]);
      printOut(`${renderTable(['username', 'role', 'created (UTC)', 'last login (UTC)', 'locked'], rows, 5)}\n`);
    }
    return users.length ? EXIT.ok : EXIT.noMatch;
  });
}

export function add([username]: string[], options: { admin?: boolean; passwordStdin?: boolean }): Promise<number> {
  return withStore(async (store) => {
    const password = await readPassword({ passwordStdin: options.passwordStdin, confirm: true, prompt: `Password for ${username}` });
    const user = await new Accounts(store).createUser(username as string, password, options.admin ? 'admin' : 'user', operatorName());
    printOut(`Created ${user.role} ${user.username}.\n`);
    return EXIT.ok;
  });
}

export function unlock([username]: string[]): Promise<number> {
  return withStore(async (store) => {
    const outcome = await new Accounts(store).unlock(username as string, operatorName());
    if (outcome === 'no-such-user') throw new UserFacingError(unlockMessage(username as string, outcome), 1);
    printOut(`${unlockMessage(username as string, outcome)}\n`);
    return EXIT.ok;
  });
}
