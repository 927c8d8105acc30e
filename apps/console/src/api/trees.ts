import { http } from './http';
import type { ScopeKind, TreeNodeData } from './types';

export const treesApi = {
  children: (kind: ScopeKind, parentId?: string) =>
    http.get<TreeNodeData[]>(kind === 'org' ? '/orgs/tree' : '/places/tree', { parentId }),
};
