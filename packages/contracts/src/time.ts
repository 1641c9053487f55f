import { z } from 'zod';

/** ISO-8601 timestamp, `Z` or an offset (Ollama reports `expires_at` with an offset). */
export const IsoTimeSchema = z.iso.datetime({ offset: true });
