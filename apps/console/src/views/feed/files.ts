// Attached files as lists show them, and the uploaders' shared part.
import { ref, type Ref } from 'vue';
import { showError } from '@/utils/errors';

/** 1.2 MB, 340 KB, 12 B */
export function fileSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

/** An item's attachments split for the uploaders: photos, and documents (by their described type). */
export function splitFiles(item: { attachments: string[]; files: { id: string; mime: string }[] }): { attachments: string[]; documents: string[] } {
  const documents = new Set(item.files.filter((f) => !f.mime.startsWith('image/')).map((f) => f.id));
  return { attachments: item.attachments.filter((id) => !documents.has(id)), documents: item.attachments.filter((id) => documents.has(id)) };
}

/**
 * The file input of an uploader: files picked are uploaded one by one while there is room, each
 * added to `ids` when the server has taken it; a refusal is shown, the others go on.
 */
export function useUploader<T extends { id: string }>(ids: Ref<string[]>, max: () => number, upload: (file: File) => Promise<T>, tooMany: (room: number) => void, taken?: (up: T) => void) {
  const input = ref<HTMLInputElement | null>(null);
  const uploading = ref(0);
  async function picked(e: Event): Promise<void> {
    const files = [...((e.target as HTMLInputElement).files ?? [])];
    (e.target as HTMLInputElement).value = '';
    const room = Math.max(0, max() - ids.value.length - uploading.value);
    if (files.length > room) tooMany(room);
    for (const file of files.slice(0, room)) {
      uploading.value++;
      try {
        const up = await upload(file);
        taken?.(up);
        ids.value = [...ids.value, up.id];
      } catch (err) {
        showError(err);
      } finally {
        uploading.value--;
      }
    }
  }
  const remove = (id: string) => { ids.value = ids.value.filter((x) => x !== id); };
  return { input, uploading, picked, remove };
}
