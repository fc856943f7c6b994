/**
 * `npm run admin:reset-password -- [email]`: sets a new generated password for the account (default: the first
 * administrator, VANDONG_ADMIN_EMAIL) and prints it once. For an operator who missed the password printed at the
 * first start, or lost it; it acts on the database named by DATABASE_URL, as the server would.
 */
import { loadConfig } from '../config';
import { createDb } from '../db';
import { createLogger } from '../logger';
import { resetPasswordFromShell } from './service';

async function main(): Promise<void> {
  const config = loadConfig();
  const args = process.argv.slice(2).filter((a) => a !== '--');
  if (args.length > 1 || args[0]?.startsWith('-')) {
    console.error('usage: npm run admin:reset-password -- [email]   (default: VANDONG_ADMIN_EMAIL)');
    process.exit(2);
  }
  const db = createDb({ url: config.DATABASE_URL });
  try {
    const { email, password } = await resetPasswordFromShell({ db, config, log: createLogger('warn'), clock: () => new Date() }, args[0] ?? config.VANDONG_ADMIN_EMAIL);
    console.log(`New password for ${email}: ${password}`);
    console.log('It is shown only this once. The account was signed out everywhere; sign in with it and keep it safe.');
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
