import { getCurrentInstance, onActivated, onMounted, reactive, ref, shallowRef, type UnwrapRef } from 'vue';
import type { ListParams, Page } from '@/api/types';
import { errorMessage, handledGlobally } from '@/utils/errors';

/**
 * State of a paged list page: filters, paging, sort, loading and error.
 * `fetcher` receives the filters merged with page/pageSize/sort.
 */
export function useList<T, F extends object>(
  fetcher: (params: ListParams & F) => Promise<Page<T>>,
  initialFilters: () => F,
  pageSize = 20,
  autoLoad = true,
) {
  const filters = reactive(initialFilters()) as UnwrapRef<F>;
  const page = ref(1);
  const size = ref(pageSize);
  const sort = ref<string | undefined>(undefined);
  const items = shallowRef<T[]>([]);
  const total = ref(0);
  const loading = ref(false);
  const error = ref<string | null>(null);
  let seq = 0;

  /** The filters without empty values, as sent to the API (also used for exports). */
  function activeFilters(): F {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(filters as object)) {
      if (v !== '' && v !== null && v !== undefined) out[k] = v;
    }
    return out as F;
  }

  async function load(): Promise<void> {
    const mine = ++seq;
    loading.value = true;
    error.value = null;
    try {
      const res = await fetcher({ ...activeFilters(), page: page.value, pageSize: size.value, sort: sort.value });
      if (mine !== seq) return;
      items.value = res.items;
      total.value = res.total;
      // The last page may have emptied (e.g. after a delete): step back.
      if (res.items.length === 0 && res.total > 0 && page.value > 1) {
        page.value = Math.max(1, Math.ceil(res.total / size.value));
        await load();
      }
    } catch (e) {
      if (mine !== seq) return;
      items.value = [];
      total.value = 0;
      error.value = handledGlobally(e) ? null : errorMessage(e);
    } finally {
      if (mine === seq) loading.value = false;
    }
  }

  function search(): Promise<void> {
    page.value = 1;
    return load();
  }

  function reset(): Promise<void> {
    Object.assign(filters as object, initialFilters());
    sort.value = undefined;
    return search();
  }

  /** For el-table's sort-change: sortable="custom" columns map to `field` / `-field`. */
  function onSortChange({ prop, order }: { prop: string | null; order: 'ascending' | 'descending' | null }): void {
    sort.value = prop && order ? (order === 'descending' ? `-${prop}` : prop) : undefined;
    void search();
  }

  // Load when the page opens, and again when a kept-alive page is shown anew from its tab.
  if (autoLoad && getCurrentInstance()) {
    let activatedOnce = false;
    onMounted(() => { void load(); });
    onActivated(() => {
      if (activatedOnce) void load();
      activatedOnce = true;
    });
  }

  return { filters, page, size, sort, items, total, loading, error, load, search, reset, onSortChange, activeFilters };
}
