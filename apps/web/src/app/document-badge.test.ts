import { describe, expect, it } from 'vitest';
import { applyDocumentBadge, documentTitle, faviconSvg } from './document-badge.ts';

describe('document badge', () => {
  it('puts the firing count in the title', () => {
    expect(documentTitle(0, 'Fleet')).toBe('Fleet · Lookout');
    expect(documentTitle(3, 'Alerts')).toBe('(3) Alerts · Lookout');
  });

  it('draws the count in the favicon', () => {
    expect(faviconSvg(0)).not.toContain('<text');
    expect(faviconSvg(7)).toContain('>7</text>');
    expect(faviconSvg(250)).toContain('>99+</text>');
  });

  it('updates the document title and icon link', () => {
    applyDocumentBadge(document, 2, 'Fleet');
    expect(document.title).toBe('(2) Fleet · Lookout');
    const link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
    expect(link?.dataset.firing).toBe('2');
    expect(decodeURIComponent(link?.getAttribute('href') ?? '')).toContain('>2</text>');
  });
});
