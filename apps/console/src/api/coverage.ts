// Organisation coverage of units and branch-health warnings under a place (ORG-3, ORG-4).
import { http, type Query } from './http';

export type UnitKind = 'compound' | 'office_building' | 'enterprise';
export interface Rate { total: number; covered: number; rate: number | null }
export interface CoverageSummary { compound: Rate; office_building: Rate; enterprise: Rate; all: Rate }
export interface CoverageLevel extends CoverageSummary { id: string; name: string; kind: string; code: string | null }
export interface CoverageUnit {
  id: string;
  name: string;
  kind: string;
  floors: number | null;
  level: { id: string; name: string } | null;
  covered: boolean;
  ownBranch: boolean;
  fullMembers: number;
  coveredBy: { id: string; name: string; kind: string; via: 'own' | 'joint' }[];
}
export interface CoverageWarning {
  rule: string;
  ruleSet: string;
  severity: 'violation' | 'warning';
  target: { type: 'place' | 'org'; id: string; name: string };
  params: Record<string, unknown>;
  message: string;
  remedy: string;
}
export interface CoverageReport {
  place: { id: string; name: string; kind: string };
  date: string;
  ruleSet: { key: string; version: string; title: string; effectiveFrom: string };
  summary: CoverageSummary;
  levels: CoverageLevel[];
  units: { items: CoverageUnit[]; total: number; page: number; pageSize: number };
  warnings: CoverageWarning[];
}
export interface CoverageQuery { date?: string; unitKind?: UnitKind | ''; covered?: 'true' | 'false' | ''; page: number; pageSize: number }

export const coverageApi = {
  report: (placeId: string, q: CoverageQuery) => http.get<CoverageReport>(`/places/${encodeURIComponent(placeId)}/coverage`, q as unknown as Query),
};
