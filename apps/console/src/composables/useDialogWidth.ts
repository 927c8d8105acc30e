import { computed } from 'vue';
import { useAppStore } from '@/stores/app';

/** Dialogs take the given width on desktop and nearly the whole screen on phones. */
export function useDialogWidth(width: string) {
  const app = useAppStore();
  return computed(() => (app.isMobile ? '94%' : width));
}
