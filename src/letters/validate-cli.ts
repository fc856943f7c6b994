/** `npm run check-letter -- file.docx [more.docx…]`: prints the format findings; exits 1 when any file has errors. */
import fs from 'node:fs';
import { validateLetterDocx } from './validate';

async function main(): Promise<void> {
  const files = process.argv.slice(2).filter((a) => a !== '--');
  if (files.length === 0) {
    console.error('usage: npm run check-letter -- file.docx [more.docx …]');
    process.exit(2);
  }
  let failed = false;
  for (const file of files) {
    const result = await validateLetterDocx(fs.readFileSync(file));
    console.log(`${file}: ${result.ok ? 'OK' : 'FAILED'}`);
    for (const f of result.findings) console.log(`  ${f.severity.padEnd(7)} ${f.rule.padEnd(18)} ${f.message}`);
    if (!result.ok) failed = true;
  }
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(2);
});
