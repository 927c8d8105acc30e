import { z } from 'zod';

/** An attached file as lists show it: photos by thumbnail, documents by name (GET /api/files/:id). */
export const fileInfo = z.object({
  id: z.string(),
  mime: z.string(),
  name: z.string().nullable().describe('documents: the name as uploaded (cleaned); photos: null'),
  size: z.number().int(),
});
