// Entry of the screen page: registers the widgets and the runtime. A wall with no token of its own (/display,
// or a screen URL opened without ?token= on a browser that holds none) runs as a display: it pairs by code and
// shows what it is set to (rx-display.ts); otherwise <rx-screen> shows the screen of the URL.
import '../../widgets/index.ts';
import './rx-screen.ts';
import { DISPLAY_TOKEN_KEY } from './rx-display.ts';
import { hasToken, urlHasToken } from './token.ts';

// A ?token= in the URL is someone opening a screen on purpose: it wins over a pairing kept by this browser.
const asDisplay = location.pathname === '/display' || (!urlHasToken() && (localStorage.getItem(DISPLAY_TOKEN_KEY) !== null || !hasToken()));
if (asDisplay) document.querySelector('rx-screen')?.replaceWith(document.createElement('rx-display'));
