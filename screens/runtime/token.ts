// The screen's token arrives once as ?token=…; the page keeps it (localStorage) and removes it from the
// address bar so it is not shown, bookmarked or sent again in a URL.
const KEY = 'rxpulse.token';

export function takeToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    localStorage.setItem(KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + (url.search === '?' ? '' : url.search) + url.hash);
    return fromUrl;
  }
  return localStorage.getItem(KEY);
}

export function urlHasToken(): boolean {
  return new URL(window.location.href).searchParams.has('token');
}

/** Whether this page has a token of its own (in the URL, or kept from an earlier visit). */
export function hasToken(): boolean {
  return urlHasToken() || localStorage.getItem(KEY) !== null;
}
