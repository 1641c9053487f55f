/** The page title: the count of firing alerts first, so it shows in a crowded tab bar. */
export function documentTitle(firing: number, page: string): string {
  const base = page ? `${page} · Lookout` : 'Lookout';
  return firing > 0 ? `(${firing}) ${base}` : base;
}

/** The favicon as an SVG: a calm ring, red with the count when alerts fire. */
export function faviconSvg(firing: number): string {
  const ring =
    '<circle cx="16" cy="16" r="11" fill="none" stroke="#2f6fde" stroke-width="4"/><circle cx="16" cy="16" r="3.5" fill="#2f6fde"/>';
  if (firing <= 0) return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">${ring}</svg>`;
  const text = firing > 99 ? '99+' : String(firing);
  const size = text.length > 2 ? 11 : text.length > 1 ? 15 : 19;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">` +
    `<circle cx="16" cy="16" r="15" fill="#c53030"/>` +
    `<text x="16" y="16" dy="0.35em" text-anchor="middle" font-family="system-ui,sans-serif" font-weight="700" font-size="${size}" fill="#fff">${text}</text>` +
    `</svg>`
  );
}

export function faviconHref(firing: number): string {
  return `data:image/svg+xml,${encodeURIComponent(faviconSvg(firing))}`;
}

/** Sets the title and the favicon of `doc` (creates the icon link when missing). */
export function applyDocumentBadge(doc: Document, firing: number, page: string): void {
  doc.title = documentTitle(firing, page);
  let link = doc.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (!link) {
    link = doc.createElement('link');
    link.rel = 'icon';
    doc.head.appendChild(link);
  }
  link.type = 'image/svg+xml';
  const href = faviconHref(firing);
  if (link.getAttribute('href') !== href) link.setAttribute('href', href);
  link.dataset.firing = String(firing);
}
