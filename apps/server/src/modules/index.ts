import type { FastifyInstance } from 'fastify';
import { healthRoutes } from './health/health.routes.js';
import { authRoutes } from './auth/auth.routes.js';
import { otpRoutes } from './auth/otp.routes.js';
import { accountRoutes } from './accounts/accounts.routes.js';
import { roleRoutes } from './roles/roles.routes.js';
import { auditRoutes } from './audit/audit.routes.js';
import { orgRoutes } from './orgs/orgs.routes.js';
import { placeRoutes } from './places/places.routes.js';
import { memberRoutes } from './members/members.routes.js';
import { coverageRoutes } from './org-coverage/org-coverage.routes.js';
import { ruleRoutes } from './rules/rules.routes.js';
import { caseRoutes } from './cases/cases.routes.js';
import { fileRoutes } from './files/files.routes.js';
import { open311Routes } from './open311/open311.routes.js';
import { notificationRoutes } from './notifications/notifications.routes.js';
import { pointsRoutes } from './points/points.routes.js';
import { activityRoutes } from './activities/activities.routes.js';
import { feedRoutes } from './feed/feed.routes.js';
import { commitmentRoutes } from './commitments/commitments.routes.js';
import { lifeRoutes } from './life/life.routes.js';

/** Every feature module, each owning its routes under /api. */
export async function registerModules(app: FastifyInstance) {
  await app.register(healthRoutes);
  await app.register(authRoutes);
  await app.register(otpRoutes);
  await app.register(accountRoutes);
  await app.register(roleRoutes);
  await app.register(auditRoutes);
  await app.register(orgRoutes);
  await app.register(placeRoutes);
  await app.register(memberRoutes);
  await app.register(coverageRoutes);
  await app.register(ruleRoutes);
  await app.register(caseRoutes);
  await app.register(fileRoutes);
  await app.register(open311Routes);
  await app.register(notificationRoutes);
  await app.register(pointsRoutes);
  await app.register(activityRoutes);
  await app.register(feedRoutes);
  await app.register(commitmentRoutes);
  await app.register(lifeRoutes);
}
