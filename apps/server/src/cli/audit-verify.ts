// npm run audit:verify — recomputes the audit hash chain and names the first broken row.
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/connect.js';
import { verifyAuditChain } from '../platform/audit.js';

const config = loadConfig();
const opened = await openDatabase(config, { role: 'cli' });
try {
  const result = await verifyAuditChain(opened.database.db);
  if (result.ok) {
    console.log(`审计链完整 / audit chain intact: ${result.checked} entries checked`);
  } else {
    const b = result.firstBroken!;
    console.error(`审计链已被篡改 / audit chain BROKEN at seq ${b.seq} (${b.at}): ${b.reason === 'hash' ? 'content does not match its hash' : b.reason === 'link' ? 'previous-hash link broken' : 'a row is missing before it'}; ${result.checked} entries verified before it`);
    process.exitCode = 2;
  }
} finally {
  await opened.close();
}
