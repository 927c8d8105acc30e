// Keeps a case page current: watches the case on the live stream while the page is mounted and
// calls `reload` (debounced) when a step on it arrives, or after a reconnection that may have missed one.
import { onBeforeUnmount, watch } from 'vue';
import { onCaseEvent, watchCase } from '@/utils/live';

export function useCaseLive(id: () => string, reload: () => unknown, delayMs = 200): void {
  let unwatch: (() => void) | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  watch(id, (current) => {
    unwatch?.();
    unwatch = current ? watchCase(current) : null;
  }, { immediate: true });
  const off = onCaseEvent((e) => {
    if (e !== null && e.caseId !== id()) return;
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), delayMs);
  });
  onBeforeUnmount(() => {
    clearTimeout(timer);
    off();
    unwatch?.();
  });
}
