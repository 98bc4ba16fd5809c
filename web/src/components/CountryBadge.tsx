const names = (() => {
  try {
    return new Intl.DisplayNames(undefined, { type: 'region' });
  } catch {
    return null;
  }
})();

/** The country's name for an ISO 3166 code, in the browser's language. */
export function countryName(code: string): string {
  try {
    return names?.of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

/**
 * The two-letter country code as a small badge, named in full for screen readers and on hover.
 * (Flag emoji are not drawn on Windows, and the CSP rules out remote flag images.)
 */
export function CountryBadge({ code }: { code: string }) {
  const name = countryName(code);
  return (
    <abbr className="country" title={name}>
      {code.toUpperCase()}
    </abbr>
  );
}
