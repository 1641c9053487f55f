/** Ollama treats `llama3.2` and `llama3.2:latest` as one model; compare names in this form. */
export function canonicalModel(name: string): string {
  const trimmed = name.trim();
  const slash = trimmed.lastIndexOf('/');
  return trimmed.indexOf(':', slash + 1) >= 0 ? trimmed : `${trimmed}:latest`;
}

/** `*` matches any run of characters; everything else literally. Compared on canonical names. */
export function modelPatternMatches(pattern: string, model: string): boolean {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*');
  const re = new RegExp(`^${escaped}$`, 'i');
  return re.test(model) || re.test(canonicalModel(model));
}
