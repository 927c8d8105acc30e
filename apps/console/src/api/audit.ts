import { http, type Query } from './http';
import type { AuditEntry, AuditResult, AuditVerifyResult, ListParams, Page } from './types';

export interface AuditFilters {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  result?: AuditResult | '';
  from?: string;
  to?: string;
}

export const auditApi = {
  list: (params: ListParams & AuditFilters) => http.get<Page<AuditEntry>>('/audit', params as unknown as Query),
  verify: () => http.post<AuditVerifyResult>('/audit/verify'),
};
